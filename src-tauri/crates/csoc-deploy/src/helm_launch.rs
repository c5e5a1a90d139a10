//! The Helm launch: the operator's own `helm` runs `upgrade --install` of the gen3 umbrella chart
//! with the generated values file, its output streamed line by line, stoppable at any time.
//!
//! Values go only through the values file (`-f`), never `--set`, so nothing secret is ever on a
//! command line (visible to every user of the machine in the process list).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use csoc_model::error::{CoreError, CoreResult, ErrorCode};

pub(crate) const DEFAULT_REPO_URL: &str = "https://helm.gen3.org";
pub(crate) const DEFAULT_CHART: &str = "gen3";

/// How long `helm --wait` waits for the commons' pods. A first install creates every database
/// (dbCreate jobs) and, in dev, Elasticsearch: 20 minutes leaves room for that on a cold cluster.
pub(crate) const HELM_WAIT: &str = "20m";

/// After a cancel, helm gets this long to stop on its own (it then marks the release failed
/// instead of leaving it "pending", which would block the next upgrade) before it is killed.
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// stderr lines kept for the error message.
const TAIL_LINES: usize = 20;

/// Where and what to install (gen3-admin's Destination step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub(crate) struct HelmTarget {
    /// The kube context to use; `None` = helm's current context.
    pub kube_context: Option<String>,
    pub namespace: String,
    pub release_name: String,
    /// The chart version; `None` = the newest in the repository.
    pub chart_version: Option<String>,
    #[serde(default = "default_repo_url")]
    pub repo_url: String,
    #[serde(default = "default_chart")]
    pub chart: String,
}

fn default_repo_url() -> String {
    DEFAULT_REPO_URL.to_string()
}

fn default_chart() -> String {
    DEFAULT_CHART.to_string()
}

