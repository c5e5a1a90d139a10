//! The commons wizard end to end in the core: answers become files, bad answers become findings,
//! imported commons (the real gen3-gitops and cdis-manifest files) come back out unchanged, and a
//! launch commits to a real bare repository and lands the commons in the inventory.

use std::path::{Path, PathBuf};
use std::process::Command;

use csoc_deploy::answers::{CommonsAnswers, DatabaseMode, Destination, HelmDestination, ProviderKind};
use csoc_deploy::cli::{read_answers, render};
use csoc_deploy::generate::generate;
use csoc_deploy::import::{import_path, ImportKind};
use csoc_deploy::launch::{launch, secret_name, LaunchControl, LaunchRequest};
use csoc_deploy::review::review;
use csoc_deploy::yaml::parse_yaml;
use csoc_deploy::{GeneratedFile, Severity};
use csoc_model::error::ErrorCode;
use csoc_model::model::{Environment, InventoryFilter};
use csoc_model::secret::{Secret, SecretKind};
use csoc_store::inventory;
use csoc_store::Store;
use csoc_vault::Vault;

// The wizard's steps as findings and the UI number them (1 = destination ... 8 = review).
const STEP_IDENTITY: u8 = 2;
const STEP_LOGIN: u8 = 5;

fn fixture(name: &str) -> PathBuf {
    csoc_test_support::fixtures().join("wizard").join(name)
}

fn reference() -> Option<PathBuf> {
    csoc_test_support::shared("gen3-reference")
}

fn dev_answers() -> CommonsAnswers {
    read_answers(&fixture("dev-commons.yaml")).expect("the fixture answers parse")
}

fn file<'a>(files: &'a [GeneratedFile], suffix: &str) -> &'a GeneratedFile {
    files.iter().find(|f| f.path.ends_with(suffix)).unwrap_or_else(|| panic!("no {suffix} in {files:?}"))
}

fn yaml_at<'a>(v: &'a serde_yaml_ng::Value, dotted: &str) -> Option<&'a serde_yaml_ng::Value> {
    dotted.split('.').try_fold(v, |cur, k| cur.get(k))
}

#[test]
fn dev_answers_become_a_gitops_folder_with_release_tags_and_no_secret() {
    let generated = generate(&dev_answers()).unwrap();
    let paths: Vec<&str> = generated.files.iter().map(|f| f.path.as_str()).collect();
    for expected in [
        "devcluster/qa-dev.example.org/Chart.yaml",
        "devcluster/qa-dev.example.org/values.yaml",
        "devcluster/qa-dev.example.org/templates/app.yaml",
        "devcluster/qa-dev.example.org/values/values.yaml",
        "devcluster/qa-dev.example.org/user.yaml",
        "devcluster/qa-dev.example.org/manifest.json",
    ] {
        assert!(paths.contains(&expected), "{expected} missing from {paths:?}");
    }
    let values = parse_yaml(&file(&generated.files, "values/values.yaml").contents, "values.yaml").unwrap();
    assert_eq!(yaml_at(&values, "global.hostname").and_then(|v| v.as_str()), Some("qa-dev.example.org"));
    assert_eq!(yaml_at(&values, "global.dev").and_then(|v| v.as_bool()), Some(true));
    assert_eq!(yaml_at(&values, "fence.image.tag").and_then(|v| v.as_str()), Some("2026.07"));
    assert_eq!(yaml_at(&values, "guppy.enabled").and_then(|v| v.as_bool()), Some(true));
    assert_eq!(yaml_at(&values, "indexd.defaultPrefix").and_then(|v| v.as_str()), Some("dg.QADV/"));
    // Ambassador is not on the monthly tags: its chart keeps its own image.
    assert!(yaml_at(&values, "ambassador.image.tag").is_none());
    let google = yaml_at(&values, "fence.FENCE_CONFIG.OPENID_CONNECT.google").expect("google login configured");
    assert_eq!(
        google.get("redirect_url").and_then(|v| v.as_str()),
        Some("https://qa-dev.example.org/user/login/google/login/")
    );
    for f in &generated.files {
        assert!(!f.contents.contains("client_secret"), "{} names a client secret value", f.path);
    }
    let app = parse_yaml(&file(&generated.files, "templates/app.yaml").contents, "app.yaml").unwrap();
    assert_eq!(yaml_at(&app, "kind").and_then(|v| v.as_str()), Some("Application"));
    assert_eq!(yaml_at(&app, "spec.destination.namespace").and_then(|v| v.as_str()), Some("qa-dev"));
    let user_yaml = &file(&generated.files, "user.yaml").contents;
    assert!(user_yaml.contains("admin@example.org") && user_yaml.contains("/programs/DEV/projects/test1"));
}

