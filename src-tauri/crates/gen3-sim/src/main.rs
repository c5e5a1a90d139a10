//! `gen3-sim --fleet N [--out DIR] [--tls trusted-ca|plain|self-signed|expired] [--coming-up-ms MS]`
//!
//! Starts N commons named c001..cNNN on 127.0.0.1, writes DIR/fleet.json
//! (`[{"name","base_url"}]`), DIR/<name>-credentials.json (a valid API key), and for tests of
//! failure paths DIR/<name>-revoked-credentials.json and DIR/<name>-expired-credentials.json,
//! plus DIR/ca.pem; prints "ready" on stdout and serves until SIGTERM or SIGINT. With
//! `--coming-up-ms`, every commons starts booting: revproxy is up after MS, each service MS later.
//!
//! `gen3-sim --plan`: the fleet described by one line of JSON on stdin ([`gen3_sim::plan`]); answers
//! one line of JSON (addresses, CA, minted keys) on stdout and serves until stdin closes or SIGTERM.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use gen3_sim::{CommonsSpec, Fleet, MintOptions, TlsMode};

const USAGE: &str =
    "usage: gen3-sim --fleet N [--out DIR] [--tls trusted-ca|plain|self-signed|expired] [--coming-up-ms MS]
       gen3-sim --plan   (a JSON fleet plan on stdin)";

fn parse_args() -> Result<(usize, PathBuf, TlsMode, Option<Duration>), String> {
    let mut n = None;
    let mut out = PathBuf::from(".");
    let mut tls = TlsMode::Plain;
    let mut coming_up = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(USAGE.to_string());
        match key.as_str() {
            "--fleet" => n = Some(value()?.parse::<usize>().map_err(|_| format!("--fleet needs a number\n{USAGE}"))?),
            "--out" => out = PathBuf::from(value()?),
            "--tls" => {
                tls = match value()?.as_str() {
                    "plain" => TlsMode::Plain,
                    "trusted-ca" => TlsMode::TrustedCa,
                    "self-signed" => TlsMode::SelfSigned,
                    "expired" => TlsMode::Expired,
                    other => return Err(format!("unknown --tls {other:?}\n{USAGE}")),
                }
            }
            "--coming-up-ms" => {
                let ms = value()?.parse::<u64>().map_err(|_| format!("--coming-up-ms needs a number\n{USAGE}"))?;
                coming_up = Some(Duration::from_millis(ms));
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let n = n.ok_or(USAGE.to_string())?;
    if n == 0 || n > 9999 {
        return Err("--fleet must be between 1 and 9999".into());
    }
    Ok((n, out, tls, coming_up))
}

fn write_json(path: PathBuf, v: &serde_json::Value) -> std::io::Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(v)? + "\n")
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--plan") {
        // Exits at once: the runtime would otherwise wait for the thread blocked reading stdin.
        std::process::exit(match run_plan().await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("gen3-sim: {e}");
                1
            }
        });
    }
    let (n, out, tls, coming_up) = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(n, out, tls, coming_up).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen3-sim: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(n: usize, out: PathBuf, tls: TlsMode, coming_up: Option<Duration>) -> std::io::Result<()> {
    let width = n.to_string().len().max(3);
    let specs: Vec<CommonsSpec> =
        (1..=n).map(|i| CommonsSpec { tls, ..CommonsSpec::new(&format!("c{i:0width$}")) }).collect();
    let fleet = Fleet::start(specs).await?;
    std::fs::create_dir_all(&out)?;
    let mut listing = Vec::new();
    for name in fleet.names() {
        listing.push(serde_json::json!({"name": name, "base_url": fleet.base_url(&name)}));
        let creds = fleet.mint_credentials(&name, MintOptions::default());
        write_json(out.join(format!("{name}-credentials.json")), &creds)?;
        let revoked = fleet.mint_credentials(&name, MintOptions::default());
        fleet.revoke(&name, revoked["key_id"].as_str().unwrap_or_default());
        write_json(out.join(format!("{name}-revoked-credentials.json")), &revoked)?;
        let expired = fleet.mint_credentials(&name, MintOptions { expires_in_secs: -3600, ..MintOptions::default() });
        write_json(out.join(format!("{name}-expired-credentials.json")), &expired)?;
    }
    write_json(out.join("fleet.json"), &serde_json::Value::Array(listing))?;
    if let Some(step) = coming_up {
        for name in fleet.names() {
            fleet.coming_up(&name, step);
        }
    }
    std::fs::write(out.join("ca.pem"), fleet.ca_pem())?;

    say("ready")?;
    until_signal().await?;
    fleet.shutdown().await;
    Ok(())
}

fn say(line: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

async fn until_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

async fn run_plan() -> Result<(), String> {
    use tokio::io::AsyncBufReadExt as _;
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let mut line = String::new();
    stdin.read_line(&mut line).await.map_err(|e| format!("reading the plan: {e}"))?;
    let plan: gen3_sim::plan::Plan = serde_json::from_str(&line).map_err(|e| format!("the plan: {e}"))?;
    let (fleet, started) = gen3_sim::plan::start(&plan).await?;
    let answer = serde_json::to_string(&started).map_err(|e| e.to_string())?;
    say(&answer).map_err(|e| e.to_string())?;
    // The fleet lives as long as whoever holds our stdin: its end (even a crash) stops it.
    let mut rest = Vec::new();
    tokio::select! {
        _ = tokio::io::AsyncReadExt::read_to_end(stdin.get_mut(), &mut rest) => {}
        r = until_signal() => r.map_err(|e| e.to_string())?,
    }
    fleet.shutdown().await;
    Ok(())
}
