//! Launching a commons: files written all or nothing, the GitOps commit and push against a real
//! bare repository, `helm` runs through fake helm scripts (no real helm exists here), the watch of
//! a simulated commons that comes up service by service, and wizard drafts in a real cache file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::drafts::{self, Draft, DraftKind};
use crate::git_launch::{argo_summary, commit_and_push, gitops_status, FALLBACK_AUTHOR};
use crate::helm_launch::{helm_args, run_helm, HelmLine, HelmStream, HelmTarget, DEFAULT_REPO_URL};
use crate::output::{read_existing, write_atomically};
use crate::watch::{watch_until_healthy, WatchOptions, WatchProgress, WatchResult};
use crate::GeneratedFile;
use csoc_model::error::ErrorCode;
use csoc_monitor::probe::ServiceState;
use csoc_monitor::sweep::SweepTarget;
use csoc_store::{Store, DB_FILE};
use gen3_sim::{CommonsSpec, Fleet, Service};
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn file(path: &str, contents: &str) -> GeneratedFile {
    GeneratedFile { path: path.into(), contents: contents.into() }
}

/// Every file under `dir` (relative paths, sorted), `.git` excluded.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            // A symbolic link is listed, not followed.
            if std::fs::symlink_metadata(&p).unwrap().is_dir() {
                out.push(format!("{rel}/"));
                walk(root, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

// ------------------------------------------------------------------------------------------------
// output.rs

#[test]
fn writes_every_file_creating_folders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let files = vec![
        file("prod/example.org/Chart.yaml", "name: example.org\n"),
        file("prod/example.org/values/values.yaml", "global:\n  hostname: example.org\n"),
        file("README.md", "# fleet\n"),
    ];
    let written = write_atomically(dir.path(), &files).unwrap();
    assert_eq!(written, files.iter().map(|f| dir.path().join(&f.path)).collect::<Vec<_>>());
    for f in &files {
        assert_eq!(std::fs::read_to_string(dir.path().join(&f.path)).unwrap(), f.contents);
    }
    assert_eq!(
        tree(dir.path()),
        [
            "README.md",
            "keep.txt",
            "prod/",
            "prod/example.org/",
            "prod/example.org/Chart.yaml",
            "prod/example.org/values/",
            "prod/example.org/values/values.yaml"
        ],
        "no temporary file is left behind"
    );
    let existing = read_existing(dir.path(), &[file("README.md", ""), file("nope.yaml", ""), file("../x", "")]);
    assert_eq!(existing, vec![Some("# fleet\n".to_string()), None, None]);
}

#[test]
fn a_failure_midway_leaves_the_tree_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("values")).unwrap();
    std::fs::write(dir.path().join("values/values.yaml"), "old: true\n").unwrap();
    std::fs::write(dir.path().join("blocker"), "a file where a folder is needed").unwrap();
    let before = tree(dir.path());
    let files = vec![
        file("values/values.yaml", "new: true\n"),
        file("templates/app.yaml", "kind: Application\n"),
        file("blocker/inside.yaml", "x: 1\n"),
    ];
    let err = write_atomically(dir.path(), &files).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid, "{}", err.message);
    assert!(err.message.contains("blocker") && err.message.contains("Nothing was written"), "{}", err.message);
    assert_eq!(tree(dir.path()), before, "no temporary file and no new folder may remain");
    assert_eq!(std::fs::read_to_string(dir.path().join("values/values.yaml")).unwrap(), "old: true\n");
}

#[test]
fn bad_paths_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
    let cases = [
        ("../escape.yaml", "climbs out"),
        ("/etc/gen3.yaml", "absolute"),
        ("values/", "does not name a file"),
        ("link/values.yaml", "leads outside"),
    ];
    for (bad, why) in cases {
        let err = write_atomically(dir.path(), &[file("ok.yaml", "a: 1\n"), file(bad, "b: 2\n")]).unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid, "{bad}");
        assert!(err.message.contains(why), "{bad}: {}", err.message);
        assert_eq!(tree(dir.path()), ["link"], "{bad}: nothing may be written");
    }
    assert!(tree(outside.path()).is_empty());
    let twice = write_atomically(dir.path(), &[file("a.yaml", "1"), file("./a.yaml", "2")]).unwrap_err();
    assert!(twice.message.contains("listed twice"), "{}", twice.message);
    let missing = write_atomically(&dir.path().join("absent"), &[file("a.yaml", "1")]).unwrap_err();
    assert_eq!(missing.code, ErrorCode::Io);
}