#[test]
fn bad_answers_are_findings_on_the_step_that_fixes_them() {
    let mut a = dev_answers();
    a.identity.hostname = "localhost".into();
    a.identity.release = "July 2026".into();
    let r = review(&a).unwrap();
    let codes: Vec<(u8, &str)> = r.findings.iter().map(|f| (f.step, f.finding.code.as_str())).collect();
    assert!(codes.contains(&(STEP_IDENTITY, "bad_hostname")), "{codes:?}");
    assert!(codes.contains(&(STEP_IDENTITY, "bad_release")), "{codes:?}");
    assert!(r.blocked);

    let mut ok = dev_answers();
    ok.destination = match ok.destination {
        Destination::Gitops(mut g) => {
            g.repo_path = "/tmp/not-used".into();
            Destination::Gitops(g)
        }
        other => other,
    };
    assert!(!review(&ok).unwrap().blocked, "the fixture itself passes: {:?}", review(&ok).unwrap().findings);
}

#[test]
fn production_security_findings_block_until_acknowledged() {
    let mut a = dev_answers();
    if let Destination::Gitops(g) = &mut a.destination {
        g.repo_path = "/tmp/not-used".into();
    }
    a.identity.environment = Environment::Production;
    a.login.mock_login = true;
    let r = review(&a).unwrap();
    let mock: Vec<_> =
        r.findings.iter().filter(|f| f.finding.key.as_deref().is_some_and(|k| k.contains("MOCK"))).collect();
    assert!(!mock.is_empty(), "mock login in production is reported: {:?}", r.findings);
    assert!(mock.iter().all(|f| f.finding.acknowledgeable && f.step == STEP_LOGIN));
    assert!(r.blocked);

    // Acknowledging every acknowledgeable error (mock login, the dev database) unblocks the launch.
    a.acknowledged = r.findings.iter().filter(|f| f.finding.acknowledgeable).map(|f| f.ack_id.clone()).collect();
    let again = review(&a).unwrap();
    assert!(!again.blocked, "{:?}", again.findings.iter().filter(|f| !f.acknowledged).collect::<Vec<_>>());

    a.database.mode = DatabaseMode::External;
    let r = review(&a).unwrap();
    let db = |r: &csoc_deploy::review::Review| {
        r.findings.iter().any(|f| f.finding.key.as_deref() == Some("database.password_secret_name"))
    };
    assert!(db(&r), "an external database needs its secret (or host)");
    a.database.password_secret_name = "prod-master-creds".into();
    assert!(!db(&review(&a).unwrap()), "the named secret is enough: it holds the host too");
}

/// A launch still blocked says how many problems, in words: "1 problem", "2 problems".
#[tokio::test]
async fn a_blocked_launch_counts_its_problems_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("cache.db")).unwrap();
    let mut a = dev_answers();
    if let Destination::Gitops(g) = &mut a.destination {
        g.repo_path = "/tmp/not-used".into();
    }
    a.identity.environment = Environment::Production;
    a.login.mock_login = true;
    let errors: Vec<String> = review(&a)
        .unwrap()
        .findings
        .into_iter()
        .filter(|f| f.finding.severity == Severity::Error && f.finding.acknowledgeable)
        .map(|f| f.ack_id)
        .collect();
    assert!(errors.len() >= 2, "mock login and the dev database in production: {errors:?}");
    for (left, said) in [(1, "1 problem must be fixed"), (2, "2 problems must be fixed")] {
        a.acknowledged = errors[left..].to_vec();
        let request = LaunchRequest {
            answers: a.clone(),
            confirmation: "qa-dev.example.org".into(),
            watch_secs: 0,
            draft_id: "d1".into(),
        };
        let err = launch(&store, &Vault::new(), &request, |_| {}, LaunchControl::default()).await.unwrap_err();
        assert!(err.message.starts_with(said), "{}", err.message);
    }
}

