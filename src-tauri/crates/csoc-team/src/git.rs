//! The team clone's git commands, run as the GitOps launch runs them (no shell, prompts off), with a
//! bound on how long a network command may take so a dead remote reads as offline, not as a hang.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use csoc_deploy::git_launch::{failure, git_command, redact_credentials, spawn_error, text};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};

/// A fetch, clone or push that has not finished by then is stopped and the sync reads as offline.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `git -C dir args`, stopped after the network timeout.
pub(crate) fn run<I, S>(dir: &Path, args: I) -> CoreResult<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = git_command(dir);
    cmd.args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    // ssh must fail rather than ask about a host key or a passphrase nobody will type.
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=20");
    }
    let mut child = cmd.spawn().map_err(|e| spawn_error(&e))?;
    let started = Instant::now();
    // Output is small (porcelain lines, one file at a time), so waiting before reading it is safe.
    loop {
        if child.try_wait().map_err(|e| spawn_error(&e))?.is_some() {
            return child.wait_with_output().map_err(|e| spawn_error(&e));
        }
        if started.elapsed() > NETWORK_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CoreError::new(
                ErrorCode::Unreachable,
                format!("git did not finish within {} s and was stopped.", NETWORK_TIMEOUT.as_secs()),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs a command that must succeed; its stdout, trimmed.
pub(crate) fn ok<I, S>(dir: &Path, what: &str, args: I) -> CoreResult<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run(dir, args)?;
    if !out.status.success() {
        return Err(failure(what, &out));
    }
    Ok(text(&out.stdout))
}

/// Runs a command that talks to the remote; a failure is `unreachable` (the changes wait).
pub(crate) fn network<I, S>(dir: &Path, what: &str, args: I) -> CoreResult<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run(dir, args)?;
    if !out.status.success() && !rejected(&out) {
        let said = redact_credentials(&text(&out.stderr));
        let last = said.lines().last().unwrap_or("no answer").to_string();
        return Err(CoreError::new(
            ErrorCode::Unreachable,
            format!("git {what} could not reach the repository: {last}"),
        ));
    }
    Ok(out)
}

/// A push refused because the remote moved on (someone else pushed first): fetch and merge again.
pub(crate) fn rejected(out: &Output) -> bool {
    let said = text(&out.stderr);
    !out.status.success()
        && (said.contains("[rejected]") || said.contains("fetch first") || said.contains("non-fast-forward"))
}

/// The value of a git setting, if set (in the clone or globally).
pub(crate) fn config(dir: &Path, key: &str) -> Option<String> {
    run(dir, ["config", "--get", key])
        .ok()
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout))
        .filter(|t| !t.is_empty())
}
