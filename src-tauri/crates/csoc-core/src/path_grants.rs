//! Which filesystem paths the window may hand to a command: those the user picked in a native
//! dialog or dropped on the window (recorded by the shell when it happens), and the app's own
//! folders. A path typed into the page or forged by script in the webview is refused, so a
//! compromised page cannot make the app read or overwrite files the user never chose.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{CoreError, CoreResult};

/// Grants for one window session (never persisted: a new session picks again).
#[derive(Default)]
pub struct PathGrants {
    granted: Mutex<Vec<Grant>>,
    app_folders: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Grant {
    /// A file picked to open, or a save target: that path only.
    File(PathBuf),
    /// A picked or dropped folder: everything inside it.
    Folder(PathBuf),
}

/// What the command will do with the path, for the refusal's words.
#[derive(Debug, Clone, Copy)]
pub enum Use {
    Read,
    Write,
}

impl PathGrants {
    /// `app_folders` (the data and log folders) are always allowed.
    pub fn new(app_folders: &[&Path]) -> Self {
        Self { granted: Mutex::default(), app_folders: app_folders.iter().map(|p| real(p)).collect() }
    }

    /// Records a path the user chose in a native dialog or dropped on the window.
    pub fn grant(&self, path: &Path) {
        let real = real(path);
        let grant = if real.is_dir() { Grant::Folder(real) } else { Grant::File(real) };
        let mut granted = self.granted.lock().unwrap_or_else(|p| p.into_inner());
        if !granted.contains(&grant) {
            granted.push(grant);
        }
    }

    /// `path` if the user chose it (or it lies in a chosen folder, or in the app's folders).
    pub fn check(&self, path: &str, purpose: Use) -> CoreResult<PathBuf> {
        let asked = Path::new(path);
        if !asked.is_absolute() {
            return Err(CoreError::invalid(format!(
                "“{}” is not a full path. Choose the file with the Browse button or drop it on the window.",
                crate::display_text::shown(path, 200)
            )));
        }
        let real = real(asked);
        let granted = self.granted.lock().unwrap_or_else(|p| p.into_inner());
        let allowed = self.app_folders.iter().any(|f| real.starts_with(f))
            || granted.iter().any(|g| match g {
                Grant::File(f) => *f == real,
                Grant::Folder(d) => real.starts_with(d),
            });
        if allowed {
            return Ok(real);
        }
        let verb = match purpose {
            Use::Read => "read",
            Use::Write => "write",
        };
        Err(CoreError::invalid(format!(
            "The app only {verb}s files you chose yourself: pick {} with the Browse button (or drop it on the \
             window) and try again.",
            crate::display_text::shown(path, 200)
        )))
    }
}

/// The path with links and `..` resolved; a file that does not exist yet (a save target) is
/// resolved through its folder.
fn real(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent().and_then(|d| d.canonicalize().ok()), path.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// An address the app may fetch a document from (a data dictionary) or hand to `helm --repo`:
/// https only, so neither can be read or swapped on the way. Plain http is accepted for the
/// loopback interface alone, where nothing travels over a network (local mirrors and tests).
pub fn require_https(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_chosen_paths_and_app_folders_pass() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let picked = dir.path().join("picked");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(picked.join("sub")).unwrap();
        std::fs::write(dir.path().join("chosen.json"), "{}").unwrap();
        std::fs::write(dir.path().join("other.json"), "{}").unwrap();
        let grants = PathGrants::new(&[&data]);
        let s = |p: PathBuf| p.display().to_string();

        assert!(grants.check(&s(dir.path().join("chosen.json")), Use::Read).is_err(), "not chosen yet");
        grants.grant(&dir.path().join("chosen.json"));
        grants.grant(&picked);
        grants.check(&s(dir.path().join("chosen.json")), Use::Read).unwrap();
        grants.check(&s(picked.join("sub/values.yaml")), Use::Read).unwrap();
        grants.check(&s(data.join("export.json")), Use::Write).unwrap();
        let err = grants.check(&s(dir.path().join("other.json")), Use::Read).unwrap_err();
        assert!(err.message.contains("only reads files you chose"), "{}", err.message);
        // `..` and links cannot climb out of a granted folder.
        assert!(grants.check(&s(picked.join("sub/../../other.json")), Use::Read).is_err());
        std::os::unix::fs::symlink(dir.path().join("other.json"), picked.join("link.json")).unwrap();
        assert!(grants.check(&s(picked.join("link.json")), Use::Read).is_err());
        assert!(grants.check("/etc/../etc/shadow", Use::Read).is_err());
        assert!(grants.check("relative.json", Use::Read).is_err());
    }

    #[test]
    fn only_https_or_loopback_http() {
        let ok = |u: &str| require_https(&url::Url::parse(u).unwrap());
        assert!(ok("https://charts.example.org/gen3"));
        assert!(ok("http://127.0.0.1:8080/schema.json") && ok("http://localhost/x") && ok("http://[::1]/x"));
        assert!(
            !ok("http://helm.gen3.org") && !ok("file:///etc/passwd") && !ok("ftp://x.org/") && !ok("http://10.0.0.1/")
        );
    }
}