impl HelmTarget {
    /// The gen3 chart from helm.gen3.org, newest version, helm's current kube context.
    pub fn new(release_name: impl Into<String>, namespace: impl Into<String>) -> Self {
        Self {
            kube_context: None,
            namespace: namespace.into(),
            release_name: release_name.into(),
            chart_version: None,
            repo_url: default_repo_url(),
            chart: default_chart(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub(crate) enum HelmStream {
    Stdout,
    Stderr,
}

/// One line helm printed, as it printed it (values that look secret are masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub(crate) struct HelmLine {
    pub stream: HelmStream,
    pub text: String,
}

/// How a helm run ended when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HelmOutcome {
    /// `None` when helm was stopped by a signal (a cancel).
    pub exit_code: Option<i32>,
    pub cancelled: bool,
}

/// The arguments of `helm upgrade --install` for `target` with the values in `values_file`:
/// `upgrade --install <release> <chart> --repo <url> [--version V] --namespace <ns>
/// --create-namespace [--kube-context C] -f <values> --wait --timeout 20m`. Every field is checked
/// first, so none can be taken by helm for an option.
pub(crate) fn helm_args(target: &HelmTarget, values_file: &Path) -> CoreResult<Vec<String>> {
    check_target(target)?;
    let values = values_file.to_str().filter(|v| !v.is_empty() && !v.starts_with('-')).ok_or_else(|| {
        CoreError::invalid(format!("The values file path {} cannot be given to helm.", values_file.display()))
    })?;
    let mut args: Vec<String> = ["upgrade", "--install"].map(String::from).to_vec();
    args.extend([target.release_name.clone(), target.chart.clone(), "--repo".into(), target.repo_url.clone()]);
    if let Some(v) = &target.chart_version {
        args.extend(["--version".into(), v.clone()]);
    }
    args.extend(["--namespace".into(), target.namespace.clone(), "--create-namespace".into()]);
    if let Some(c) = &target.kube_context {
        args.extend(["--kube-context".into(), c.clone()]);
    }
    args.extend(["-f".into(), values.to_string(), "--wait".into(), "--timeout".into(), HELM_WAIT.into()]);
    Ok(args)
}

/// Checks a target the way Helm and Kubernetes will, with words for the form.
pub(crate) fn check_target(t: &HelmTarget) -> CoreResult<()> {
    if !is_dns_name(&t.release_name, 53, true) {
        return Err(CoreError::invalid(format!(
            "“{}” cannot be a Helm release name: use at most 53 lowercase letters, digits and “-”, starting and \
             ending with a letter or digit.",
            t.release_name
        )));
    }
    if !is_dns_name(&t.namespace, 63, false) {
        return Err(CoreError::invalid(format!(
            "“{}” cannot be a Kubernetes namespace: use at most 63 lowercase letters, digits and “-”, starting and \
             ending with a letter or digit.",
            t.namespace
        )));
    }
    let plain =
        |v: &str| !v.is_empty() && !v.starts_with('-') && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if let Some(v) = &t.chart_version {
        if !plain(v) {
            return Err(CoreError::invalid(format!("“{v}” is not a chart version (for example 0.3.90).")));
        }
    }
    if let Some(c) = &t.kube_context {
        if !plain(c) {
            return Err(CoreError::invalid(format!("“{c}” is not a kube context name.")));
        }
    }
    if !plain(&t.chart) || !t.chart.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(CoreError::invalid(format!("“{}” is not a chart name (for example gen3).", t.chart)));
    }
    match url::Url::parse(&t.repo_url) {
        Ok(u) if crate::path_grants::require_https(&u) => Ok(()),
        _ => Err(CoreError::invalid(format!(
            "“{}” is not an https:// Helm chart repository address (for example {DEFAULT_REPO_URL}); charts are fetched over https only.",
            t.repo_url
        ))),
    }
}

pub(crate) fn is_dns_name(s: &str, max: usize, dots: bool) -> bool {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    s.len() <= max && if dots { s.split('.').all(label_ok) } else { label_ok(s) }
}

/// The operator's `helm`: the first on PATH, else where installers put it (an app started from a
/// desktop menu or the dock does not get the login shell's PATH, e.g. Homebrew's folder on macOS).
pub fn find_helm() -> CoreResult<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    if let Some(home) = dirs::home_dir() {
        dirs.extend([home.join(".local/bin"), home.join("bin")]);
    }
    dirs.extend(["/usr/local/bin", "/opt/homebrew/bin", "/snap/bin"].map(PathBuf::from));
    find_in(&dirs)
}

