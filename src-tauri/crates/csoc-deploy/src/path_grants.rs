//! Which filesystem paths the window may hand to a command: those the user picked in a native
//! dialog or dropped on the window (recorded by the shell when it happens), and the app's own
//! folders. A path typed into the page or forged by script in the webview is refused, so a
//! compromised page cannot make the app read or overwrite files the user never chose.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::answers::CommonsAnswers;
use crate::review::destination_root;
use csoc_model::error::{CoreError, CoreResult};

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
                "“{}” is not a full path. Choose it with its Choose… button, or drop it on the window.",
                csoc_model::display_text::shown(path, 200)
            )));
        }
        let real = real(asked);
        // A `..` left in means part of the path does not exist: never matched against a grant.
        let climbs = real.components().any(|c| c == Component::ParentDir);
        let granted = self.granted.lock().unwrap_or_else(|p| p.into_inner());
        let allowed = !climbs
            && (self.app_folders.iter().any(|f| real.starts_with(f))
                || granted.iter().any(|g| match g {
                    Grant::File(f) => *f == real,
                    Grant::Folder(d) => real.starts_with(d),
                }));
        if allowed {
            return Ok(real);
        }
        let verb = match purpose {
            Use::Read => "read",
            Use::Write => "write",
        };
        Err(CoreError::invalid(format!(
            "The app only {verb}s files and folders you chose yourself, and {} was not chosen in this session: \
             choose it with its Choose… button (or drop it on the window) and try again.",
            csoc_model::display_text::shown(path, 200)
        )))
    }

    /// The folder `answers` write into (and the review reads): a Helm output folder, or a GitOps
    /// commons folder, which must be chosen or lie in a chosen folder. The repository around a
    /// chosen commons folder is used too (git, the other Applications' chart revision), but only
    /// the innermost one, so a page cannot commit a chosen folder into a repository further out
    /// (a home folder kept in git). Empty: nothing is read; the review asks for the folder.
    pub fn check_destination(&self, answers: &CommonsAnswers, purpose: Use) -> CoreResult<()> {
        let root = destination_root(answers);
        if root.as_os_str().is_empty() {
            return Ok(());
        }
        let Some(rel) = answers.gitops_folder() else {
            return self.check(&root.display().to_string(), purpose).map(drop);
        };
        let folder = match self.check(&root.join(rel.trim_matches('/')).display().to_string(), purpose) {
            Ok(folder) => folder,
            // Named by the repository the operator typed, not the folder made from it.
            Err(e) => return Err(self.check(&root.display().to_string(), purpose).err().unwrap_or(e)),
        };
        let repo = real(&root);
        if !folder.starts_with(&repo) {
            return Err(CoreError::invalid(format!(
                "The commons folder {} is not inside the repository {}, so nothing was read or written.",
                folder.display(),
                root.display()
            )));
        }
        match folder.ancestors().take_while(|d| *d != repo).find(|d| d.join(".git").exists()) {
            Some(inner) => Err(CoreError::invalid(format!(
                "{} is a git repository of its own inside {}: choose it as the gen3-gitops clone.",
                inner.display(),
                root.display()
            ))),
            None => Ok(()),
        }
    }
}

/// The path with links and `..` resolved; for a path that does not exist yet (a save target, a
/// commons folder a launch creates), its longest existing ancestor is resolved and the rest kept.
fn real(path: &Path) -> PathBuf {
    let mut missing = Vec::new();
    let mut at = path;
    loop {
        if let Ok(found) = at.canonicalize() {
            return missing.iter().rev().fold(found, |p, name| p.join(name));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name);
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// An address the app may fetch a document from (a data dictionary) or hand to `helm --repo`:
/// https only, so neither can be read or swapped on the way. Plain http is accepted for the
/// loopback interface alone, where nothing travels over a network (local mirrors and tests).
pub(crate) fn require_https(url: &url::Url) -> bool {
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
        assert!(err.message.contains("only reads files and folders you chose"), "{}", err.message);
        assert!(
            err.message.contains("other.json was not chosen") && err.message.contains("Choose…"),
            "{}",
            err.message
        );
        // `..` and links cannot climb out of a granted folder.
        assert!(grants.check(&s(picked.join("sub/../../other.json")), Use::Read).is_err());
        std::os::unix::fs::symlink(dir.path().join("other.json"), picked.join("link.json")).unwrap();
        assert!(grants.check(&s(picked.join("link.json")), Use::Read).is_err());
        assert!(grants.check("/etc/../etc/shadow", Use::Read).is_err());
        assert!(grants.check("relative.json", Use::Read).is_err());
    }

    fn gitops(repo: &Path, cluster: &str, host: &str) -> CommonsAnswers {
        use crate::answers::{Destination, GitopsDestination};
        let mut a = CommonsAnswers::default();
        a.destination = Destination::Gitops(GitopsDestination {
            repo_path: repo.display().to_string(),
            cluster_folder: cluster.into(),
            ..GitopsDestination::default()
        });
        a.identity.hostname = host.into();
        a
    }

    /// The gitops repository path, the Helm output folder (and with them the review, the Rendered
    /// view and the launch) follow the grants: a typed repository is refused by name.
    #[test]
    fn a_destination_is_used_only_inside_a_chosen_folder_and_its_own_repository() {
        use crate::answers::{Destination, HelmDestination};
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("gen3-gitops");
        let commons = repo.join("unfunded/data.example.org");
        std::fs::create_dir_all(&commons).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let grants = PathGrants::new(&[&dir.path().join("data")]);
        let imported = gitops(&repo, "unfunded", "data.example.org");

        let err = grants.check_destination(&imported, Use::Read).unwrap_err();
        assert!(err.message.contains(&format!("{} was not chosen", repo.display())), "{}", err.message);
        // An imported commons folder was chosen: it is written in place, in its own repository.
        grants.grant(&commons);
        grants.check_destination(&imported, Use::Write).unwrap();
        let other = gitops(&repo, "unfunded", "other.example.org");
        assert!(grants.check_destination(&other, Use::Write).is_err(), "a folder beside the chosen one");
        // A page pointing the repository further out (a home folder kept in git) is refused.
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        let outer = gitops(dir.path(), "gen3-gitops/unfunded", "data.example.org");
        let err = grants.check_destination(&outer, Use::Write).unwrap_err();
        assert!(err.message.contains("a git repository of its own"), "{}", err.message);
        // The clone chosen: a new commons folder in it (not on disk yet) is fine.
        grants.grant(&repo);
        grants.check_destination(&other, Use::Write).unwrap();
        let climbing = gitops(&repo, "../elsewhere", "data.example.org");
        assert!(grants.check_destination(&climbing, Use::Write).is_err());

        let mut helm = CommonsAnswers::default();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        helm.destination =
            Destination::Helm(HelmDestination { output_dir: out.display().to_string(), ..HelmDestination::default() });
        assert!(grants.check_destination(&helm, Use::Write).is_err());
        grants.grant(&out);
        grants.check_destination(&helm, Use::Write).unwrap();
        // Nothing typed yet: nothing is read, and the review asks for the folder.
        grants.check_destination(&gitops(Path::new(""), "", "x.example.org"), Use::Read).unwrap();
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
