//! Two operators (two data folders) share one inventory through a real bare git repository: add,
//! edit, delete, merge of different fields and commons, conflicts shown with both values and
//! resolved, offline changes that wait, and files that hold inventory fields only.

use std::path::{Path, PathBuf};
use std::process::Command;

use csoc_model::error::ErrorCode;
use csoc_model::model::{Commons, CommonsDraft, Environment, InventoryFilter, Mesh};
use csoc_store::inventory;
use csoc_store::{Store, DB_FILE};
use csoc_team::{self as team, Keep, TeamJoin, TeamResolve};

struct Team {
    dir: tempfile::TempDir,
    alice: Store,
    bob: Store,
}

impl Team {
    fn remote(&self) -> PathBuf {
        self.dir.path().join("remote.git")
    }

    /// A file of the remote's main branch, or `None` when it is not there.
    fn remote_file(&self, rel: &str) -> Option<String> {
        let out = git(&self.remote(), &["show", &format!("main:csoc/inventory/{rel}")]);
        out.status.success().then(|| String::from_utf8(out.stdout).unwrap())
    }

    fn remote_files(&self) -> Vec<String> {
        let out = git(&self.remote(), &["ls-tree", "-r", "--name-only", "main"]);
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
    }

    fn last_message(&self) -> String {
        String::from_utf8(git(&self.remote(), &["log", "-1", "--format=%an: %B", "main"]).stdout).unwrap()
    }
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs")
}