fn find_in(dirs: &[PathBuf]) -> CoreResult<PathBuf> {
    let name = if cfg!(windows) { "helm.exe" } else { "helm" };
    dirs.iter()
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
        .ok_or_else(|| spawn_error(Path::new(name), &std::io::ErrorKind::NotFound.into()))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Runs `binary` (from [`find_helm`], or a bare `helm` looked up on PATH) with `args`, passing each output line to
/// `on_line` as it comes. `cancel` stops it (SIGTERM to its process group, then SIGKILL).
/// A missing helm, an unreachable cluster and any other failure are errors with words.
pub(crate) async fn run_helm(
    binary: &Path,
    args: &[String],
    mut on_line: impl FnMut(HelmLine),
    cancel: CancellationToken,
) -> CoreResult<HelmOutcome> {
    let mut cmd = tokio::process::Command::new(binary);
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    // Its own process group, so a cancel reaches helm's children (plugins, post-renderers) too.
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn().map_err(|e| spawn_error(binary, &e))?;
    tracing::info!(binary = %binary.display(), "helm started");
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(CoreError::new(ErrorCode::ToolFailed, "helm's output could not be read."));
    };
    let mut out = BufReader::new(stdout).split(b'\n');
    let mut err = BufReader::new(stderr).split(b'\n');
    let (mut out_open, mut err_open) = (true, true);
    let mut tail: VecDeque<String> = VecDeque::with_capacity(TAIL_LINES);
    let mut unreachable: Option<String> = None;
    let mut cancelled = false;
    while out_open || err_open {
        let (stream, read) = tokio::select! {
            _ = cancel.cancelled() => {
                cancelled = true;
                break;
            }
            r = out.next_segment(), if out_open => (HelmStream::Stdout, r),
            r = err.next_segment(), if err_open => (HelmStream::Stderr, r),
        };
        let bytes = match read {
            Ok(Some(b)) => b,
            Ok(None) | Err(_) => {
                match stream {
                    HelmStream::Stdout => out_open = false,
                    HelmStream::Stderr => err_open = false,
                }
                continue;
            }
        };
        let text = mask_secrets(String::from_utf8_lossy(&bytes).trim_end_matches('\r'));
        tracing::debug!(?stream, line = %text, "helm");
        if stream == HelmStream::Stderr {
            if unreachable.is_none() && says_unreachable(&text) {
                unreachable = Some(text.trim().to_string());
            }
            if !text.trim().is_empty() {
                if tail.len() == TAIL_LINES {
                    tail.pop_front();
                }
                tail.push_back(text.trim().to_string());
            }
        }
        on_line(HelmLine { stream, text });
    }
    let waited = if cancelled {
        None
    } else {
        tokio::select! {
            _ = cancel.cancelled() => None,
            s = child.wait() => Some(s),
        }
    };
    let Some(status) = waited else {
        let code = stop(&mut child).await;
        tracing::info!("helm cancelled");
        return Ok(HelmOutcome { exit_code: code, cancelled: true });
    };
    let status = status
        .map_err(|e| CoreError::new(ErrorCode::ToolFailed, format!("Waiting for helm failed ({}).", e.kind())))?;
    tracing::info!(code = ?status.code(), "helm finished");
    if status.success() {
        return Ok(HelmOutcome { exit_code: status.code(), cancelled: false });
    }
    if let Some(line) = unreachable {
        return Err(CoreError::new(
            ErrorCode::Unreachable,
            format!(
                "helm could not reach the Kubernetes cluster: “{line}”. Check the kube context (that it names the \
                 right cluster), the network or VPN to the cluster's API server and your cluster credentials, then \
                 launch again."
            ),
        ));
    }
    let last: Vec<String> = tail.iter().rev().take(5).rev().cloned().collect();
    let code = status.code().map(|c| format!("exit code {c}")).unwrap_or_else(|| "stopped by a signal".into());
    let said =
        if last.is_empty() { String::from(" and printed nothing") } else { format!(": “{}”", last.join(" / ")) };
    Err(CoreError::new(ErrorCode::ToolFailed, format!("helm failed ({code}){said}.")))
}

pub(crate) fn spawn_error(binary: &Path, e: &std::io::Error) -> CoreError {
    match e.kind() {
        std::io::ErrorKind::NotFound => CoreError::new(
            ErrorCode::ToolMissing,
            format!(
                "helm was not found (looked for “{}” on PATH). Install Helm 3 (https://helm.sh/docs/intro/install/), \
                 check that `helm version` works in a terminal, then launch again.",
                binary.display()
            ),
        ),
        std::io::ErrorKind::PermissionDenied => CoreError::new(
            ErrorCode::ToolMissing,
            format!("{} cannot be run (it is not executable). Reinstall Helm 3 and launch again.", binary.display()),
        ),
        kind => CoreError::new(ErrorCode::ToolFailed, format!("helm could not be started (the system said: {kind}).")),
    }
}

/// helm's words when the API server cannot be reached (wrong context, VPN down, cluster gone).
fn says_unreachable(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.contains("kubernetes cluster unreachable")
        || (l.contains("dial tcp")
            && (l.contains("connection refused") || l.contains("no such host") || l.contains("i/o timeout")))
}

