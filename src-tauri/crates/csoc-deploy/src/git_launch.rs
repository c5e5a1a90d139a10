//! The GitOps launch: the generated commons folder committed on a new branch of the operator's
//! gen3-gitops clone and pushed to its remote, where Argo CD picks it up once merged.
//!
//! The commit is made in a temporary `git worktree` of the clone, so the operator's working tree,
//! index and checked-out branch are never touched: their uncommitted changes stay exactly as they
//! were, and the clone is "back on its branch" because it never left it. `git` is run directly
//! (never through a shell) with prompts disabled, so a missing credential fails instead of hanging.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::output::{relative_path, write_atomically};
use super::GeneratedFile;
use csoc_model::error::{CoreError, CoreResult, ErrorCode};

/// Used for the commit when the clone has no `user.name`/`user.email` configured.
pub const FALLBACK_AUTHOR: (&str, &str) = ("Gen3 CSOC Desktop", "gen3-csoc@localhost");

/// A git command (a push to a slow remote, a hook) that has not finished by then is stopped.
const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// The state of the operator's gen3-gitops clone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GitopsRepo {
    /// The checked-out branch; `None` on a detached HEAD.
    pub branch: Option<String>,
    /// The remote a launch pushes to: the branch's upstream remote, else `origin`, else the first.
    pub remote_name: String,
    /// The remote's URL, with any user name or token in it removed.
    pub remote_url: String,
    /// No uncommitted or untracked changes (a launch never touches them either way).
    pub clean: bool,
    /// The commit HEAD points at; `None` in a clone without commits.
    pub head: Option<String>,
}

/// What Argo CD will sync once the branch is merged, read from the commons' `templates/app.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ArgoSync {
    /// The Argo CD Application's name (`metadata.name`).
    pub name: String,
    /// The namespace the commons is deployed into (`spec.destination.namespace`).
    pub namespace: Option<String>,
    /// The cluster (`spec.destination.server`).
    pub server: Option<String>,
    /// The Helm release name of the chart source.
    pub release_name: Option<String>,
    /// The gen3-helm revision the chart comes from.
    pub chart_revision: Option<String>,
    /// The gitops revision the value files are read from: Argo CD deploys the new branch only
    /// after it is merged there.
    pub values_revision: Option<String>,
    /// The value files, as Argo CD names them (`$values/<path>`).
    pub value_files: Vec<String>,
}

/// The result of a GitOps launch: where the commit is and what Argo CD will do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GitLaunch {
    pub branch: String,
    /// The new commit's full hash.
    pub commit: String,
    pub remote: String,
    /// The remote's URL, without credentials.
    pub remote_url: String,
    /// The branch the clone had checked out, which the new branch was made from.
    pub base_branch: Option<String>,
    /// The committed files, relative to the chosen folder.
    pub files: Vec<String>,
    pub argo_app: Option<ArgoSync>,
}

impl GitLaunch {
    /// The branch the commit must reach before Argo CD deploys it: the revision the Application
    /// reads its value files from, else the branch the launch started from.
    pub(crate) fn deploy_branch(&self) -> Option<String> {
        self.argo_app.as_ref().and_then(|a| a.values_revision.clone()).or_else(|| self.base_branch.clone())
    }
}

/// Whether the launch's files are on `revision` of the remote exactly as they were committed: true
/// once its branch is merged, however it was merged (merge commit, squash or rebase).
pub(crate) async fn is_merged(repo: &Path, launch: &GitLaunch, revision: &str) -> CoreResult<bool> {
    let fetch = git(repo, ["fetch", "--quiet", "--no-tags", &launch.remote, revision]).await?;
    if !fetch.status.success() {
        return Err(failure("fetch", &fetch));
    }
    let mut args = vec!["diff".to_string(), "--quiet".into(), "FETCH_HEAD".into(), launch.commit.clone(), "--".into()];
    args.extend(launch.files.iter().cloned());
    let diff = git(repo, &args).await?;
    match diff.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(failure("diff", &diff)),
    }
}