fn setup() -> Option<Team> {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("SKIPPED: git is not installed (scripts/test.sh installs it)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("remote.git");
    let out = Command::new("git").args(["init", "-q", "--bare", "-b", "main"]).arg(&remote).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let alice = Store::open(&dir.path().join("alice").join(DB_FILE)).unwrap();
    let bob = Store::open(&dir.path().join("bob").join(DB_FILE)).unwrap();
    Some(Team { dir, alice, bob })
}

fn join(store: &Store, remote: &Path, name: &str) -> team::SyncReport {
    team::join(
        store,
        &TeamJoin {
            repo: remote.display().to_string(),
            folder: None,
            name: Some(name.into()),
            email: Some(format!("{name}@csoc.example.org")),
        },
    )
    .unwrap()
}

fn sync(store: &Store) -> team::SyncReport {
    let report = team::sync(store).unwrap();
    assert_eq!(report.offline, None);
    report
}

fn draft(name: &str, host: &str) -> CommonsDraft {
    CommonsDraft {
        owner: "data team".into(),
        ..CommonsDraft::new(name, format!("https://{host}"), Environment::Production)
    }
}

fn find(store: &Store, host: &str) -> Option<Commons> {
    inventory::list(store, &InventoryFilter::default()).unwrap().commons.into_iter().find(|c| c.host() == host)
}

fn edit(store: &Store, host: &str, change: impl FnOnce(&mut CommonsDraft)) {
    let c = find(store, host).unwrap();
    let mut d = c.draft.clone();
    change(&mut d);
    inventory::update(store, &c.id, &d).unwrap();
}

#[test]
fn two_operators_share_adds_edits_and_deletes_through_one_bare_repository() {
    let Some(t) = setup() else { return };
    // Alice had an inventory before joining: joining shares it.
    inventory::create(&t.alice, &draft("AIDS Data Hub", "aids.diseasedatahub.org")).unwrap();
    let first = join(&t.alice, &t.remote(), "alice");
    assert_eq!((first.pushed, first.pulled, first.conflicts), (1, 0, 0));
    assert!(first.commit.is_some());
    let file = t.remote_file("commons/aids.diseasedatahub.org.yaml").expect("one file per commons");
    assert!(file.starts_with("# Gen3 CSOC team inventory"), "{file}");
    assert!(
        t.last_message().starts_with("alice: Inventory: add AIDS Data Hub (aids.diseasedatahub.org)"),
        "{}",
        t.last_message()
    );

    // The file is readable YAML holding the inventory fields and nothing else.
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&file).unwrap();
    let mut keys: Vec<String> = yaml.as_mapping().unwrap().keys().map(|k| k.as_str().unwrap().to_string()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "base_url",
            "ca_pem",
            "contact",
            "deployment",
            "environment",
            "expected_release",
            "id",
            "meshes",
            "name",
            "notes",
            "owner",
            "relation",
            "tags"
        ]
    );
    assert_eq!(yaml["owner"].as_str(), Some("data team"));

    // Bob joins and gets it, under the same id.
    let bob_join = join(&t.bob, &t.remote(), "bob");
    assert_eq!((bob_join.pulled, bob_join.pushed), (1, 0));
    let (a, b) = (find(&t.alice, "aids.diseasedatahub.org").unwrap(), find(&t.bob, "aids.diseasedatahub.org").unwrap());
    assert_eq!((a.id, a.draft), (b.id, b.draft));

    // Bob adds a commons and a mesh; Alice edits the first one: both land on both sides.
    inventory::create(&t.bob, &CommonsDraft { meshes: vec!["brh".into()], ..draft("BRH", "brh.data-commons.org") })
        .unwrap();
    inventory::save_mesh(
        &t.bob,
        &Mesh { name: "brh".into(), description: "BioData Catalyst mesh".into(), members: vec![] },
    )
    .unwrap();
    edit(&t.alice, "aids.diseasedatahub.org", |d| d.notes = "rotated the fence keys".into());
    let r = sync(&t.bob);
    assert_eq!(r.pushed, 2, "a commons and a mesh: {r:?}");
    let r = sync(&t.alice);
    assert_eq!((r.pulled, r.pushed), (2, 1), "{r:?}");
    assert!(t.last_message().contains("edit AIDS Data Hub (aids.diseasedatahub.org): notes"), "{}", t.last_message());
    sync(&t.bob);
    assert_eq!(find(&t.bob, "aids.diseasedatahub.org").unwrap().draft.notes, "rotated the fence keys");
    assert_eq!(find(&t.alice, "brh.data-commons.org").unwrap().draft.meshes, ["brh"]);
    let meshes = inventory::list(&t.alice, &InventoryFilter::default()).unwrap().meshes;
    assert_eq!(meshes[0].description, "BioData Catalyst mesh");
    assert!(t.remote_file("meshes/brh.yaml").unwrap().contains("BioData Catalyst mesh"));

    // Different fields of the same commons merge.
    edit(&t.alice, "brh.data-commons.org", |d| d.owner = "platform".into());
    edit(&t.bob, "brh.data-commons.org", |d| d.contact = "oncall@brh.example.org".into());
    sync(&t.alice);
    let r = sync(&t.bob);
    assert_eq!(r.conflicts, 0);
    sync(&t.alice);
    for store in [&t.alice, &t.bob] {
        let c = find(store, "brh.data-commons.org").unwrap();
        assert_eq!((c.draft.owner.as_str(), c.draft.contact.as_str()), ("platform", "oncall@brh.example.org"));
    }

    // A new host renames the file; a delete removes it on both sides.
    edit(&t.bob, "brh.data-commons.org", |d| d.base_url = "https://brh.example.org".into());
    sync(&t.bob);
    assert!(t.remote_file("commons/brh.data-commons.org.yaml").is_none());
    assert!(t.remote_file("commons/brh.example.org.yaml").is_some());
    let id = find(&t.alice, "aids.diseasedatahub.org").unwrap().id;
    inventory::delete(&t.alice, &id).unwrap();
    assert_eq!(team::status(&t.alice).unwrap().pending, 1, "the delete waits for a sync");
    sync(&t.alice);
    assert!(t.last_message().contains("delete AIDS Data Hub"), "{}", t.last_message());
    sync(&t.bob);
    assert!(find(&t.bob, "aids.diseasedatahub.org").is_none());
    assert_eq!(find(&t.alice, "brh.example.org").unwrap().draft.contact, "oncall@brh.example.org");
    assert_eq!(t.remote_files(), ["csoc/inventory/commons/brh.example.org.yaml", "csoc/inventory/meshes/brh.yaml"]);
    assert_eq!(team::status(&t.bob).unwrap().pending, 0);
}