/// Masks the value after a key that names a secret (`password: x`, `API_KEY=x`): helm does not
/// print values, but a chart's NOTES or a plugin might.
pub fn mask_secrets(line: &str) -> String {
    const KEYS: [&str; 6] = ["password", "passwd", "secret", "token", "api_key", "apikey"];
    let lower = line.to_ascii_lowercase();
    let Some(key_at) = KEYS.iter().filter_map(|k| lower.find(k).map(|i| i + k.len())).min() else {
        return line.to_string();
    };
    match line[key_at..].find([':', '=']) {
        Some(sep) if !line[key_at + sep + 1..].trim().is_empty() => {
            format!("{} <redacted>", &line[..key_at + sep + 1])
        }
        _ => line.to_string(),
    }
}

/// Stops helm and whatever it started: SIGTERM to the group, SIGKILL after the grace period.
async fn stop(child: &mut tokio::process::Child) -> Option<i32> {
    #[cfg(unix)]
    {
        use rustix::process::{kill_process_group, Pid, Signal};
        let group = child.id().and_then(|id| i32::try_from(id).ok()).and_then(Pid::from_raw);
        if let Some(pg) = group {
            let _ = kill_process_group(pg, Signal::TERM);
            if let Ok(Ok(status)) = tokio::time::timeout(CANCEL_GRACE, child.wait()).await {
                // helm is gone; its children may not be.
                let _ = kill_process_group(pg, Signal::KILL);
                return status.code();
            }
            let _ = kill_process_group(pg, Signal::KILL);
        }
    }
    let _ = child.start_kill();
    child.wait().await.ok().and_then(|s| s.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_helm_says_how_to_install_it() {
        let empty = tempfile::tempdir().unwrap();
        let err = find_in(&[empty.path().to_path_buf()]).unwrap_err();
        assert_eq!(err.code, ErrorCode::ToolMissing);
        assert!(err.message.contains("Install Helm 3"), "{}", err.message);
        // A file named helm that cannot be run is not a helm either.
        std::fs::write(empty.path().join("helm"), "not a program").unwrap();
        assert_eq!(find_in(&[empty.path().to_path_buf()]).unwrap_err().code, ErrorCode::ToolMissing);
    }

    #[test]
    fn secret_values_are_masked() {
        assert_eq!(mask_secrets("  password: hunter2"), "  password: <redacted>");
        assert_eq!(mask_secrets("AWS_SECRET_ACCESS_KEY=abc"), "AWS_SECRET_ACCESS_KEY= <redacted>");
        assert_eq!(mask_secrets("Release \"gen3\" has been upgraded."), "Release \"gen3\" has been upgraded.");
        assert_eq!(mask_secrets("client_secret:"), "client_secret:");
    }

    #[test]
    fn unreachable_is_recognised() {
        assert!(says_unreachable("Error: Kubernetes cluster unreachable: Get \"https://10.0.0.1/version\""));
        assert!(says_unreachable(
            "Error: Get \"https://127.0.0.1:6443/version\": dial tcp 127.0.0.1:6443: connect: connection refused"
        ));
        assert!(!says_unreachable("Error: UPGRADE FAILED: context deadline exceeded"));
    }

    #[test]
    fn names_are_checked_like_kubernetes() {
        assert!(is_dns_name("gen3-test", 53, true));
        assert!(is_dns_name("a.b-c", 53, true));
        assert!(!is_dns_name("Gen3", 53, true));
        assert!(!is_dns_name("-x", 53, true));
        assert!(!is_dns_name("a.b", 63, false));
        assert!(!is_dns_name(&"a".repeat(54), 53, true));
    }

    /// `helm --repo` takes https addresses only (plain http only on the loopback interface): a
    /// chart fetched in the clear could be swapped on the way.
    #[test]
    fn chart_repositories_are_fetched_over_https_only() {
        for repo in ["http://helm.gen3.org", "file:///etc", "oci://registry.example.org/gen3"] {
            let target = HelmTarget { repo_url: repo.into(), ..HelmTarget::new("gen3", "gen3") };
            let err = check_target(&target).unwrap_err();
            assert!(err.message.contains("https://"), "{repo}: {}", err.message);
        }
        check_target(&HelmTarget { repo_url: "https://helm.gen3.org".into(), ..HelmTarget::new("gen3", "gen3") })
            .unwrap();
    }
}