/// What the wizard does when a new commons is set to production (ui/src/lib/wizard/answers.ts
/// `applyProductionDefaults`): an external database and network policies on. With them (and the
/// operator's answers to the fields they open), nothing is left to acknowledge.
#[test]
fn production_defaults_leave_nothing_to_acknowledge() {
    let mut a = dev_answers();
    if let Destination::Gitops(g) = &mut a.destination {
        g.repo_path = "/tmp/not-used".into();
    }
    a.services.retain(|s| s != "gen3-network-policies");
    a.identity.environment = Environment::Production;
    let acknowledgeable = |a: &CommonsAnswers| -> Vec<String> {
        review(a)
            .unwrap()
            .findings
            .iter()
            .filter(|f| f.finding.acknowledgeable)
            .map(|f| f.finding.code.clone())
            .collect()
    };
    let before = acknowledgeable(&a);
    assert!(before.contains(&"dev_mode".to_string()), "{before:?}");
    assert!(before.contains(&"network_policies_off".to_string()), "{before:?}");

    a.database.mode = DatabaseMode::External;
    a.services.push("gen3-network-policies".into());
    a.database.password_secret_name = "prod-master-creds".into();
    assert_eq!(acknowledgeable(&a), Vec::<String>::new());
    assert!(!review(&a).unwrap().blocked, "{:?}", review(&a).unwrap().findings);
}

fn values_equal(a: &str, b: &str, what: &str) {
    let pa = parse_yaml(a, what).unwrap();
    let pb = parse_yaml(b, what).unwrap();
    assert_eq!(pa, pb, "{what} changed in the round trip");
}

#[test]
fn every_reference_gitops_folder_round_trips_through_the_wizard() {
    let Some(reference) = reference() else { return };
    let aids = reference.join("gen3-gitops/aids.diseasedatahub.org");
    let imported = import_path(&aids).unwrap();
    assert_eq!(imported.kind, ImportKind::GitopsFolder);
    assert_eq!(imported.answers.identity.hostname, "aids.diseasedatahub.org");
    assert_eq!(imported.answers.identity.release, "2026.04");
    assert!(imported.answers.services.iter().any(|s| s == "guppy"));
    let generated = generate(&imported.answers).unwrap();
    for name in ["Chart.yaml", "templates/app.yaml", "values/values.yaml", "values/fence.yaml", "values/guppy.yaml"] {
        let original = std::fs::read_to_string(aids.join(name)).unwrap();
        let out = file(&generated.files, &format!("aids.diseasedatahub.org/{name}"));
        values_equal(&original, &out.contents, name);
    }

    let ci = reference.join("gen3-gitops/ci-default");
    let imported = import_path(&ci).unwrap();
    let generated = generate(&imported.answers).unwrap();
    let original = std::fs::read_to_string(ci.join("values/values.yaml")).unwrap();
    values_equal(&original, &file(&generated.files, "values/values.yaml").contents, "ci-default values");

    let cluster = import_path(&reference.join("gen3-gitops/csoc/cluster-values/cluster-values.yaml")).unwrap();
    assert_eq!(cluster.kind, ImportKind::ClusterValues);
    assert!(!cluster.is_commons());
}

#[test]
fn every_reference_manifest_round_trips_through_the_wizard() {
    let Some(reference) = reference() else { return };
    for name in ["dataguids.org-manifest.json", "login.bionimbus.org-manifest.json", "releases-2025-09-manifest.json"] {
        let path = reference.join("cdis-manifest").join(name);
        let imported = import_path(&path).unwrap_or_else(|e| panic!("{name}: {}", e.message));
        assert!(imported.answers.legacy_manifest);
        let generated = generate(&imported.answers).unwrap();
        let out = file(&generated.files, "manifest.json");
        let original: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let back: serde_json::Value = serde_json::from_str(&out.contents).unwrap();
        assert_eq!(original, back, "{name} changed in the round trip");
    }
    let template = import_path(&reference.join("cdis-manifest/releases-2025-09-manifest.json")).unwrap();
    assert_eq!(template.kind, ImportKind::ReleaseTemplate);
    assert_eq!(template.answers.identity.release, "2025.09");
}