#[test]
fn the_same_field_changed_on_both_sides_is_a_conflict_shown_with_both_values_and_resolved() {
    let Some(t) = setup() else { return };
    join(&t.alice, &t.remote(), "alice");
    join(&t.bob, &t.remote(), "bob");
    inventory::create(&t.alice, &draft("Kids First", "kidsfirst.example.org")).unwrap();
    sync(&t.alice);
    sync(&t.bob);

    edit(&t.alice, "kidsfirst.example.org", |d| {
        d.contact = "alice@kf.example.org".into();
        d.notes = "alice's note".into();
    });
    edit(&t.bob, "kidsfirst.example.org", |d| d.contact = "bob@kf.example.org".into());
    sync(&t.alice);
    let r = sync(&t.bob);
    assert_eq!(r.conflicts, 1, "{r:?}");
    let status = team::status(&t.bob).unwrap();
    let c = &status.conflicts[0];
    assert_eq!(
        (c.field.as_str(), c.mine.as_str(), c.theirs.as_str()),
        ("contact", "bob@kf.example.org", "alice@kf.example.org")
    );
    assert_eq!((c.mine_by.as_str(), c.theirs_by.as_str()), ("bob", "alice"));
    assert!(c.theirs_at.is_some() && c.mine_at.is_some(), "{c:?}");
    // Nothing is lost while it is open: Bob keeps his value, the repository keeps Alice's, and the
    // field that did not conflict merged.
    let bob_kf = find(&t.bob, "kidsfirst.example.org").unwrap();
    assert_eq!((bob_kf.draft.contact.as_str(), bob_kf.draft.notes.as_str()), ("bob@kf.example.org", "alice's note"));
    assert!(t.remote_file("commons/kidsfirst.example.org.yaml").unwrap().contains("alice@kf.example.org"));
    // Syncing again changes nothing and keeps the conflict.
    let again = sync(&t.bob);
    assert_eq!((again.conflicts, again.pushed), (1, 0));

    team::resolve(
        &t.bob,
        &TeamResolve { kind: "commons".into(), key: c.key.clone(), field: "contact".into(), keep: Keep::Mine },
    )
    .unwrap();
    let r = sync(&t.bob);
    assert_eq!((r.conflicts, r.pushed), (0, 1), "{r:?}");
    sync(&t.alice);
    assert_eq!(find(&t.alice, "kidsfirst.example.org").unwrap().draft.contact, "bob@kf.example.org");
    let err = team::resolve(
        &t.bob,
        &TeamResolve { kind: "commons".into(), key: c.key.clone(), field: "contact".into(), keep: Keep::Mine },
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn a_delete_against_an_edit_is_a_conflict_and_keeping_the_edit_restores_the_commons() {
    let Some(t) = setup() else { return };
    join(&t.alice, &t.remote(), "alice");
    join(&t.bob, &t.remote(), "bob");
    inventory::create(&t.alice, &draft("VA Data Commons", "va.example.org")).unwrap();
    sync(&t.alice);
    sync(&t.bob);
    let id = find(&t.alice, "va.example.org").unwrap().id;
    inventory::delete(&t.alice, &id).unwrap();
    edit(&t.bob, "va.example.org", |d| d.owner = "VA team".into());
    sync(&t.bob);
    let r = sync(&t.alice);
    assert_eq!(r.conflicts, 1);
    let c = team::status(&t.alice).unwrap().conflicts.remove(0);
    assert_eq!((c.field.as_str(), c.mine.as_str()), ("*", "(deleted)"));
    assert!(c.theirs.contains("VA team"), "{}", c.theirs);
    assert!(find(&t.alice, "va.example.org").is_none(), "Alice's delete stands here until she resolves");
    assert!(t.remote_file("commons/va.example.org.yaml").unwrap().contains("VA team"), "Bob's edit is not lost");

    team::resolve(
        &t.alice,
        &TeamResolve { kind: "commons".into(), key: id.clone(), field: "*".into(), keep: Keep::Theirs },
    )
    .unwrap();
    assert_eq!(find(&t.alice, "va.example.org").unwrap().draft.owner, "VA team");
    let r = sync(&t.alice);
    assert_eq!((r.conflicts, r.pushed), (0, 0));
    assert_eq!(team::status(&t.alice).unwrap().pending, 0);
}

#[test]
fn offline_changes_wait_and_are_pushed_when_the_repository_is_back() {
    let Some(t) = setup() else { return };
    join(&t.alice, &t.remote(), "alice");
    inventory::create(&t.alice, &draft("Offline Commons", "offline.example.org")).unwrap();
    let away = t.dir.path().join("remote-away.git");
    std::fs::rename(t.remote(), &away).unwrap();
    let r = team::sync(&t.alice).unwrap();
    assert!(r.offline.as_deref().is_some_and(|m| m.contains("could not reach")), "{r:?}");
    assert_eq!(r.pending, 1);
    let status = team::status(&t.alice).unwrap();
    assert!(status.offline && status.last_error.is_some() && status.pending == 1, "{status:?}");
    assert!(find(&t.alice, "offline.example.org").is_some(), "the change is kept here");

    std::fs::rename(&away, t.remote()).unwrap();
    let r = sync(&t.alice);
    assert_eq!((r.pushed, r.pending), (1, 0));
    let filter = csoc_store::activity::ActivityFilter {
        kind: Some(csoc_store::activity::ActivityKind::TeamSync),
        ..Default::default()
    };
    let logged: Vec<String> =
        csoc_store::activity::list(&t.alice, &filter).unwrap().into_iter().map(|e| e.summary).collect();
    assert!(logged[0].contains("1 shared") && logged[1].contains("waits"), "newest first: {logged:?}");
    let status = team::status(&t.alice).unwrap();
    assert!(!status.offline && status.last_error.is_none(), "{status:?}");
    assert!(t.remote_file("commons/offline.example.org.yaml").is_some());
}

#[test]
fn a_broken_file_in_the_repository_stops_the_sync_and_changes_nothing_here() {
    let Some(t) = setup() else { return };
    join(&t.alice, &t.remote(), "alice");
    inventory::create(&t.alice, &draft("Good", "good.example.org")).unwrap();
    sync(&t.alice);
    // Someone edits the repository by hand and breaks a file.
    let hand = t.dir.path().join("hand");
    assert!(Command::new("git").arg("clone").arg("-q").arg(t.remote()).arg(&hand).status().unwrap().success());
    std::fs::write(hand.join("csoc/inventory/commons/good.example.org.yaml"), "id: x\nname: [unclosed\n").unwrap();
    for args in
        [&["add", "-A"][..], &["-c", "user.name=h", "-c", "user.email=h@x", "commit", "-qm", "oops"], &["push", "-q"]]
    {
        assert!(git(&hand, args).status.success());
    }
    edit(&t.alice, "good.example.org", |d| d.notes = "mine".into());
    let err = team::sync(&t.alice).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("commons/good.example.org.yaml"), "{}", err.message);
    assert_eq!(find(&t.alice, "good.example.org").unwrap().draft.notes, "mine");
    let status = team::status(&t.alice).unwrap();
    assert_eq!(status.pending, 1);
    assert!(
        !status.offline && status.last_error.unwrap().contains("good.example.org.yaml"),
        "a broken file is not offline"
    );
}

#[test]
fn the_same_commons_added_separately_on_both_sides_is_refused_before_anything_is_shared() {
    let Some(t) = setup() else { return };
    join(&t.alice, &t.remote(), "alice");
    join(&t.bob, &t.remote(), "bob");
    inventory::create(&t.alice, &draft("Data Hub", "datahub.example.org")).unwrap();
    inventory::create(&t.bob, &draft("Data Hub (mine)", "datahub.example.org")).unwrap();
    sync(&t.alice);
    let before = t.remote_files();
    let err = team::sync(&t.bob).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("added on both sides separately"), "{}", err.message);
    assert_eq!(t.remote_files(), before, "nothing was pushed");
    assert_eq!(find(&t.bob, "datahub.example.org").unwrap().draft.name, "Data Hub (mine)");
    // Bob deletes his copy and takes the team's.
    let id = find(&t.bob, "datahub.example.org").unwrap().id;
    inventory::delete(&t.bob, &id).unwrap();
    let r = sync(&t.bob);
    assert_eq!(r.pulled, 1);
    assert_eq!(find(&t.bob, "datahub.example.org").unwrap().draft.name, "Data Hub");
}

