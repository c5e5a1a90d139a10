//! The facts the Diagnostics section shows and the zip carries.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use ts_rs::TS;

use crate::display_text::shown;
use crate::error::CoreError;
use crate::model::{now_ms, InventoryFilter};
use crate::store::Store;
use crate::vault::{Vault, VaultMode};

/// How long a commons may take to accept a TCP connection before it counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The newest error lines of the logs that are shown.
const LAST_ERRORS: usize = 20;
/// The tail of a log file that is searched for errors (a log file can be large).
const LOG_TAIL_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, TS)]
pub struct KeyringFacts {
    /// The OS keyring this platform uses ("Secret Service (D-Bus)", "macOS Keychain", ...).
    pub backend: String,
    /// The keyring answered a read.
    pub reachable: bool,
    /// Why it did not, in words.
    pub problem: Option<String>,
    /// How the vault protects its key (unknown when the cache did not open).
    pub vault_mode: Option<VaultMode>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CacheFacts {
    pub path: String,
    /// The database with its WAL and shared-memory files.
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// SQLite's `quick_check` verdict ("ok" when healthy).
    pub quick_check: String,
    /// The schema version in the file and the newest this app writes.
    pub schema_version: u32,
    pub latest_schema: u32,
    /// Why the cache could not be opened, when it could not.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CommonsReach {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub reachable: bool,
    /// "connected in 23 ms", "connection refused", "no answer within 3 s", "name not found".
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Diagnostics {
    pub app_version: String,
    /// Operating system and architecture.
    pub os: String,
    /// The WebKitGTK the window runs on, as the package manager reports it (Linux only).
    pub webkit_version: Option<String>,
    pub keyring: KeyringFacts,
    pub cache: CacheFacts,
    pub log_dir: String,
    /// The newest ERROR lines of the log files, newest last.
    pub last_errors: Vec<String>,
    pub commons: Vec<CommonsReach>,
    #[ts(type = "number")]
    pub collected_at: i64,
}

/// Gathers every fact; `store` is the opened cache or why it did not open. Reaching the commons
/// runs concurrently and takes at most a few seconds.
pub async fn gather(db_path: &Path, store: Result<&Store, &CoreError>, vault: &Vault, log_dir: &Path) -> Diagnostics {
    let commons = match store {
        Ok(s) => crate::inventory::list(s, &InventoryFilter::default()).map(|v| v.commons).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    Diagnostics {
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        webkit_version: webkit_version(),
        keyring: keyring(store, vault),
        cache: cache(db_path, store),
        log_dir: log_dir.display().to_string(),
        last_errors: last_errors(log_dir),
        commons: reach_all(&commons).await,
        collected_at: now_ms(),
    }
}

fn keyring(store: Result<&Store, &CoreError>, vault: &Vault) -> KeyringFacts {
    let backend = if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service (D-Bus: gnome-keyring or KWallet)"
    }
    .to_string();
    let status = store.map_err(Clone::clone).and_then(|s| vault.status(s));
    match status {
        Ok(st) => KeyringFacts {
            backend,
            reachable: st.keyring_problem.is_none() && st.mode != VaultMode::Passphrase,
            problem: st.keyring_problem,
            vault_mode: Some(st.mode),
        },
        Err(e) => KeyringFacts { backend, reachable: false, problem: Some(e.message), vault_mode: None },
    }
}

fn cache(db_path: &Path, store: Result<&Store, &CoreError>) -> CacheFacts {
    let size_bytes = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db_path.display())).ok())
        .map(|m| m.len())
        .sum();
    let latest_schema = crate::store::latest_schema() as u32;
    let (quick_check, schema_version, error) = match store.map_err(Clone::clone).and_then(Store::integrity) {
        Ok((verdict, version)) => (verdict, version, None),
        Err(e) => ("not run".to_string(), 0, Some(e.message)),
    };
    CacheFacts { path: db_path.display().to_string(), size_bytes, quick_check, schema_version, latest_schema, error }
}

/// The log files, newest first.
pub(super) fn log_files(log_dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(log_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(crate::logging::LOG_FILE_PREFIX))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    // Daily files are named by date, so the name sorts them.
    files.sort();
    files.reverse();
    files
}

/// The last `max` bytes of a file, from the start of a line.
pub(super) fn tail(path: &Path, max: u64) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else { return String::new() };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(max);
    if f.seek(SeekFrom::Start(start)).is_err() {
        return String::new();
    }
    let mut bytes = Vec::new();
    let _ = f.take(max).read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match (start > 0, text.find('\n')) {
        (true, Some(nl)) => text[nl + 1..].to_string(),
        _ => text,
    }
}

fn last_errors(log_dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in log_files(log_dir) {
        let text = tail(&file, LOG_TAIL_BYTES);
        let mut errors: Vec<String> =
            text.lines().filter(|l| l.contains(" ERROR ")).map(|l| super::zip_file::scrubbed(&shown(l, 400))).collect();
        errors.append(&mut found);
        found = errors;
        if found.len() >= LAST_ERRORS {
            break;
        }
    }
    let skip = found.len().saturating_sub(LAST_ERRORS);
    found.split_off(skip)
}

/// WebKitGTK's version from the package manager: the library reports it only through C calls,
/// which this codebase does not make.
fn webkit_version() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let dpkg = std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "libwebkit2gtk-4.1-0"])
        .output()
        .ok()
        .filter(|o| o.status.success());
    let rpm = || {
        std::process::Command::new("rpm")
            .args(["-q", "--qf", "%{VERSION}", "webkit2gtk4.1"])
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    dpkg.or_else(rpm).map(|o| shown(String::from_utf8_lossy(&o.stdout).trim(), 80)).filter(|v| !v.is_empty())
}

async fn reach_all(commons: &[crate::model::Commons]) -> Vec<CommonsReach> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, c) in commons.iter().enumerate() {
        let url = c.draft.base_url.clone();
        tasks.spawn(async move { (i, reach(&url).await) });
    }
    let mut results = vec![(false, String::new()); commons.len()];
    while let Some(done) = tasks.join_next().await {
        if let Ok((i, r)) = done {
            results[i] = r;
        }
    }
    commons
        .iter()
        .zip(results)
        .map(|(c, (reachable, detail))| CommonsReach {
            id: c.id.clone(),
            name: c.draft.name.clone(),
            base_url: c.draft.base_url.clone(),
            reachable,
            detail,
        })
        .collect()
}

/// A TCP connection to the commons' host and port: whether the network gets there at all, with no
/// request sent and no key used.
async fn reach(base_url: &str) -> (bool, String) {
    let Some((host, port)) =
        url::Url::parse(base_url).ok().and_then(|u| Some((u.host_str()?.to_string(), u.port_or_known_default()?)))
    else {
        return (false, "not a URL the app can reach".into());
    };
    let started = Instant::now();
    match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((host.as_str(), port))).await {
        Ok(Ok(_)) => (true, format!("connected to {host}:{port} in {} ms", started.elapsed().as_millis())),
        Ok(Err(e)) => (false, format!("{host}:{port}: {}", connect_error(&e))),
        Err(_) => (false, format!("{host}:{port}: no answer within {} s", CONNECT_TIMEOUT.as_secs())),
    }
}

fn connect_error(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused",
        std::io::ErrorKind::TimedOut => "timed out",
        _ if e.to_string().contains("lookup") || e.to_string().contains("resolve") => "name not found",
        _ => "could not connect",
    }
}