#[test]
fn render_writes_the_files_or_nothing() {
    let out = tempfile::tempdir().unwrap();
    let printed = render(&fixture("dev-commons.yaml"), out.path(), &[]).unwrap();
    assert!(printed.contains("values/values.yaml"), "{printed}");
    assert!(out.path().join("devcluster/qa-dev.example.org/templates/app.yaml").is_file());

    let bad_dir = tempfile::tempdir().unwrap();
    let bad = bad_dir.path().join("bad.yaml");
    let text = std::fs::read_to_string(fixture("dev-commons.yaml")).unwrap().replace("qa-dev.example.org", "qa dev");
    std::fs::write(&bad, text).unwrap();
    let target = bad_dir.path().join("out");
    let err = render(&bad, &target, &[]).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("nothing was written") && err.message.contains("hostname"), "{}", err.message);
    assert!(!target.exists(), "a refused render writes nothing");

    std::fs::write(&bad, "identity:\n  hostname: [unclosed\n").unwrap();
    let err = render(&bad, &target, &[]).unwrap_err();
    assert!(err.message.contains("line 2"), "a malformed answers file names the line: {}", err.message);
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn a_gitops_launch_pushes_a_branch_and_adds_the_commons() {
    let tmp = tempfile::tempdir().unwrap();
    let bare = tmp.path().join("gitops.git");
    let clone = tmp.path().join("clone");
    git(tmp.path(), &["init", "--bare", "-q", "-b", "master", bare.to_str().unwrap()]);
    git(tmp.path(), &["clone", "-q", bare.to_str().unwrap(), clone.to_str().unwrap()]);
    std::fs::write(clone.join("README.md"), "gitops\n").unwrap();
    git(&clone, &["add", "README.md"]);
    git(&clone, &["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "init"]);
    git(&clone, &["push", "-q", "origin", "master"]);

    let store = Store::open(&tmp.path().join("cache.db")).unwrap();
    let mut answers = dev_answers();
    if let Destination::Gitops(g) = &mut answers.destination {
        g.repo_path = clone.display().to_string();
    }
    // The fixture's provider says a secret is stored; this launch has none, and GitOps never needs it.
    answers.login.providers.iter_mut().for_each(|p| p.secret_stored = false);
    assert!(answers.login.providers.iter().all(|p| p.kind == ProviderKind::Google));

    let unconfirmed =
        LaunchRequest { answers: answers.clone(), confirmation: String::new(), watch_secs: 0, draft_id: "d1".into() };
    let vault = Vault::new();
    let err = launch(&store, &vault, &unconfirmed, |_| {}, LaunchControl::default()).await.unwrap_err();
    assert!(err.message.contains("not confirmed"), "{}", err.message);

    let request = LaunchRequest { confirmation: "qa-dev.example.org".into(), ..unconfirmed };
    let mut phases = Vec::new();
    let report = launch(&store, &vault, &request, |p| phases.push(p.phase), LaunchControl::default()).await.unwrap();
    let git_report = report.git.expect("a git launch");
    let log = git(&bare, &["log", "--format=%s", &git_report.branch]);
    assert!(log.starts_with("Add qa-dev.example.org commons at release 2026.07"), "{log}");
    let pushed =
        git(&bare, &["show", &format!("{}:devcluster/qa-dev.example.org/values/values.yaml", git_report.branch)]);
    assert!(pushed.contains("qa-dev.example.org"));
    assert_eq!(git(&clone, &["rev-parse", "--abbrev-ref", "HEAD"]), "master", "the operator's branch is restored");
    assert!(!phases.is_empty());

    let listed = inventory::list(&store, &InventoryFilter::default()).unwrap();
    let added =
        listed.commons.iter().find(|c| c.draft.base_url == "https://qa-dev.example.org").expect("in the inventory");
    assert_eq!(report.commons_id.as_deref(), Some(added.id.as_str()));
    assert_eq!(added.draft.expected_release.as_deref(), Some("2026.07"));
}

/// A `helm` that records its arguments and the client-secret overlay it was given.
fn recording_helm(dir: &Path) -> PathBuf {
    let log = dir.join("calls.log");
    let script = format!(
        "#!/bin/sh\nfor a in \"$@\"; do\n  echo \"arg: $a\" >> '{log}'\n  case \"$a\" in *gen3-csoc-secrets-*) cat \"$a\" >> '{log}';; esac\ndone\necho 'Release \"x\" has been upgraded.'\n",
        log = log.display()
    );
    let helm = dir.join("helm");
    std::fs::write(&helm, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    log
}

/// A helm launch hands the vault's client secret to helm in a private overlay under
/// `fence.FENCE_CONFIG` when the chart renders that block, and not at all when fence reads its
/// private configuration from the secret manager (the launch's notes name the entry instead).
#[tokio::test]
async fn a_helm_launch_sends_client_secrets_only_where_the_chart_renders_them() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = recording_helm(&bin);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.clone()];
    dirs.extend(std::env::split_paths(&path));
    std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());

    let store = Store::open(&tmp.path().join("cache.db")).unwrap();
    let vault = Vault::new();
    let draft = "helm-draft";
    let secret = Secret::new(SecretKind::ClientSecret, "google-client-secret-value".into());
    if let Err(e) = vault.store_named(&store, &secret_name(draft, "google"), &secret) {
        eprintln!("skipped: no keyring here ({}); CI runs this under gnome-keyring", e.message);
        return;
    }
    for external_secrets in [false, true] {
        let _ = std::fs::remove_file(&log);
        let out = tmp.path().join(format!("out-{external_secrets}"));
        std::fs::create_dir(&out).unwrap();
        let mut answers = dev_answers();
        answers.destination = Destination::Helm(HelmDestination {
            kube_context: "kind-qa".into(),
            namespace: "default".into(),
            release_name: "qa-dev".into(),
            output_dir: out.display().to_string(),
            ..Default::default()
        });
        answers.database.external_secrets = external_secrets;
        answers.login.providers.iter_mut().for_each(|p| p.secret_stored = true);
        let request =
            LaunchRequest { answers, confirmation: "qa-dev.example.org".into(), watch_secs: 0, draft_id: draft.into() };
        let report = launch(&store, &vault, &request, |_| {}, LaunchControl::default()).await.unwrap();
        let calls = std::fs::read_to_string(&log).unwrap();
        assert!(calls.contains("arg: upgrade"), "{calls}");
        if external_secrets {
            assert!(!calls.contains("gen3-csoc-secrets-"), "no overlay with External Secrets: {calls}");
            assert!(!calls.contains("google-client-secret-value"));
            assert!(
                report
                    .notes
                    .iter()
                    .any(|n| n.contains("`fence-config`") && n.contains("OPENID_CONNECT.google.client_secret")),
                "{:?}",
                report.notes
            );
        } else {
            let overlay = calls.split_once("google-client-secret-value").map(|(before, _)| before).expect(&calls);
            assert!(overlay.contains("FENCE_CONFIG:") && overlay.contains("client_secret:"), "{calls}");
            assert!(report.notes.is_empty(), "{:?}", report.notes);
        }
    }
}