#[test]
fn the_command_line_joins_syncs_and_lists_conflicts_with_the_resolve_command() {
    use csoc_app::cli::{Command as Cli, KeepArg, TeamCommand};
    let Some(t) = setup() else { return };
    let paths = |who: &str| csoc_model::paths::AppPaths::resolve(Some(t.dir.path().join(who)));
    let run = |who: &str, command: TeamCommand| {
        let mut out = Vec::new();
        csoc_app::cli::run(&Cli::Team(command), &paths(who), &mut out).map(|()| String::from_utf8(out).unwrap())
    };
    let joined = |name: &str| TeamCommand::Join {
        repo: t.remote().display().to_string(),
        folder: "csoc/inventory".into(),
        name: Some(name.into()),
        email: Some(format!("{name}@x.org")),
    };
    inventory::create(&t.alice, &draft("Kids First", "kf.example.org")).unwrap();
    assert!(run("alice", joined("alice"))
        .unwrap()
        .starts_with("Synced: 0 taken from the team repository, 1 shared in commit"));
    assert!(run("bob", joined("bob")).unwrap().starts_with("Synced: 1 taken"));
    edit(&t.alice, "kf.example.org", |d| d.owner = "alice's team".into());
    edit(&t.bob, "kf.example.org", |d| d.owner = "bob's team".into());
    run("alice", TeamCommand::Sync).unwrap();
    assert!(run("bob", TeamCommand::Sync).unwrap().contains("1 conflict to resolve"));
    let status = run("bob", TeamCommand::Status { json: false }).unwrap();
    assert!(status.contains("CONFLICT commons"), "{status}");
    assert!(status.contains("mine (bob") && status.contains("bob's team"), "{status}");
    assert!(status.contains("theirs (alice") && status.contains("alice's team"), "{status}");
    let id = find(&t.bob, "kf.example.org").unwrap().id;
    assert!(status.contains(&format!("gen3-csoc team resolve commons {id} 'owner' --keep mine|theirs")), "{status}");
    run("bob", TeamCommand::Resolve { kind: "commons".into(), key: id, field: "owner".into(), keep: KeepArg::Theirs })
        .unwrap();
    assert_eq!(find(&t.bob, "kf.example.org").unwrap().draft.owner, "alice's team");
    assert!(run("bob", TeamCommand::Status { json: false }).unwrap().contains("No local change is waiting."));
    // Offline, the command fails (exit code) and says the changes wait.
    std::fs::rename(t.remote(), t.dir.path().join("gone.git")).unwrap();
    edit(&t.bob, "kf.example.org", |d| d.notes = "later".into());
    let err = run("bob", TeamCommand::Sync).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unreachable);
    assert!(err.message.contains("1 local change waits"), "{}", err.message);
}