/// Reads the clone's branch, remote, cleanliness and HEAD; says clearly when it is not a clone.
pub fn gitops_status(repo: &Path) -> CoreResult<GitopsRepo> {
    if !repo.is_dir() {
        return Err(CoreError::not_found(format!(
            "The folder {} does not exist. Choose the folder of your gen3-gitops clone.",
            repo.display()
        )));
    }
    let inside = git_sync(repo, ["rev-parse", "--is-inside-work-tree"])?;
    if !inside.status.success() || text(&inside.stdout) != "true" {
        return Err(CoreError::invalid(format!(
            "{} is not a git repository. Choose the folder of your gen3-gitops clone (made with `git clone`).",
            repo.display()
        )));
    }
    let head = ok_text(git_sync(repo, ["rev-parse", "--verify", "-q", "HEAD"])?);
    let branch = ok_text(git_sync(repo, ["symbolic-ref", "--short", "-q", "HEAD"])?);
    let upstream = match &branch {
        Some(b) => ok_text(git_sync(repo, ["config", "--get", &format!("branch.{b}.remote")])?),
        None => None,
    };
    let remotes = git_sync(repo, ["remote"])?;
    let remotes: Vec<String> = text(&remotes.stdout).lines().map(str::to_string).collect();
    let remote_name = upstream
        .filter(|r| remotes.contains(r))
        .or_else(|| remotes.iter().find(|r| *r == "origin").cloned())
        .or_else(|| remotes.first().cloned())
        .ok_or_else(|| {
            CoreError::invalid(format!(
                "The clone at {} has no remote, so a launch would have nowhere to push. Add one with \
                 `git remote add origin <url>` and try again.",
                repo.display()
            ))
        })?;
    let url = git_sync(repo, ["remote", "get-url", &remote_name])?;
    let remote_url = redact_credentials(&text(&url.stdout));
    let status = git_sync(repo, ["status", "--porcelain"])?;
    if !status.status.success() {
        return Err(failure("status", &status));
    }
    Ok(GitopsRepo { branch, remote_name, remote_url, clean: text(&status.stdout).is_empty(), head })
}

/// Commits `files` (relative to `repo`) on a new branch `branch` made from HEAD and pushes it with
/// `--set-upstream`. The operator's checkout is left as it was; if the push fails, the commit
/// stays on the local branch and the error says so.
pub(crate) async fn commit_and_push(
    repo: &Path,
    files: &[GeneratedFile],
    branch: &str,
    message: &str,
    author: Option<(String, String)>,
) -> CoreResult<GitLaunch> {
    let repo_owned = repo.to_path_buf();
    let status = tokio::task::spawn_blocking(move || gitops_status(&repo_owned))
        .await
        .map_err(|_| CoreError::new(ErrorCode::Io, "Reading the git clone's state was interrupted."))??;
    let base = status.head.clone().ok_or_else(|| {
        CoreError::invalid(format!(
            "The clone at {} has no commits yet, so there is nothing to branch from. Make a first commit and \
             try again.",
            repo.display()
        ))
    })?;
    check_branch_name(repo, branch).await?;
    if message.trim().is_empty() {
        return Err(CoreError::invalid("Write a commit message: it is what reviewers see in the pull request."));
    }
    if files.is_empty() {
        return Err(CoreError::invalid("There are no files to commit."));
    }
    let mut paths = Vec::with_capacity(files.len());
    for f in files {
        relative_path(&f.path)?;
        paths.push(f.path.clone());
    }
    let argo_app = match files.iter().find(|f| is_argo_app_path(&f.path)) {
        Some(f) => Some(argo_summary(&f.contents).map_err(|e| {
            CoreError::invalid(format!("{} cannot be read by Argo CD: {} Nothing was committed.", f.path, e.message))
        })?),
        None => None,
    };
    let identity = match author {
        Some((name, email)) => Some(checked_identity(&name, &email)?),
        None if has_identity(repo).await? => None,
        None => Some((FALLBACK_AUTHOR.0.to_string(), FALLBACK_AUTHOR.1.to_string())),
    };
    ensure_new_branch(repo, &status.remote_name, branch).await?;
    let prefix = text(&git(repo, ["rev-parse", "--show-prefix"]).await?.stdout);

    let worktree = std::env::temp_dir().join(format!("gen3-csoc-launch-{}", uuid::Uuid::new_v4().simple()));
    let add = git(
        repo,
        [
            OsStr::new("worktree"),
            "add".as_ref(),
            "--quiet".as_ref(),
            "-b".as_ref(),
            branch.as_ref(),
            worktree.as_os_str(),
            base.as_ref(),
        ],
    )
    .await?;
    if !add.status.success() {
        let _ = std::fs::remove_dir_all(&worktree);
        return Err(failure("worktree add", &add));
    }
    let committed = commit_in_worktree(&worktree, &prefix, files, &paths, message, identity).await;
    remove_worktree(repo, &worktree).await;
    let commit = match committed {
        Ok(c) => c,
        Err(e) => {
            // Nothing was committed: drop the branch so the same name can be used again.
            let _ = git(repo, ["branch", "-D", branch]).await;
            return Err(e);
        }
    };
    tracing::info!(branch, commit = %commit, files = paths.len(), "gitops commit made");

    push_branch(repo, &status.remote_name, branch).await.map_err(|e| CoreError {
        code: e.code,
        message: format!(
            "The commit {} is saved on the local branch “{branch}” of {}, but it was not pushed: {} When the \
             problem is fixed, push that branch again (`git push -u {} {branch}`).",
            short(&commit),
            repo.display(),
            e.message,
            status.remote_name
        ),
    })?;
    tracing::info!(branch, remote = %status.remote_name, "gitops branch pushed");
    Ok(GitLaunch {
        branch: branch.to_string(),
        commit,
        remote: status.remote_name,
        remote_url: status.remote_url,
        base_branch: status.branch,
        files: paths,
        argo_app,
    })
}

