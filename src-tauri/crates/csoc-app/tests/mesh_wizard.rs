//! The mesh wizard in the core: a hub folder and simulated members become the hub's values (through
//! the commons review, diff included), the mapping preview reads real records with per-member
//! errors, and a saved mesh is what the mesh view checks.

use std::path::{Path, PathBuf};

use csoc_deploy::review::{review, FileChange};
use csoc_deploy::yaml::{get_path, parse_yaml};
use csoc_mesh::aggmds::{parse_aggmds, AggMdsConfig, MeshMemberSpec};
use csoc_mesh::view::mesh_health;
use csoc_mesh::wizard::{build, preview, save, targets, MeshAnswers, MeshHub, MeshMemberAnswer};
use csoc_model::model::{CommonsDraft, Environment, InventoryFilter};
use csoc_store::inventory;
use csoc_store::Store;
use gen3_sim::{CommonsSpec, Fault, Fleet, Service};

mod demo_sim;

/// The names the hub lists its commons under (`/mds/aggregate/commons`), in order.
fn commons_names(cfg: &AggMdsConfig) -> Vec<String> {
    cfg.adapter_commons.iter().map(|(name, a)| a.commons_name.clone().unwrap_or_else(|| name.clone())).collect()
}

use csoc_test_support::copy_dir;

/// A copy of the fixture hub folder in a temp dir, so the review diffs against real files.
fn hub_folder(tmp: &Path) -> PathBuf {
    let src = csoc_test_support::fixtures().join("deploy/gitops/demo/gen3.example.org");
    let dst = tmp.join("demo/gen3.example.org");
    copy_dir(&src, &dst);
    dst
}

fn member(fleet: &Fleet, name: &str, prefix: &str) -> MeshMemberAnswer {
    MeshMemberAnswer {
        commons_id: None,
        adapter: MeshMemberSpec {
            name: name.to_string(),
            base_url: fleet.base_url(name),
            mds_url: None,
            guid_type: None,
            study_field: None,
            field_mappings: None,
            select_field: None,
            keep_original_fields: false,
        },
        indexd_prefix: prefix.to_string(),
        wts_client_id: format!("wts-{name}"),
        login_through_hub: name == "alpha",
        hub_client_id: format!("fence-{name}"),
    }
}