// ------------------------------------------------------------------------------------------------
// git_launch.rs

/// git must not read the machine's or the user's configuration (identity, default branch, hooks).
fn isolate_git() {
    // Every test sets the same values, so tests running in parallel do not disturb each other.
    std::env::set_var("GIT_CONFIG_GLOBAL", "/dev/null");
    std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Remote {
    dir: tempfile::TempDir,
}

impl Remote {
    fn bare(&self) -> PathBuf {
        self.dir.path().join("gen3-gitops.git")
    }
    fn clone_dir(&self) -> PathBuf {
        self.dir.path().join("clone")
    }
    fn remote_git(&self, args: &[&str]) -> String {
        let mut full = vec!["--git-dir".to_string(), self.bare().to_string_lossy().into_owned()];
        full.extend(args.iter().map(|a| a.to_string()));
        let out = Command::new("git").args(&full).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

/// A bare repository and a clone of it with one pushed commit (README.md, values/shared.yaml).
fn gitops_remote() -> Remote {
    isolate_git();
    let dir = tempfile::tempdir().unwrap();
    let r = Remote { dir };
    git(r.dir.path(), &["init", "--quiet", "--bare", "gen3-gitops.git"]);
    git(r.dir.path(), &["clone", "--quiet", "gen3-gitops.git", "clone"]);
    let clone = r.clone_dir();
    std::fs::write(clone.join("README.md"), "# gen3-gitops\n").unwrap();
    std::fs::create_dir(clone.join("values")).unwrap();
    std::fs::write(clone.join("values/shared.yaml"), "shared: true\n").unwrap();
    git(&clone, &["add", "."]);
    git(&clone, &["-c", "user.name=Init", "-c", "user.email=init@example.org", "commit", "--quiet", "-m", "init"]);
    git(&clone, &["push", "--quiet", "origin", "HEAD"]);
    r
}

const APP_YAML: &str = "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: gen3-example
  namespace: argocd
spec:
  project: default
  sources:
    - path: helm/gen3
      repoURL: https://github.com/uc-cdis/gen3-helm
      targetRevision: master
      helm:
        releaseName: example
        valueFiles:
          - $values/prod/example.org/values/values.yaml
    - repoURL: https://github.com/uc-cdis/gen3-gitops.git
      targetRevision: master
      ref: values
  destination:
    server: https://kubernetes.default.svc
    namespace: examplehelm
";

fn commons_files() -> Vec<GeneratedFile> {
    vec![
        file("prod/example.org/Chart.yaml", "apiVersion: v2\nname: example.org\nversion: 0.0.1\n"),
        file("prod/example.org/values/values.yaml", "global:\n  hostname: example.org\n"),
        file("prod/example.org/templates/app.yaml", APP_YAML),
    ]
}

#[tokio::test]
async fn commit_and_push_puts_the_folder_on_a_new_remote_branch_and_leaves_the_checkout_alone() {
    let r = gitops_remote();
    let clone = r.clone_dir();
    let original_branch = git(&clone, &["symbolic-ref", "--short", "HEAD"]);
    let original_head = git(&clone, &["rev-parse", "HEAD"]);
    // The operator's work in progress: a modified file, a staged file, an untracked file.
    std::fs::write(clone.join("README.md"), "# gen3-gitops\nediting...\n").unwrap();
    std::fs::write(clone.join("staged.yaml"), "staged: 1\n").unwrap();
    git(&clone, &["add", "staged.yaml"]);
    std::fs::write(clone.join("notes.txt"), "todo\n").unwrap();
    let status = gitops_status(&clone).unwrap();
    assert!(!status.clean);
    assert_eq!(status.remote_name, "origin");

    let files = commons_files();
    let launch = commit_and_push(&clone, &files, "launch/example.org", "Launch example.org", None).await.unwrap();

    assert_eq!(launch.branch, "launch/example.org");
    assert_eq!(launch.remote, "origin");
    assert_eq!(launch.remote_url, r.bare().to_string_lossy());
    assert_eq!(launch.files, files.iter().map(|f| f.path.clone()).collect::<Vec<_>>());
    assert_eq!(launch.commit.len(), 40);
    let argo = launch.argo_app.expect("the Argo CD application is summarised");
    assert_eq!(argo.name, "gen3-example");
    assert_eq!(argo.namespace.as_deref(), Some("examplehelm"));
    assert_eq!(argo.value_files, ["$values/prod/example.org/values/values.yaml"]);
    assert_eq!(argo.values_revision.as_deref(), Some("master"));

    // The remote has the branch, at that commit, holding exactly the generated files.
    assert_eq!(r.remote_git(&["rev-parse", "refs/heads/launch/example.org"]), launch.commit);
    assert_eq!(r.remote_git(&["rev-parse", &format!("{}^", launch.commit)]), original_head);
    let changed = r.remote_git(&["diff-tree", "--no-commit-id", "--name-only", "-r", &launch.commit]);
    let mut expected: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    expected.sort();
    assert_eq!(changed.lines().collect::<Vec<_>>(), expected, "only the generated files are committed");
    for f in &files {
        assert_eq!(r.remote_git(&["show", &format!("launch/example.org:{}", f.path)]) + "\n", f.contents);
    }
    assert_eq!(r.remote_git(&["log", "-1", "--format=%an <%ae>|%s", "launch/example.org"]), {
        format!("{} <{}>|Launch example.org", FALLBACK_AUTHOR.0, FALLBACK_AUTHOR.1)
    });

    // The clone: same branch, same HEAD, the operator's changes as they were, the upstream set.
    assert_eq!(git(&clone, &["symbolic-ref", "--short", "HEAD"]), original_branch);
    assert_eq!(git(&clone, &["rev-parse", "HEAD"]), original_head);
    assert_eq!(std::fs::read_to_string(clone.join("README.md")).unwrap(), "# gen3-gitops\nediting...\n");
    assert_eq!(std::fs::read_to_string(clone.join("notes.txt")).unwrap(), "todo\n");
    assert_eq!(git(&clone, &["diff", "--cached", "--name-only"]), "staged.yaml", "the staged file stays staged");
    assert!(!clone.join("prod").exists(), "the commons folder lives on the new branch only");
    assert_eq!(git(&clone, &["rev-parse", "launch/example.org"]), launch.commit);
    assert_eq!(git(&clone, &["config", "branch.launch/example.org.remote"]), "origin");
    assert_eq!(git(&clone, &["worktree", "list", "--porcelain"]).matches("worktree ").count(), 1);
}

#[tokio::test]
async fn the_clones_identity_or_the_given_author_is_used() {
    let r = gitops_remote();
    let clone = r.clone_dir();
    git(&clone, &["config", "user.name", "Ann Operator"]);
    git(&clone, &["config", "user.email", "ann@example.org"]);
    commit_and_push(&clone, &commons_files(), "ann", "by ann", None).await.unwrap();
    assert_eq!(r.remote_git(&["log", "-1", "--format=%an <%ae>", "ann"]), "Ann Operator <ann@example.org>");
    let author = Some(("Bo Ops".to_string(), "bo@example.org".to_string()));
    commit_and_push(&clone, &commons_files(), "bo", "by bo", author).await.unwrap();
    assert_eq!(r.remote_git(&["log", "-1", "--format=%an <%ae>", "bo"]), "Bo Ops <bo@example.org>");
}

#[tokio::test]
async fn paths_are_relative_to_the_chosen_folder_of_the_clone() {
    let r = gitops_remote();
    let clone = r.clone_dir();
    std::fs::create_dir(clone.join("unfunded")).unwrap();
    std::fs::write(clone.join("unfunded/draft.txt"), "untracked").unwrap();
    let files = vec![file("example.org/values/values.yaml", "global:\n  hostname: example.org\n")];
    let launch = commit_and_push(&clone.join("unfunded"), &files, "sub", "in a subfolder", None).await.unwrap();
    assert_eq!(launch.files, ["example.org/values/values.yaml"]);
    assert!(launch.argo_app.is_none());
    let changed = r.remote_git(&["diff-tree", "--no-commit-id", "--name-only", "-r", &launch.commit]);
    assert_eq!(changed, "unfunded/example.org/values/values.yaml");
    assert_eq!(std::fs::read_to_string(clone.join("unfunded/draft.txt")).unwrap(), "untracked");
}

#[tokio::test]
async fn an_existing_branch_is_refused_locally_and_on_the_remote() {
    let r = gitops_remote();
    let clone = r.clone_dir();
    git(&clone, &["branch", "taken"]);
    let err = commit_and_push(&clone, &commons_files(), "taken", "x", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("“taken” already exists in the clone"), "{}", err.message);

    // Another operator pushed "theirs"; this clone has not fetched it.
    git(r.dir.path(), &["clone", "--quiet", "gen3-gitops.git", "other"]);
    git(&r.dir.path().join("other"), &["push", "--quiet", "origin", "HEAD:refs/heads/theirs"]);
    let err = commit_and_push(&clone, &commons_files(), "theirs", "x", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("on origin"), "{}", err.message);
    let branches = git(&clone, &["branch", "--list", "theirs"]);
    assert!(branches.is_empty(), "no local branch is left behind");

    let err = commit_and_push(&clone, &commons_files(), "bad name", "x", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    let err = commit_and_push(&clone, &commons_files(), "-f", "x", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
}

#[tokio::test]
async fn a_failed_push_keeps_the_commit_on_the_local_branch_and_says_where() {
    let r = gitops_remote();
    let clone = r.clone_dir();
    std::fs::remove_dir_all(r.bare()).unwrap();
    let err = commit_and_push(&clone, &commons_files(), "launch/lost-remote", "Launch", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unreachable, "{}", err.message);
    assert!(err.message.contains("saved on the local branch “launch/lost-remote”"), "{}", err.message);
    assert!(err.message.contains("could not be reached"), "{}", err.message);
    let kept = git(&clone, &["show", "launch/lost-remote:prod/example.org/values/values.yaml"]);
    assert_eq!(kept + "\n", commons_files()[1].contents);
    assert_eq!(git(&clone, &["symbolic-ref", "--short", "HEAD"]), git(&clone, &["rev-parse", "--abbrev-ref", "HEAD"]));
    assert!(!clone.join("prod").exists());
}

#[tokio::test]
async fn files_identical_to_the_clone_are_not_committed_and_leave_no_branch() {
    let r = gitops_remote();
    let clone = r.clone_dir();
    let same = vec![file("values/shared.yaml", "shared: true\n")];
    let err = commit_and_push(&clone, &same, "noop", "nothing", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("nothing to commit"), "{}", err.message);
    assert!(git(&clone, &["branch", "--list", "noop"]).is_empty());
    let broken = vec![file("x/templates/app.yaml", "kind: Application\nmetadata: [\n")];
    let err = commit_and_push(&clone, &broken, "broken", "x", None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("x/templates/app.yaml") && err.message.contains("line"), "{}", err.message);
}

#[test]
fn status_reports_clones_and_refuses_what_is_not_one() {
    let r = gitops_remote();
    let clone = r.clone_dir();
    let st = gitops_status(&clone).unwrap();
    assert!(st.clean);
    assert_eq!(st.head.as_deref(), Some(git(&clone, &["rev-parse", "HEAD"]).as_str()));
    assert_eq!(st.branch, Some(git(&clone, &["symbolic-ref", "--short", "HEAD"])));
    std::fs::write(clone.join("new.txt"), "x").unwrap();
    assert!(!gitops_status(&clone).unwrap().clean);

    git(&clone, &["remote", "set-url", "origin", "https://bob:s3cr3t-token@git.example.org/gen3-gitops.git"]);
    let st = gitops_status(&clone).unwrap();
    assert_eq!(st.remote_url, "https://git.example.org/gen3-gitops.git", "credentials never leave git");

    let plain = tempfile::tempdir().unwrap();
    let err = gitops_status(plain.path()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("is not a git repository"), "{}", err.message);

    git(plain.path(), &["init", "--quiet", "lonely"]);
    let err = gitops_status(&plain.path().join("lonely")).unwrap_err();
    assert!(err.message.contains("has no remote"), "{}", err.message);
    let err = gitops_status(&plain.path().join("absent")).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn argo_summary_reads_the_real_gen3_gitops_application() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/gen3-reference/gen3-gitops/aids.diseasedatahub.org/templates/app.yaml");
    let Ok(yaml) = std::fs::read_to_string(&path) else {
        println!("skipped: {} is absent (the Gen3 reference files are only in CI)", path.display());
        return;
    };
    let app = argo_summary(&yaml).unwrap();
    assert_eq!(app.name, "gen3-charlie");
    assert_eq!(app.namespace.as_deref(), Some("charliehelm"));
    assert_eq!(app.release_name.as_deref(), Some("charlie"));
    assert_eq!(app.server.as_deref(), Some("https://kubernetes.default.svc"));
    assert_eq!(app.value_files.len(), 5);
    assert_eq!(app.value_files[0], "$values/unfunded/aids.diseasedatahub.org/values/values.yaml");
    assert_eq!(app.values_revision.as_deref(), Some("master"));

    let err = argo_summary("kind: ConfigMap\nmetadata:\n  name: x\n").unwrap_err();
    assert!(err.message.contains("not an Argo CD Application"), "{}", err.message);
}

// ------------------------------------------------------------------------------------------------
// helm_launch.rs

#[test]
fn helm_arguments_are_exact() {
    let values = Path::new("/tmp/gen3/values.yaml");
    let minimal = HelmTarget::new("gen3-test", "gen3-test");
    assert_eq!(
        helm_args(&minimal, values).unwrap(),
        [
            "upgrade",
            "--install",
            "gen3-test",
            "gen3",
            "--repo",
            "https://helm.gen3.org",
            "--namespace",
            "gen3-test",
            "--create-namespace",
            "-f",
            "/tmp/gen3/values.yaml",
            "--wait",
            "--timeout",
            "20m"
        ]
    );
    let full = HelmTarget {
        kube_context: Some("arn:aws:eks:us-east-1:123456789012:cluster/prod".into()),
        namespace: "examplehelm".into(),
        release_name: "example".into(),
        chart_version: Some("0.3.90".into()),
        repo_url: DEFAULT_REPO_URL.into(),
        chart: "gen3".into(),
    };
    assert_eq!(
        helm_args(&full, values).unwrap(),
        [
            "upgrade",
            "--install",
            "example",
            "gen3",
            "--repo",
            "https://helm.gen3.org",
            "--version",
            "0.3.90",
            "--namespace",
            "examplehelm",
            "--create-namespace",
            "--kube-context",
            "arn:aws:eks:us-east-1:123456789012:cluster/prod",
            "-f",
            "/tmp/gen3/values.yaml",
            "--wait",
            "--timeout",
            "20m"
        ]
    );
    let from_ui: HelmTarget = serde_json::from_value(
        json!({"kube_context": null, "namespace": "n", "release_name": "r", "chart_version": null}),
    )
    .unwrap();
    assert_eq!(from_ui, HelmTarget::new("r", "n"), "repository and chart default to gen3's");

    let injected = HelmTarget::new("--post-renderer=/tmp/evil", "gen3");
    assert_eq!(helm_args(&injected, values).unwrap_err().code, ErrorCode::Invalid);
    let bad_ns = HelmTarget::new("gen3", "Prod_NS");
    assert!(helm_args(&bad_ns, values).unwrap_err().message.contains("namespace"));
    let bad_ctx = HelmTarget { kube_context: Some("-x".into()), ..HelmTarget::new("gen3", "gen3") };
    assert!(helm_args(&bad_ctx, values).is_err());
    let bad_repo = HelmTarget { repo_url: "file:///etc".into(), ..HelmTarget::new("gen3", "gen3") };
    assert!(helm_args(&bad_repo, values).is_err());
}

#[tokio::test]
async fn a_missing_helm_says_how_to_install_it() {
    let empty = tempfile::tempdir().unwrap();
    let err = run_helm(&empty.path().join("bin/helm"), &[], |_| {}, CancellationToken::new()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolMissing);
}

/// Writes an executable `helm` script into `dir`.
fn fake_helm(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("helm");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Runs a fake helm. A script just written can be "busy" for a moment while another test's
/// fork still holds the write handle; that is the test's race, not the code's, so try again.
async fn run_fake(
    helm: &Path,
    args: &[String],
    cancel: CancellationToken,
    on_line: impl FnMut(HelmLine) + Clone,
) -> csoc_model::error::CoreResult<crate::helm_launch::HelmOutcome> {
    for _ in 0..20 {
        match run_helm(helm, args, on_line.clone(), cancel.clone()).await {
            Err(e) if e.message.contains("busy") => tokio::time::sleep(Duration::from_millis(50)).await,
            other => return other,
        }
    }
    panic!("the fake helm stayed busy");
}

#[tokio::test]
async fn helm_output_streams_line_by_line_before_it_exits() {
    let dir = tempfile::tempdir().unwrap();
    let helm = fake_helm(
        dir.path(),
        r#"echo "Release \"$3\" does not exist. Installing it now."
sleep 0.4
echo "waiting for pods" >&2
sleep 0.4
echo "  password: hunter2"
echo "STATUS: deployed""#,
    );
    let args = helm_args(&HelmTarget::new("gen3-test", "gen3-test"), Path::new("/tmp/values.yaml")).unwrap();
    let started = Instant::now();
    let lines: Arc<Mutex<Vec<(Duration, HelmLine)>>> = Arc::default();
    let sink = lines.clone();
    let outcome = run_fake(&helm, &args, CancellationToken::new(), move |l| {
        sink.lock().unwrap().push((started.elapsed(), l));
    })
    .await
    .unwrap();
    let total = started.elapsed();
    assert_eq!(outcome.exit_code, Some(0));
    assert!(!outcome.cancelled);
    let lines = lines.lock().unwrap().clone();
    let seen: Vec<(HelmStream, &str)> = lines.iter().map(|(_, l)| (l.stream, l.text.as_str())).collect();
    assert_eq!(
        seen,
        [
            (HelmStream::Stdout, "Release \"gen3-test\" does not exist. Installing it now."),
            (HelmStream::Stderr, "waiting for pods"),
            (HelmStream::Stdout, "  password: <redacted>"),
            (HelmStream::Stdout, "STATUS: deployed"),
        ]
    );
    assert!(lines[0].0 + Duration::from_millis(600) < total, "the first line arrived as printed: {lines:?} {total:?}");
    assert!(lines[1].0 + Duration::from_millis(250) < total, "stderr streams too: {lines:?} {total:?}");
}

fn is_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // A zombie waiting for a reaper (PID 1 in a container may never reap) is not running.
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// Runs the fake `helm` and cancels the run as soon as it prints `started`.
async fn cancelled_once_started(helm: &Path) -> crate::helm_launch::HelmOutcome {
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    run_fake(helm, &[], cancel, move |l| {
        if l.text == "started" {
            trigger.cancel();
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn cancel_stops_helm_and_its_children_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("child.pid");
    let helm = fake_helm(dir.path(), &format!("sleep 30 &\necho $! > {}\necho started\nwait", pidfile.display()));
    let started = Instant::now();
    let outcome = cancelled_once_started(&helm).await;
    assert!(outcome.cancelled);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    let child = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    let deadline = Instant::now() + Duration::from_secs(2);
    while !is_gone(&child) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(is_gone(&child), "helm's child {child} must be stopped too");
}

#[tokio::test]
async fn a_helm_that_ignores_sigterm_is_killed_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let helm = fake_helm(dir.path(), "trap '' TERM\necho started\nwhile true; do sleep 0.1; done");
    let started = Instant::now();
    let outcome = cancelled_once_started(&helm).await;
    assert!(outcome.cancelled);
    assert_eq!(outcome.exit_code, None, "killed by a signal");
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(4) && took < Duration::from_secs(9), "took {took:?}");
}

#[tokio::test]
async fn an_unreachable_cluster_and_other_failures_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let helm = fake_helm(
        dir.path(),
        r#"echo 'Error: Kubernetes cluster unreachable: Get "https://10.1.2.3:6443/version": dial tcp 10.1.2.3:6443: connect: connection refused' >&2
exit 1"#,
    );
    let err = run_fake(&helm, &[], CancellationToken::new(), |_| {}).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unreachable);
    assert!(err.message.contains("could not reach the Kubernetes cluster"), "{}", err.message);
    assert!(err.message.contains("10.1.2.3:6443"), "{}", err.message);

    let other = tempfile::tempdir().unwrap();
    let helm = fake_helm(
        other.path(),
        "echo 'Release \"gen3\" does not exist. Installing it now.'\n\
         echo 'Error: INSTALLATION FAILED: context deadline exceeded' >&2\nexit 1",
    );
    let err = run_fake(&helm, &[], CancellationToken::new(), |_| {}).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolFailed);
    assert!(err.message.contains("exit code 1"), "{}", err.message);
    assert!(err.message.contains("INSTALLATION FAILED: context deadline exceeded"), "{}", err.message);
}

// ------------------------------------------------------------------------------------------------
// watch.rs

fn target(fleet: &Fleet, name: &str) -> SweepTarget {
    SweepTarget { commons_id: name.into(), base_url: fleet.base_url(name), api_key: None, ca_pem: None }
}

fn fast(timeout: Duration, expected: Option<&[&str]>) -> WatchOptions {
    WatchOptions {
        interval: Duration::from_millis(100),
        timeout,
        expected: expected.map(|e| e.iter().map(|s| s.to_string()).collect()),
        request_timeout: Duration::from_secs(2),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_sees_a_commons_come_up_and_ends_healthy() {
    let spec = CommonsSpec {
        services: vec![Service::Revproxy, Service::Fence, Service::Indexd, Service::Metadata, Service::Portal],
        ..CommonsSpec::new("newcomer")
    };
    let fleet = Fleet::start(vec![spec]).await.unwrap();
    fleet.coming_up("newcomer", Duration::from_millis(300));
    let seen: Arc<Mutex<Vec<WatchProgress>>> = Arc::default();
    let sink = seen.clone();
    let outcome = watch_until_healthy(
        target(&fleet, "newcomer"),
        fast(Duration::from_secs(15), Some(&["fence", "indexd", "metadata", "portal", "arborist"])),
        move |p| sink.lock().unwrap().push(p.clone()),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(outcome.result, WatchResult::Healthy, "{}", outcome.message);
    let seen = seen.lock().unwrap().clone();
    let counts: Vec<u32> = seen.iter().map(|p| p.healthy).collect();
    assert_eq!(seen[0].healthy, 0, "nothing is up at first: {counts:?}");
    assert_eq!(seen[0].services[0].state, ServiceState::Down, "revproxy answers 502 at first");
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "progress only grows: {counts:?}");
    let mut distinct = counts.clone();
    distinct.dedup();
    assert!(distinct.len() >= 3, "progress is seen service by service: {counts:?}");
    let last = seen.last().unwrap();
    assert_eq!((last.healthy, last.expected), (5, 5));
    assert_eq!(
        last.services.iter().map(|s| s.service.as_str()).collect::<Vec<_>>(),
        ["revproxy", "fence", "indexd", "metadata", "portal"]
    );
    assert!(last.waiting_for.is_empty());
    assert_eq!(last.not_checked, ["arborist"]);
    assert_eq!(outcome.progress.as_ref(), Some(last));
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_times_out_naming_the_services_still_down() {
    let spec = CommonsSpec {
        services: vec![Service::Revproxy, Service::Fence, Service::Sheepdog, Service::Indexd],
        ..CommonsSpec::new("slowpoke")
    };
    let fleet = Fleet::start(vec![spec]).await.unwrap();
    // revproxy is up at 0.4 s, fence at 0.8 s, sheepdog at 1.2 s, indexd at 1.6 s; the watch gives
    // up at 1.1 s, with revproxy and fence up and indexd not.
    fleet.coming_up("slowpoke", Duration::from_millis(400));
    let started = Instant::now();
    let outcome = watch_until_healthy(
        target(&fleet, "slowpoke"),
        fast(Duration::from_millis(1100), Some(&["fence", "indexd"])),
        |_| {},
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1100) && took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(outcome.result, WatchResult::TimedOut, "{}", outcome.message);
    let last = outcome.progress.clone().unwrap();
    assert_eq!(last.waiting_for, ["indexd"]);
    assert_eq!((last.healthy, last.expected), (2, 3));
    assert!(outcome.message.contains("2 of 3 services"), "{}", outcome.message);
    // gen3-helm's revproxy answers "service failure" for a service still starting.
    assert!(
        outcome.message.contains("indexd (indexd fails: the revproxy answers “service failure - try again later”"),
        "{}",
        outcome.message
    );
    assert!(!outcome.message.contains("fence ("), "fence is up: {}", outcome.message);
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_list_the_deployed_services_are_waited_for() {
    let spec =
        CommonsSpec { services: vec![Service::Revproxy, Service::Fence, Service::Indexd], ..CommonsSpec::new("small") };
    let fleet = Fleet::start(vec![spec]).await.unwrap();
    let outcome = watch_until_healthy(
        target(&fleet, "small"),
        fast(Duration::from_secs(10), None),
        |_| {},
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(outcome.result, WatchResult::Healthy, "{}", outcome.message);
    let p = outcome.progress.unwrap();
    assert_eq!(p.attempts, 1);
    assert_eq!(
        p.services.iter().map(|s| s.service.as_str()).collect::<Vec<_>>(),
        ["revproxy", "fence", "indexd"],
        "services answering 404 are not deployed and not waited for"
    );
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_stops_when_cancelled_and_reports_an_unreachable_commons() {
    let fleet = Fleet::start(vec![CommonsSpec::new("booting")]).await.unwrap();
    fleet.coming_up("booting", Duration::from_secs(60));
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let started = Instant::now();
    let outcome = watch_until_healthy(
        target(&fleet, "booting"),
        fast(Duration::from_secs(30), None),
        move |_| trigger.cancel(),
        cancel,
    )
    .await
    .unwrap();
    assert_eq!(outcome.result, WatchResult::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(outcome.progress.unwrap().attempts, 1);

    // Nothing listens on this port any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let nowhere = SweepTarget {
        commons_id: "nowhere".into(),
        base_url: format!("http://127.0.0.1:{closed}"),
        api_key: None,
        ca_pem: None,
    };
    let outcome =
        watch_until_healthy(nowhere, fast(Duration::from_millis(300), None), |_| {}, CancellationToken::new())
            .await
            .unwrap();
    assert_eq!(outcome.result, WatchResult::TimedOut);
    assert!(!outcome.progress.unwrap().reachable);
    assert!(outcome.message.contains("could still not be reached"), "{}", outcome.message);
    fleet.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// drafts.rs

fn draft(title: &str, step: u32, answers: serde_json::Value) -> Draft {
    Draft { id: String::new(), kind: DraftKind::Commons, title: title.into(), step, answers, updated_at: 0 }
}

#[test]
fn drafts_are_saved_resumed_after_reopening_listed_newest_first_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let answers = json!({"hostname": "example.org", "services": ["fence", "indexd"], "global": {"dev": false}});
    let (first, second) = {
        let store = Store::open(&path).unwrap();
        let first = drafts::save(&store, &draft("example.org", 2, answers.clone())).unwrap();
        assert!(!first.id.is_empty());
        assert!(first.updated_at > 0);
        let second = drafts::save(
            &store,
            &Draft { kind: DraftKind::Mesh, ..draft("brh mesh", 1, json!({"members": ["a", "b"]})) },
        )
        .unwrap();
        (first, second)
    };

    // The app was closed; offline, the wizard resumes where it was.
    let store = Store::open(&path).unwrap();
    let resumed = drafts::get(&store, &first.id).unwrap();
    assert_eq!(resumed, first);
    assert_eq!(resumed.answers, answers);
    let list = drafts::list(&store).unwrap();
    assert_eq!(list.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), [second.id.as_str(), first.id.as_str()]);
    assert_eq!(list[0].kind, DraftKind::Mesh);

    // One more step of the first draft: same id, newer, on top of the list.
    let mut next = resumed.clone();
    next.step = 3;
    next.answers["database"] = json!({"external": true});
    let saved = drafts::save(&store, &next).unwrap();
    assert_eq!(saved.id, first.id);
    assert!(saved.updated_at > second.updated_at);
    let list = drafts::list(&store).unwrap();
    assert_eq!(list[0].id, first.id);
    assert_eq!(list[0].step, 3);
    assert_eq!(list.len(), 2);
    assert_eq!(drafts::get(&store, &first.id).unwrap().answers["database"]["external"], json!(true));

    drafts::delete(&store, &first.id).unwrap();
    assert_eq!(drafts::list(&store).unwrap().len(), 1);
    assert_eq!(drafts::get(&store, &first.id).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(drafts::delete(&store, &first.id).unwrap_err().code, ErrorCode::NotFound);

    let untitled = drafts::save(&store, &draft("  ", 0, json!({}))).unwrap();
    assert_eq!(untitled.title, "Untitled commons");
}

#[test]
fn a_draft_holding_a_secret_is_refused_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let cases = [
        (json!({"auth": {"client_id": "abc", "client_secret": "very-secret-value"}}), "auth.client_secret"),
        (
            json!({"global": {"postgres": {"master": {"password": "very-secret-value"}}}}),
            "global.postgres.master.password",
        ),
        (json!({"members": [{"url": "https://a.org", "api_key": "very-secret-value"}]}), "members[0].api_key"),
    ];
    for (answers, at) in cases {
        let err = drafts::save(&store, &draft("example.org", 4, answers)).unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid);
        assert!(err.message.contains(at), "{}", err.message);
        assert!(!err.message.contains("very-secret-value"), "the secret must not be echoed: {}", err.message);
    }
    assert!(drafts::list(&store).unwrap().is_empty());
    // Secret *names* (Kubernetes secrets referred to) and empty fields are fine.
    let ok = json!({"auth": {"client_secret": ""}, "externalSecrets": {"dbcreds": "fence-dbcreds"}, "password": null});
    drafts::save(&store, &draft("example.org", 4, ok)).unwrap();
}