/// Pushes the local `branch` to `remote` with `--set-upstream` (also a retry after a failed launch).
pub(crate) async fn push_branch(repo: &Path, remote: &str, branch: &str) -> CoreResult<()> {
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let out = git(repo, ["push", "--porcelain", "--set-upstream", remote, &refspec]).await?;
    if out.status.success() {
        return Ok(());
    }
    let all = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
    let lower = all.to_lowercase();
    let last = last_lines(&out.stderr);
    let unreachable = [
        "could not read from remote repository",
        "does not appear to be a git repository",
        "unable to access",
        "could not resolve host",
        "connection refused",
        "connection timed out",
        "network is unreachable",
    ];
    let denied = ["authentication failed", "permission denied", "terminal prompts disabled", "could not read username"];
    if denied.iter().any(|d| lower.contains(d)) {
        Err(CoreError::new(
            ErrorCode::ToolFailed,
            format!(
                "{remote} refused the credentials ({last}). Set up an SSH key or a git credential helper for it; \
                 the app cannot answer a password prompt."
            ),
        ))
    } else if lower.contains("rejected") {
        Err(CoreError::new(ErrorCode::ToolFailed, format!("{remote} rejected the push ({last}).")))
    } else if unreachable.iter().any(|u| lower.contains(u)) {
        Err(CoreError::new(
            ErrorCode::Unreachable,
            format!("{remote} could not be reached ({last}). Check the network and the remote's address."),
        ))
    } else {
        Err(failure("push", &out))
    }
}

/// Reads what Argo CD will sync from an Argo CD `Application` (`templates/app.yaml`).
pub(crate) fn argo_summary(app_yaml: &str) -> CoreResult<ArgoSync> {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(app_yaml).map_err(|e| {
        let at = e.location().map(|l| format!(" at line {}, column {}", l.line(), l.column())).unwrap_or_default();
        CoreError::invalid(format!("The Argo CD application is not valid YAML{at}: {e}."))
    })?;
    let s = |v: Option<&serde_yaml_ng::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    if s(doc.get("kind")).as_deref() != Some("Application") {
        return Err(CoreError::invalid("The file is not an Argo CD Application (its `kind` is not `Application`)."));
    }
    let name = s(doc.get("metadata").and_then(|m| m.get("name")))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| CoreError::invalid("The Argo CD Application has no `metadata.name`."))?;
    let spec = doc.get("spec");
    let destination = spec.and_then(|s| s.get("destination"));
    let sources: Vec<&serde_yaml_ng::Value> = match spec.and_then(|s| s.get("sources")).and_then(|v| v.as_sequence()) {
        Some(list) => list.iter().collect(),
        None => spec.and_then(|s| s.get("source")).into_iter().collect(),
    };
    let chart = sources.iter().find(|src| src.get("helm").is_some() || src.get("chart").is_some());
    let values = sources.iter().find(|src| src.get("ref").is_some());
    let helm = chart.and_then(|c| c.get("helm"));
    let value_files = helm
        .and_then(|h| h.get("valueFiles"))
        .and_then(|v| v.as_sequence())
        .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    Ok(ArgoSync {
        name,
        namespace: s(destination.and_then(|d| d.get("namespace"))),
        server: s(destination.and_then(|d| d.get("server"))),
        release_name: s(helm.and_then(|h| h.get("releaseName"))),
        chart_revision: s(chart.and_then(|c| c.get("targetRevision"))),
        values_revision: s(values.and_then(|v| v.get("targetRevision"))),
        value_files,
    })
}