fn answers(fleet: &Fleet, folder: &Path) -> MeshAnswers {
    MeshAnswers {
        name: "research mesh".into(),
        hub: MeshHub {
            commons_id: None,
            name: "Hub".into(),
            base_url: fleet.base_url("hub"),
            gitops_folder: folder.display().to_string(),
        },
        members: vec![member(fleet, "alpha", "dg.ALPH/"), member(fleet, "beta", "dg.BETA/")],
        aggmds_namespace: "research".into(),
        ..MeshAnswers::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mesh_goes_into_the_hub_values_through_the_commons_review() {
    let fleet =
        Fleet::start(vec![CommonsSpec::new("alpha"), CommonsSpec::new("beta"), CommonsSpec::new("hub")]).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let folder = hub_folder(tmp.path());
    let built = build(&answers(&fleet, &folder)).unwrap();

    let cfg = parse_aggmds(&built.aggmds_json, "built").unwrap();
    assert_eq!(commons_names(&cfg), ["alpha", "beta"]);
    assert_eq!(built.member_snippets.len(), 1, "only alpha logs in through the hub");
    assert!(built.member_snippets[0].yaml.contains("api_base_url"), "{}", built.member_snippets[0].yaml);

    let r = review(&built.hub).unwrap();
    let values = r.files.iter().find(|f| f.path.ends_with("values/values.yaml")).expect("the hub's values");
    assert_eq!(values.change, FileChange::Changed, "the hub's existing values file is edited, not replaced");
    assert!(values.diff.contains("+") && values.diff.contains("useAggMds"), "{}", values.diff);
    let parsed = parse_yaml(&values.contents, "values.yaml").unwrap();
    assert_eq!(get_path(&parsed, "metadata.useAggMds").and_then(|v| v.as_bool()), Some(true));
    assert_eq!(get_path(&parsed, "metadata.aggMdsNamespace").and_then(|v| v.as_str()), Some("research"));
    let written = get_path(&parsed, "metadata.aggMdsConfig").and_then(|v| v.as_str()).expect("config as a string");
    assert_eq!(commons_names(&parse_aggmds(written, "values").unwrap()), ["alpha", "beta"]);
    assert!(values.contents.contains("dg\\\\.ALPH") || values.contents.contains("dg\\.ALPH"), "indexd dist hint");
    assert!(!values.contents.contains("client_secret:"), "no secret value is written");
    fleet.shutdown().await;
}

/// A hub folder copied elsewhere still has an app.yaml that points Argo CD at the old folder: the
/// mesh would be written where nothing deploys it, and the build says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_folder_whose_app_points_elsewhere_is_named() {
    let fleet =
        Fleet::start(vec![CommonsSpec::new("alpha"), CommonsSpec::new("beta"), CommonsSpec::new("hub")]).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let codes = |folder: &Path| -> Vec<String> {
        build(&answers(&fleet, folder)).unwrap().findings.into_iter().map(|f| f.code).collect()
    };
    let in_place = hub_folder(tmp.path());
    assert!(!codes(&in_place).contains(&"app_folder_mismatch".to_string()), "{:?}", codes(&in_place));
    // Copied inside a clone, the folder's place in the repository is known, and it is not app.yaml's.
    let clone = tmp.path().join("clone");
    std::fs::create_dir_all(&clone).unwrap();
    let init = std::process::Command::new("git").args(["init", "-q"]).current_dir(&clone).status().unwrap();
    assert!(init.success());
    let moved = clone.join("copied/gen3.example.org");
    copy_dir(&in_place, &moved);
    let found = build(&answers(&fleet, &moved)).unwrap().findings;
    let mismatch = found.iter().find(|f| f.code == "app_folder_mismatch").expect("the moved folder is named");
    assert!(mismatch.message.contains("demo/gen3.example.org"), "{}", mismatch.message);
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_reads_each_member_and_isolates_the_one_that_fails() {
    let fleet = Fleet::start(vec![
        CommonsSpec::new("alpha").with_discovery_records(4),
        CommonsSpec::new("beta"),
        CommonsSpec::new("hub"),
    ])
    .await
    .unwrap();
    fleet.set_fault("beta", Some(Service::Metadata), Some(Fault::Garbage));
    let tmp = tempfile::tempdir().unwrap();
    let a = answers(&fleet, &hub_folder(tmp.path()));
    let previews = preview(&a, 3).await.unwrap();
    assert_eq!(previews.len(), 2);
    let alpha = previews.iter().find(|p| p.name == "alpha").unwrap();
    assert!(alpha.error.is_none(), "{:?}", alpha.error);
    assert_eq!(alpha.records.len(), 3, "the preview asks for 3 records");
    let beta = previews.iter().find(|p| p.name == "beta").unwrap();
    assert!(beta.records.is_empty() && beta.error.is_some(), "garbage metadata is beta's own error");
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_mesh_is_what_the_mesh_view_checks() {
    let fleet = Fleet::start(vec![
        CommonsSpec::new("alpha").with_discovery_records(2),
        CommonsSpec::new("beta").with_discovery_records(3),
        CommonsSpec::new("hub").aggregate_of(&["alpha"]),
    ])
    .await
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("cache.db")).unwrap();
    // alpha is in the inventory already; beta is external and gets added as an associated commons.
    let alpha =
        inventory::create(&store, &CommonsDraft::new("Alpha", fleet.base_url("alpha"), Environment::Dev)).unwrap();
    let mut a = answers(&fleet, &hub_folder(tmp.path()));
    a.members[0].commons_id = Some(alpha.id.clone());
    let mesh = save(&store, &a).unwrap();
    assert_eq!(mesh.members.len(), 3, "hub and both members: {mesh:?}");
    let listed =
        inventory::list(&store, &InventoryFilter { mesh: Some("research mesh".into()), ..Default::default() }).unwrap();
    assert_eq!(listed.commons.len(), 3);

    let (hub, members, configured) = targets(&store, "research mesh").unwrap();
    assert_eq!(hub.as_ref().map(|h| h.base_url.clone()), Some(fleet.base_url("hub")));
    assert_eq!(configured, ["alpha", "beta"], "the names the hub lists them under");
    let report = mesh_health(hub.as_ref(), &members, &configured, &Default::default()).await;
    let h = report.hub.as_ref().unwrap();
    assert_eq!(h.missing, ["beta"], "the hub does not aggregate beta yet");
    assert!(report.problems.iter().any(|p| p.contains("beta")), "{:?}", report.problems);
    assert!(targets(&store, "no such mesh").is_err());
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_mesh_has_a_hub_the_mesh_view_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("demo.db")).unwrap();
    demo_sim::build_simulator();
    let _demo = csoc_app::demo::start(&store, &csoc_vault::Vault::new()).await.unwrap();
    let (hub, members, configured) = targets(&store, "Demo mesh").unwrap();
    assert!(hub.is_some(), "the Biomedical Research Hub is the demo mesh's hub");
    let mut names = configured.clone();
    names.sort();
    assert_eq!(names, ["aids", "imaging"]);
    let report = mesh_health(hub.as_ref(), &members, &configured, &Default::default()).await;
    let aids = report.members.iter().find(|m| m.name == "aids").unwrap();
    assert!(aids.mds_reachable && aids.in_hub == Some(true), "{aids:?}");
    let imaging = report.members.iter().find(|m| m.name == "imaging").unwrap();
    assert!(!imaging.mds_reachable, "the demo's imaging hub has its metadata service down: {imaging:?}");
    assert!(!report.problems.is_empty());
}