/// Launching a commons already in the inventory (a mesh's hub, typed in another case) updates
/// that entry: its name stays and no second entry appears.
#[test]
fn a_launched_commons_already_in_the_inventory_is_not_added_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("cache.db")).unwrap();
    let hub = inventory::create(
        &store,
        &csoc_model::model::CommonsDraft::new("Data Hub", "https://hub.example.org/", Environment::Production),
    )
    .unwrap();
    let mut answers = dev_answers();
    answers.identity.name = "hub".into();
    answers.identity.hostname = " Hub.Example.org ".into();
    let landed = csoc_deploy::import::add_to_inventory(&store, &answers).unwrap();
    assert_eq!(landed.id, hub.id);
    assert_eq!(landed.draft.name, "Data Hub");
    assert_eq!(inventory::list(&store, &InventoryFilter::default()).unwrap().commons.len(), 1);
}

/// A bare remote and a clone of it on `master`, with one commit.
fn gitops_remote(tmp: &Path) -> (PathBuf, PathBuf) {
    let bare = tmp.join("gitops.git");
    let clone = tmp.join("clone");
    git(tmp, &["init", "--bare", "-q", "-b", "master", bare.to_str().unwrap()]);
    git(tmp, &["clone", "-q", bare.to_str().unwrap(), clone.to_str().unwrap()]);
    std::fs::write(clone.join("README.md"), "gitops\n").unwrap();
    git(&clone, &["add", "README.md"]);
    git(&clone, &["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "init"]);
    git(&clone, &["push", "-q", "origin", "master"]);
    (bare, clone)
}

/// Squash-merges `branch` into master on the remote, as a reviewer's "Squash and merge" does.
fn squash_merge(tmp: &Path, bare: &Path, branch: &str) {
    let reviewer = tmp.join("reviewer");
    git(tmp, &["clone", "-q", bare.to_str().unwrap(), reviewer.to_str().unwrap()]);
    git(&reviewer, &["merge", "--squash", "-q", &format!("origin/{branch}")]);
    git(&reviewer, &["-c", "user.name=r", "-c", "user.email=r@example.org", "commit", "-q", "-m", "Squashed"]);
    git(&reviewer, &["push", "-q", "origin", "master"]);
}

/// A GitOps launch that watches the commons first waits for its branch to be merged where Argo CD
/// deploys from: it stops waiting when the time is up, when the remote shows the files merged (a
/// squash merge too), or when the operator says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gitops_launch_waits_for_the_merge_before_watching() {
    use csoc_deploy::launch::MergeResult;
    let tmp = tempfile::tempdir().unwrap();
    let (bare, clone) = gitops_remote(tmp.path());
    let store = Store::open(&tmp.path().join("cache.db")).unwrap();
    let vault = Vault::new();
    let mut answers = dev_answers();
    if let Destination::Gitops(g) = &mut answers.destination {
        g.repo_path = clone.display().to_string();
    }
    answers.login.providers.iter_mut().for_each(|p| p.secret_stored = false);
    let request =
        LaunchRequest { answers, confirmation: "qa-dev.example.org".into(), watch_secs: 1, draft_id: "d1".into() };
    let fast = || LaunchControl { merge_poll: std::time::Duration::from_millis(100), ..LaunchControl::default() };

    // Nobody merges: the wait ends with the time, and nothing is watched.
    let mut phases = Vec::new();
    let report = launch(&store, &vault, &request, |p| phases.push(p.phase), fast()).await.unwrap();
    let merge = report.merge.expect("a merge wait");
    assert_eq!(merge.result, MergeResult::TimedOut, "{}", merge.message);
    assert_eq!(merge.into.as_deref(), Some("master"));
    assert!(report.watch.is_none());
    assert!(phases.contains(&csoc_deploy::launch::LaunchPhase::WaitingForMerge));

    // A reviewer squash-merges the branch while the launch waits: then the commons is watched.
    let waiting = LaunchRequest { watch_secs: 8, ..request.clone() };
    let control = fast();
    let (store2, bare2, tmp2) =
        (Store::open(&tmp.path().join("cache.db")).unwrap(), bare.clone(), tmp.path().to_path_buf());
    let launched = tokio::spawn(async move {
        let vault = Vault::new();
        launch(&store2, &vault, &waiting, |_| {}, control).await
    });
    let branch = loop {
        let listed = git(&bare2, &["branch", "--list", "gen3-csoc/*"]);
        let newest = listed.lines().map(|l| l.trim_start_matches(['*', ' ']).trim().to_string()).max();
        if let Some(b) = newest.filter(|b| b != &merge.branch) {
            break b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    squash_merge(&tmp2, &bare2, &branch);
    let report = launched.await.unwrap().unwrap();
    assert_eq!(report.merge.as_ref().map(|m| m.result), Some(MergeResult::Merged), "{:?}", report.merge);
    assert!(report.watch.is_some(), "merged, the commons is watched");

    // The operator says it was merged (for a remote the app cannot read): the watch begins.
    let control = fast();
    control.merged.cancel();
    let mut said = LaunchRequest { watch_secs: 1, ..request };
    said.answers.identity.release = "2026.08".into();
    let report = launch(&store, &vault, &said, |_| {}, control).await.unwrap();
    assert_eq!(report.merge.map(|m| m.result), Some(MergeResult::SaidMerged));
    assert!(report.watch.is_some());
}