fn is_argo_app_path(path: &str) -> bool {
    path == "templates/app.yaml" || path.ends_with("/templates/app.yaml")
}

/// Writes, stages and commits the files in the temporary worktree; returns the commit hash.
async fn commit_in_worktree(
    worktree: &Path,
    prefix: &str,
    files: &[GeneratedFile],
    paths: &[String],
    message: &str,
    identity: Option<(String, String)>,
) -> CoreResult<String> {
    let dir = worktree.join(prefix);
    let owned = files.to_vec();
    let write_dir = dir.clone();
    // The chosen folder may hold only untracked files, so not exist in a fresh checkout.
    std::fs::create_dir_all(&dir).map_err(|e| CoreError::io("create", &dir, &e))?;
    tokio::task::spawn_blocking(move || write_atomically(&write_dir, &owned))
        .await
        .map_err(|_| CoreError::new(ErrorCode::Io, "Writing the files was interrupted."))??;
    let mut add: Vec<&str> = vec!["add", "--"];
    add.extend(paths.iter().map(String::as_str));
    let added = git(&dir, add).await?;
    if !added.status.success() {
        return Err(failure("add", &added));
    }
    let diff = git(&dir, ["diff", "--cached", "--quiet"]).await?;
    if diff.status.success() {
        return Err(CoreError::invalid(
            "The generated files are identical to what the clone already has, so there is nothing to commit.",
        ));
    }
    let mut args: Vec<String> = Vec::new();
    if let Some((name, email)) = identity {
        args.extend(["-c".into(), format!("user.name={name}"), "-c".into(), format!("user.email={email}")]);
    }
    args.extend(["commit".into(), "--quiet".into(), "-m".into(), message.to_string()]);
    let commit = git(&dir, &args).await?;
    if !commit.status.success() {
        return Err(failure("commit", &commit));
    }
    let head = git(&dir, ["rev-parse", "HEAD"]).await?;
    ok_text(head).ok_or_else(|| CoreError::new(ErrorCode::ToolFailed, "git did not report the new commit."))
}

async fn remove_worktree(repo: &Path, worktree: &Path) {
    let removed =
        git(repo, [OsStr::new("worktree"), "remove".as_ref(), "--force".as_ref(), worktree.as_os_str()]).await;
    if !matches!(removed, Ok(ref o) if o.status.success()) {
        let _ = std::fs::remove_dir_all(worktree);
        let _ = git(repo, ["worktree", "prune"]).await;
    }
}

async fn check_branch_name(repo: &Path, branch: &str) -> CoreResult<()> {
    let invalid = || {
        CoreError::invalid(format!(
            "“{branch}” cannot be a git branch name (no spaces, no `..`, `~`, `^`, `:` or a leading `-`)."
        ))
    };
    if branch.is_empty() || branch.starts_with('-') {
        return Err(invalid());
    }
    let out = git(repo, ["check-ref-format", "--branch", branch]).await?;
    if out.status.success() {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// Refuses a branch name already used in the clone, in its remote-tracking refs or on the remote.
async fn ensure_new_branch(repo: &Path, remote: &str, branch: &str) -> CoreResult<()> {
    let exists = |what: &str| {
        CoreError::new(
            ErrorCode::Conflict,
            format!("A branch named “{branch}” already exists {what}. Choose another name for this launch."),
        )
    };
    let local = git(repo, ["show-ref", "--verify", "--quiet", &format!("refs/heads/{branch}")]).await?;
    if local.status.success() {
        return Err(exists("in the clone"));
    }
    let tracking = git(repo, ["show-ref", "--verify", "--quiet", &format!("refs/remotes/{remote}/{branch}")]).await?;
    if tracking.status.success() {
        return Err(exists(&format!("on {remote}")));
    }
    let listed = git(repo, ["ls-remote", "--exit-code", "--heads", remote, &format!("refs/heads/{branch}")]).await?;
    match listed.status.code() {
        Some(0) => Err(exists(&format!("on {remote}"))),
        Some(2) => Ok(()),
        // The remote cannot be asked now; the push will say why (and keep the commit).
        _ => {
            tracing::warn!(remote, "could not list the remote's branches before the launch");
            Ok(())
        }
    }
}

async fn has_identity(repo: &Path) -> CoreResult<bool> {
    let name = ok_text(git(repo, ["config", "--get", "user.name"]).await?);
    let email = ok_text(git(repo, ["config", "--get", "user.email"]).await?);
    Ok(name.is_some_and(|n| !n.is_empty()) && email.is_some_and(|e| !e.is_empty()))
}

fn checked_identity(name: &str, email: &str) -> CoreResult<(String, String)> {
    let (name, email) = (name.trim(), email.trim());
    let bad = |c: char| c.is_control() || c == '<' || c == '>';
    if name.is_empty() || name.chars().any(bad) {
        return Err(CoreError::invalid("Give the commit author a name (one line, without < or >)."));
    }
    if !email.contains('@') || email.chars().any(|c| bad(c) || c.is_whitespace()) {
        return Err(CoreError::invalid(format!("“{email}” is not an e-mail address for the commit author.")));
    }
    Ok((name.to_string(), email.to_string()))
}

pub fn git_command(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        // Paths are file names, never patterns.
        .env("GIT_LITERAL_PATHSPECS", "1")
        // `status` must not rewrite the operator's index.
        .env("GIT_OPTIONAL_LOCKS", "0")
        // git's messages are matched below; they must be in English.
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

pub fn spawn_error(e: &std::io::Error) -> CoreError {
    if e.kind() == std::io::ErrorKind::NotFound {
        CoreError::new(
            ErrorCode::ToolMissing,
            "git is not installed or not on PATH. Install git (https://git-scm.com/downloads) and try again.",
        )
    } else {
        CoreError::new(ErrorCode::ToolFailed, format!("git could not be started ({}).", e.kind()))
    }
}

fn git_sync<I, S>(dir: &Path, args: I) -> CoreResult<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    git_command(dir).args(args).output().map_err(|e| spawn_error(&e))
}

async fn git<I, S>(dir: &Path, args: I) -> CoreResult<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_os_string()).collect();
    let what = args.iter().find(|a| !a.to_string_lossy().starts_with('-') && !a.to_string_lossy().contains('='));
    let what = what.map(|a| a.to_string_lossy().into_owned()).unwrap_or_default();
    let mut cmd = tokio::process::Command::from(git_command(dir));
    cmd.args(&args).kill_on_drop(true);
    match tokio::time::timeout(GIT_TIMEOUT, cmd.output()).await {
        Ok(out) => out.map_err(|e| spawn_error(&e)),
        Err(_) => {
            let network = what == "push" || what == "ls-remote";
            Err(CoreError::new(
                if network { ErrorCode::Unreachable } else { ErrorCode::ToolFailed },
                format!("git {what} did not finish within {} s and was stopped.", GIT_TIMEOUT.as_secs()),
            ))
        }
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

fn ok_text(out: Output) -> Option<String> {
    out.status.success().then(|| text(&out.stdout)).filter(|t| !t.is_empty())
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// The last few meaningful lines git printed, credentials removed, joined for a message.
fn last_lines(stderr: &[u8]) -> String {
    let all = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = all.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("hint:")).collect();
    let tail = &lines[lines.len().saturating_sub(4)..];
    redact_credentials(&tail.join(" / "))
}

pub fn failure(what: &str, out: &Output) -> CoreError {
    let last = last_lines(&out.stderr);
    let said = if last.is_empty() { "nothing".to_string() } else { format!("“{last}”") };
    CoreError::new(ErrorCode::ToolFailed, format!("git {what} failed; it said {said}."))
}

/// Removes `user:token@` from every URL in `text` (remote URLs may carry a token).
pub fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"').unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => out.push_str(&authority[at + 1..]),
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_removed_from_urls() {
        assert_eq!(
            redact_credentials("fatal: unable to access 'https://bob:ghp_secret@github.com/org/repo.git/'"),
            "fatal: unable to access 'https://github.com/org/repo.git/'"
        );
        assert_eq!(
            redact_credentials("git@github.com:uc-cdis/gen3-gitops.git"),
            "git@github.com:uc-cdis/gen3-gitops.git"
        );
        assert_eq!(redact_credentials("file:///tmp/remote.git"), "file:///tmp/remote.git");
    }

    #[test]
    fn identities_are_checked() {
        assert!(checked_identity("Ann Operator", "ann@example.org").is_ok());
        assert!(checked_identity("Ann\nEvil", "ann@example.org").is_err());
        assert!(checked_identity("Ann", "not-an-address").is_err());
    }
}
