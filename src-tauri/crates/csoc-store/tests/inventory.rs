//! Inventory CRUD, validation and the filtered fleet list, through the public API over a real
//! SQLite file in a temporary directory.

use std::thread::sleep;
use std::time::Duration;

use csoc_model::error::ErrorCode;
use csoc_model::model::{
    now_ms, Commons, CommonsDraft, Deployment, Environment, InventoryFilter, Mesh, Relation, SortKey,
};
use csoc_store::inventory;
use csoc_store::{Store, DB_FILE};
use tempfile::TempDir;

fn open() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    (dir, store)
}

fn draft(name: &str, url: &str, environment: Environment) -> CommonsDraft {
    CommonsDraft::new(name, url, environment)
}

fn all(store: &Store) -> Vec<Commons> {
    inventory::list(store, &InventoryFilter::default()).unwrap().commons
}

fn names(store: &Store, filter: InventoryFilter) -> Vec<String> {
    inventory::list(store, &filter).unwrap().commons.into_iter().map(|c| c.draft.name).collect()
}

fn search(store: &Store, text: &str) -> Vec<String> {
    let mut found = names(store, InventoryFilter { search: text.into(), sort: SortKey::Name, ..Default::default() });
    found.sort();
    found
}

/// Waits until the millisecond clock has moved, so timestamps written after this differ.
fn tick() {
    let start = now_ms();
    while now_ms() <= start {
        sleep(Duration::from_millis(1));
    }
}

#[test]
fn create_get_update_delete() {
    let (_dir, store) = open();
    let mut prod = draft("  AIDS Data Hub ", "https://AIDS.diseasedatahub.org/", Environment::Production);
    prod.owner = "Platform team".into();
    prod.contact = "ops@example.org".into();
    prod.notes = "Primary commons.\n\n".into();
    prod.expected_release = Some("2025.09".into());
    prod.deployment = Deployment::Gitops { folder: " unfunded/aids.diseasedatahub.org ".into() };
    let staging = draft("Staging Hub", "staging.example.org:8443", Environment::Staging);

    let a = inventory::create(&store, &prod).unwrap();
    let b = inventory::create(&store, &staging).unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(a.created_at, a.updated_at);

    // Stored normalized.
    assert_eq!(a.draft.name, "AIDS Data Hub");
    assert_eq!(a.draft.base_url, "https://aids.diseasedatahub.org");
    assert_eq!(a.draft.notes, "Primary commons.");
    assert_eq!(a.draft.deployment, Deployment::Gitops { folder: "unfunded/aids.diseasedatahub.org".into() });
    assert_eq!(a.host(), "aids.diseasedatahub.org");
    assert_eq!(b.draft.base_url, "https://staging.example.org:8443");

    // What create returned is what the cache holds.
    assert_eq!(inventory::get(&store, &a.id).unwrap(), a);
    assert_eq!(inventory::get(&store, &b.id).unwrap(), b);
    let listed = all(&store);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, a.id, "production first");

    tick();
    let mut changed = staging.clone();
    changed.name = "Staging Hub 2".into();
    changed.relation = Relation::Associated;
    changed.expected_release = Some("2024.12".into());
    changed.deployment = Deployment::Kube { context: "stage-ctx".into(), namespace: "gen3-stage".into() };
    let b2 = inventory::update(&store, &b.id, &changed).unwrap();
    assert_eq!(b2.id, b.id);
    assert_eq!(b2.created_at, b.created_at, "created_at is kept on update");
    assert!(b2.updated_at > b.updated_at, "updated_at moves on update");
    let read = inventory::get(&store, &b.id).unwrap();
    assert_eq!(read, b2);
    assert_eq!(read.draft.name, "Staging Hub 2");
    assert_eq!(read.draft.relation, Relation::Associated);
    assert_eq!(read.draft.expected_release.as_deref(), Some("2024.12"));
    assert_eq!(inventory::get(&store, &a.id).unwrap(), a, "the other commons is untouched");

    inventory::delete(&store, &a.id).unwrap();
    assert_eq!(inventory::get(&store, &a.id).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(inventory::delete(&store, &a.id).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(inventory::update(&store, &a.id, &prod).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(all(&store), vec![b2]);
}

#[test]
fn duplicate_base_url_is_a_conflict_on_create_and_update() {
    let (_dir, store) = open();
    let a = inventory::create(&store, &draft("Alpha", "alpha.example.org", Environment::Production)).unwrap();
    let b = inventory::create(&store, &draft("Beta", "beta.example.org", Environment::Dev)).unwrap();
    let before = inventory::list(&store, &InventoryFilter::default()).unwrap();

    // Same URL written differently still collides after normalization.
    let dup = draft("Alpha again", "HTTPS://Alpha.Example.org/", Environment::Staging);
    let err = inventory::create(&store, &dup).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{}", err.message);
    assert!(err.message.contains("Alpha"), "the message names the holder: {}", err.message);

    let err = inventory::update(&store, &b.id, &dup).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{}", err.message);
    assert_eq!(inventory::get(&store, &b.id).unwrap(), b, "failed update left beta alone");

    let after = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(after.commons, before.commons);
    assert_eq!(after.freshness, before.freshness, "a refused write does not count as a change");

    // Validation as the user types.
    let errors = inventory::validate(&store, None, &dup).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "base_url");
    assert!(errors[0].message.contains("Alpha"), "{}", errors[0].message);
    let errors = inventory::validate(&store, Some(&b.id), &dup).unwrap();
    assert_eq!(errors.iter().filter(|e| e.field == "base_url").count(), 1, "{errors:?}");
    // Editing alpha itself: its own URL is not a duplicate.
    assert_eq!(inventory::validate(&store, Some(&a.id), &dup).unwrap(), vec![]);
    // Updating alpha with its own URL is fine.
    let a2 = inventory::update(&store, &a.id, &dup).unwrap();
    assert_eq!(a2.draft.name, "Alpha again");
    // A fresh URL validates clean.
    let fresh = draft("Gamma", "gamma.example.org", Environment::Other);
    assert_eq!(inventory::validate(&store, None, &fresh).unwrap(), vec![]);
}

#[test]
fn validate_reports_field_problems_without_writing() {
    let (_dir, store) = open();
    let mut bad = draft("  ", "not a host", Environment::Production);
    bad.expected_release = Some("2025.13".into());
    let errors = inventory::validate(&store, None, &bad).unwrap();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["name", "base_url", "expected_release"]);
    assert_eq!(inventory::list(&store, &InventoryFilter::default()).unwrap().total, 0);
}

#[test]
fn invalid_draft_is_refused_and_nothing_is_written() {
    let (_dir, store) = open();
    let bad_drafts = [
        draft("", "ok.example.org", Environment::Dev),
        draft("Bad host", "bad host!.example.org", Environment::Dev),
        draft("Plain http", "http://data.example.org", Environment::Dev),
        draft("With path", "https://data.example.org/user", Environment::Dev),
        {
            let mut d = draft("Bad namespace", "ns.example.org", Environment::Dev);
            d.deployment = Deployment::Kube { context: "ctx".into(), namespace: "Bad_NS".into() };
            d
        },
        {
            let mut d = draft("Bad tag", "tag.example.org", Environment::Dev);
            d.tags = vec!["a,b".into()];
            d
        },
        {
            let mut d = draft("Empty folder", "folder.example.org", Environment::Dev);
            d.deployment = Deployment::Gitops { folder: "  ".into() };
            d
        },
    ];
    for d in &bad_drafts {
        let err = inventory::create(&store, d).unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid, "{}: {}", d.name, err.message);
        assert!(!err.message.is_empty());
    }
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(view.total, 0);
    assert!(view.commons.is_empty() && view.tags.is_empty() && view.meshes.is_empty());
    assert_eq!(view.freshness.last_successful, None, "nothing was written");

    // An invalid update leaves the existing record alone.
    let ok = inventory::create(&store, &draft("Good", "good.example.org", Environment::Dev)).unwrap();
    for d in &bad_drafts {
        let err = inventory::update(&store, &ok.id, d).unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid, "{}: {}", d.name, err.message);
    }
    assert_eq!(inventory::get(&store, &ok.id).unwrap(), ok);
}

/// A small fleet for the filter tests.
fn fleet(store: &Store) -> Vec<Commons> {
    let mut out = Vec::new();
    let mut d = draft("Alpha Commons", "alpha.example.org", Environment::Production);
    d.owner = "Team Red".into();
    d.tags = vec!["NIAID".into(), "hiv".into()];
    d.meshes = vec!["brh".into()];
    out.push(inventory::create(store, &d).unwrap());

    let mut d = draft("beta commons", "data.betahost.net", Environment::Staging);
    d.owner = "Team Blue".into();
    d.relation = Relation::Associated;
    d.tags = vec!["nhlbi".into()];
    d.meshes = vec!["brh".into(), "other-mesh".into()];
    out.push(inventory::create(store, &d).unwrap());

    let mut d = draft("Gamma 100% uptime", "gamma.example.org", Environment::Dev);
    d.owner = "owner_with_underscore".into();
    d.tags = vec!["niaid".into()];
    out.push(inventory::create(store, &d).unwrap());

    let mut d = draft("delta", "delta.example.com", Environment::Other);
    d.relation = Relation::Associated;
    d.notes = "Decommission planned".into();
    d.contact = "someone@partner.org".into();
    out.push(inventory::create(store, &d).unwrap());

    let d = draft("Epsilon", "epsilon.example.org", Environment::Production);
    out.push(inventory::create(store, &d).unwrap());
    out
}

#[test]
fn search_matches_name_host_owner_tags_case_insensitively() {
    let (_dir, store) = open();
    fleet(&store);
    // name
    assert_eq!(search(&store, "ALPHA"), vec!["Alpha Commons"]);
    assert_eq!(search(&store, "commons"), vec!["Alpha Commons", "beta commons"]);
    // host
    assert_eq!(search(&store, "BetaHost"), vec!["beta commons"]);
    assert_eq!(search(&store, "example.com"), vec!["delta"]);
    // owner
    assert_eq!(search(&store, "team blue"), vec!["beta commons"]);
    assert_eq!(search(&store, "TEAM"), vec!["Alpha Commons", "beta commons"]);
    // tags
    assert_eq!(search(&store, "Nhlbi"), vec!["beta commons"]);
    assert_eq!(search(&store, "niaid"), vec!["Alpha Commons", "Gamma 100% uptime"]);
    // contact and notes
    assert_eq!(search(&store, "partner.ORG"), vec!["delta"]);
    assert_eq!(search(&store, "decommission"), vec!["delta"]);
    // surrounding whitespace ignored, empty search matches everything
    assert_eq!(search(&store, "  epsilon  "), vec!["Epsilon"]);
    assert_eq!(search(&store, "   ").len(), 5);
    assert_eq!(search(&store, "no such thing"), Vec::<String>::new());
}

#[test]
fn search_wildcards_are_literal() {
    let (_dir, store) = open();
    fleet(&store);
    assert_eq!(search(&store, "%"), vec!["Gamma 100% uptime"]);
    assert_eq!(search(&store, "0% u"), vec!["Gamma 100% uptime"]);
    assert_eq!(search(&store, "_"), vec!["Gamma 100% uptime"], "only the owner has an underscore");
    assert_eq!(search(&store, "r_w"), vec!["Gamma 100% uptime"]);
    // `_` must not act as "any one character": "alph_" would match "alpha" if it did.
    assert_eq!(search(&store, "alph_"), Vec::<String>::new());
    assert_eq!(search(&store, "a%a"), Vec::<String>::new());
    assert_eq!(search(&store, "\\"), Vec::<String>::new());
}

#[test]
fn filters_by_environment_relation_tag_and_mesh() {
    let (_dir, store) = open();
    fleet(&store);
    let by = |f: InventoryFilter| {
        let mut n = names(&store, f);
        n.sort();
        n
    };
    assert_eq!(
        by(InventoryFilter { environment: Some(Environment::Production), ..Default::default() }),
        vec!["Alpha Commons", "Epsilon"]
    );
    assert_eq!(by(InventoryFilter { environment: Some(Environment::Other), ..Default::default() }), vec!["delta"]);
    assert_eq!(
        by(InventoryFilter { relation: Some(Relation::Associated), ..Default::default() }),
        vec!["beta commons", "delta"]
    );
    assert_eq!(
        by(InventoryFilter { tag: Some("NIAID".into()), ..Default::default() }),
        vec!["Alpha Commons", "Gamma 100% uptime"],
        "tag filter is case-insensitive"
    );
    assert_eq!(by(InventoryFilter { tag: Some("hiv".into()), ..Default::default() }), vec!["Alpha Commons"]);
    assert_eq!(by(InventoryFilter { tag: Some("".into()), ..Default::default() }).len(), 5, "empty tag: no filter");
    assert_eq!(
        by(InventoryFilter { mesh: Some("brh".into()), ..Default::default() }),
        vec!["Alpha Commons", "beta commons"]
    );
    assert_eq!(by(InventoryFilter { mesh: Some("other-mesh".into()), ..Default::default() }), vec!["beta commons"]);
    assert!(by(InventoryFilter { mesh: Some("nope".into()), ..Default::default() }).is_empty());
    // Combined filters are ANDed.
    assert_eq!(
        by(InventoryFilter {
            environment: Some(Environment::Production),
            tag: Some("niaid".into()),
            ..Default::default()
        }),
        vec!["Alpha Commons"]
    );
    assert_eq!(
        by(InventoryFilter {
            search: "commons".into(),
            relation: Some(Relation::Associated),
            mesh: Some("brh".into()),
            ..Default::default()
        }),
        vec!["beta commons"]
    );
    assert!(by(InventoryFilter {
        environment: Some(Environment::Dev),
        mesh: Some("brh".into()),
        ..Default::default()
    })
    .is_empty());
}

#[test]
fn total_counts_everything_while_commons_is_filtered() {
    let (_dir, store) = open();
    fleet(&store);
    let view = inventory::list(&store, &InventoryFilter { environment: Some(Environment::Dev), ..Default::default() })
        .unwrap();
    assert_eq!(view.total, 5);
    assert_eq!(view.commons.len(), 1);
    // Tags and meshes describe the whole inventory, for the filter menus.
    assert_eq!(view.tags, vec!["hiv", "nhlbi", "niaid"]);
    assert_eq!(view.meshes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["brh", "other-mesh"]);
    let none = inventory::list(&store, &InventoryFilter { search: "zzz".into(), ..Default::default() }).unwrap();
    assert_eq!((none.total, none.commons.len()), (5, 0));
}

#[test]
fn a_limit_keeps_the_first_rows_and_every_count() {
    let (_dir, store) = open();
    fleet(&store);
    let all = inventory::list(&store, &InventoryFilter { sort: SortKey::Name, ..Default::default() }).unwrap();
    let head = inventory::list(&store, &InventoryFilter { sort: SortKey::Name, limit: Some(2), ..Default::default() })
        .unwrap();
    assert_eq!(head.commons, all.commons[..2]);
    assert_eq!((head.total, &head.tags, &head.meshes), (all.total, &all.tags, &all.meshes));
}

#[test]
fn each_sort_key_orders_the_list() {
    let (_dir, store) = open();
    // Created in an order that matches none of the sorts; clock ticks make updated_at distinct.
    let specs = [
        ("charlie", "c.example.org", Environment::Dev),
        ("Bravo", "z.example.org", Environment::Production),
        ("alpha", "m.example.org", Environment::Other),
        ("Delta", "a.example.org", Environment::Staging),
        ("echo", "b.example.org", Environment::Production),
    ];
    let mut ids = Vec::new();
    for (name, url, env) in specs {
        tick();
        ids.push(inventory::create(&store, &draft(name, url, env)).unwrap().id);
    }
    // Touch "alpha" last so it is the most recently updated.
    tick();
    inventory::update(&store, &ids[2], &draft("alpha", "m.example.org", Environment::Other)).unwrap();

    let sorted = |sort: SortKey| names(&store, InventoryFilter { sort, ..Default::default() });
    assert_eq!(sorted(SortKey::Environment), vec!["Bravo", "echo", "Delta", "charlie", "alpha"]);
    assert_eq!(sorted(SortKey::Name), vec!["alpha", "Bravo", "charlie", "Delta", "echo"]);
    assert_eq!(sorted(SortKey::Host), vec!["Delta", "echo", "charlie", "alpha", "Bravo"]);
    assert_eq!(sorted(SortKey::Updated), vec!["alpha", "echo", "Delta", "Bravo", "charlie"]);
    // The default sort is by environment.
    assert_eq!(names(&store, InventoryFilter::default()), sorted(SortKey::Environment));
}

/// Host sort should sort by host. `base_url` starts with the scheme, so a loopback `http://` commons
/// sorts before every `https://` one regardless of its host.
#[test]
fn host_sort_ignores_the_scheme() {
    let (_dir, store) = open();
    inventory::create(&store, &draft("Sim", "http://localhost:8080", Environment::Dev)).unwrap();
    inventory::create(&store, &draft("Real", "https://aaa.example.org", Environment::Dev)).unwrap();
    let sorted = names(&store, InventoryFilter { sort: SortKey::Host, ..Default::default() });
    assert_eq!(sorted, vec!["Real", "Sim"], "aaa.example.org sorts before localhost:8080");
}

/// The filter says "case-insensitively"; SQLite's lower() and LIKE fold ASCII only.
#[test]
fn search_is_case_insensitive_beyond_ascii() {
    let (_dir, store) = open();
    let mut d = draft("Ärztedaten Zürich", "aerzte.example.ch", Environment::Production);
    d.owner = "ÉQUIPE".into();
    inventory::create(&store, &d).unwrap();
    assert_eq!(search(&store, "ärztedaten"), vec!["Ärztedaten Zürich"]);
    assert_eq!(search(&store, "équipe"), vec!["Ärztedaten Zürich"]);
}

#[test]
fn tags_and_meshes_round_trip_and_meshes_are_created_when_first_named() {
    let (_dir, store) = open();
    let mut d = draft("Mesh member", "member.example.org", Environment::Production);
    d.tags = vec![" HIV ".into(), "niaid".into(), "hiv".into(), "".into(), "Open Access".into()];
    d.meshes = vec!["brh".into(), " brh ".into(), "".into()];
    let c = inventory::create(&store, &d).unwrap();
    assert_eq!(c.draft.tags, vec!["hiv", "niaid", "open access"], "trimmed, lowercased, deduplicated, sorted");
    assert_eq!(c.draft.meshes, vec!["brh"]);
    let read = inventory::get(&store, &c.id).unwrap();
    assert_eq!(read.draft.tags, c.draft.tags);
    assert_eq!(read.draft.meshes, vec!["brh"]);

    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(view.tags, vec!["hiv", "niaid", "open access"]);
    assert_eq!(view.meshes, vec![Mesh { name: "brh".into(), description: String::new(), members: vec![c.id.clone()] }]);

    // A second member, a second (new) mesh, and a mesh description.
    let mut d2 = draft("Second", "second.example.org", Environment::Staging);
    d2.meshes = vec!["brh".into(), "anvil".into()];
    let c2 = inventory::create(&store, &d2).unwrap();
    inventory::save_mesh(
        &store,
        &Mesh { name: " brh ".into(), description: " Biomedical Research Hub ".into(), members: vec![] },
    )
    .unwrap();
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    let names: Vec<&str> = view.meshes.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["anvil", "brh"]);
    let brh = &view.meshes[1];
    assert_eq!(brh.description, "Biomedical Research Hub");
    let mut members = brh.members.clone();
    members.sort();
    let mut want = vec![c.id.clone(), c2.id.clone()];
    want.sort();
    assert_eq!(members, want, "save_mesh does not change membership");
    assert_eq!(view.meshes[0].members, vec![c2.id.clone()]);
    assert_eq!(inventory::get(&store, &c2.id).unwrap().draft.meshes, vec!["anvil", "brh"]);

    // Changing tags and meshes on update replaces them.
    let mut d3 = d.clone();
    d3.tags = vec!["new".into()];
    d3.meshes = vec![];
    inventory::update(&store, &c.id, &d3).unwrap();
    let read = inventory::get(&store, &c.id).unwrap();
    assert_eq!(read.draft.tags, vec!["new"]);
    assert!(read.draft.meshes.is_empty());
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(view.tags, vec!["new"], "tags no commons uses are gone from the filter menu");
    assert_eq!(view.meshes[1].members, vec![c2.id.clone()]);

    // A mesh can be created empty, and an unnamed mesh is refused.
    inventory::save_mesh(&store, &Mesh { name: "empty".into(), description: "".into(), members: vec![] }).unwrap();
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert!(view.meshes.iter().any(|m| m.name == "empty" && m.members.is_empty()));
    let err = inventory::save_mesh(&store, &Mesh { name: "  ".into(), description: "x".into(), members: vec![] })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
}

/// What create/update return should be what get reads back (the UI shows the returned record).
/// Tags are sorted by validate_draft, meshes are not, but reads return meshes sorted.
#[test]
fn create_and_update_return_what_is_stored() {
    let (_dir, store) = open();
    let mut d = draft("Order", "order.example.org", Environment::Dev);
    d.tags = vec!["zeta".into(), "alpha".into()];
    d.meshes = vec!["zmesh".into(), "amesh".into()];
    let c = inventory::create(&store, &d).unwrap();
    assert_eq!(inventory::get(&store, &c.id).unwrap(), c);
    let u = inventory::update(&store, &c.id, &d).unwrap();
    assert_eq!(inventory::get(&store, &c.id).unwrap(), u);
}

#[test]
fn deleting_a_mesh_keeps_its_commons() {
    let (_dir, store) = open();
    let mut d = draft("Member", "member.example.org", Environment::Production);
    d.meshes = vec!["brh".into(), "keep".into()];
    d.tags = vec!["t".into()];
    let c = inventory::create(&store, &d).unwrap();
    inventory::delete_mesh(&store, "brh").unwrap();

    let read = inventory::get(&store, &c.id).unwrap();
    assert_eq!(read.draft.meshes, vec!["keep"]);
    assert_eq!(read.draft.tags, vec!["t"]);
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(view.total, 1);
    assert_eq!(view.meshes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["keep"]);
    assert!(inventory::list(&store, &InventoryFilter { mesh: Some("brh".into()), ..Default::default() })
        .unwrap()
        .commons
        .is_empty());
    assert_eq!(inventory::delete_mesh(&store, "brh").unwrap_err().code, ErrorCode::NotFound);

    // Deleting the commons removes its memberships but not the mesh.
    inventory::delete(&store, &c.id).unwrap();
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(view.meshes, vec![Mesh { name: "keep".into(), description: String::new(), members: vec![] }]);
    assert!(view.tags.is_empty());
}

#[test]
fn freshness_is_set_by_writes() {
    let (_dir, store) = open();
    let fresh = |s: &Store| inventory::list(s, &InventoryFilter::default()).unwrap().freshness;
    let f0 = fresh(&store);
    assert_eq!(f0.source, inventory::SOURCE);
    assert_eq!((f0.last_attempted, f0.last_successful, f0.last_error.clone()), (None, None, None));

    let before = now_ms();
    let c = inventory::create(&store, &draft("One", "one.example.org", Environment::Dev)).unwrap();
    let after = now_ms();
    let f1 = fresh(&store);
    let t1 = f1.last_successful.expect("create sets last_successful");
    assert!((before..=after).contains(&t1), "{before} <= {t1} <= {after}");
    assert_eq!(t1, c.updated_at);
    assert_eq!(f1.last_error, None);

    let steps: Vec<Box<dyn Fn(&Store)>> = vec![
        Box::new(|s| {
            let id = inventory::list(s, &InventoryFilter::default()).unwrap().commons[0].id.clone();
            inventory::update(s, &id, &draft("One b", "one.example.org", Environment::Dev)).unwrap();
        }),
        Box::new(|s| {
            inventory::save_mesh(s, &Mesh { name: "m".into(), description: "d".into(), members: vec![] }).unwrap()
        }),
        Box::new(|s| inventory::delete_mesh(s, "m").unwrap()),
        Box::new(|s| {
            let id = inventory::list(s, &InventoryFilter::default()).unwrap().commons[0].id.clone();
            inventory::delete(s, &id).unwrap();
        }),
    ];
    let mut last = t1;
    for (i, step) in steps.iter().enumerate() {
        tick();
        step(&store);
        let t = fresh(&store).last_successful.unwrap();
        assert!(t > last, "write #{i} moves last_successful ({t} > {last})");
        last = t;
    }
    // Failed writes leave it alone; reads carry their own read_at.
    tick();
    let _ = inventory::delete(&store, "no-such-id").unwrap_err();
    assert_eq!(fresh(&store).last_successful, Some(last));
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert!(view.read_at > last);
}

#[test]
fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let (created, view_before) = {
        let store = Store::open(&path).unwrap();
        let created = fleet(&store);
        inventory::save_mesh(&store, &Mesh { name: "brh".into(), description: "Hub".into(), members: vec![] }).unwrap();
        inventory::delete(&store, &created[3].id).unwrap();
        (created, inventory::list(&store, &InventoryFilter::default()).unwrap())
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.path(), path.as_path());
    let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(view.commons, view_before.commons);
    assert_eq!(view.total, 4);
    assert_eq!(view.tags, view_before.tags);
    assert_eq!(view.meshes, view_before.meshes);
    assert_eq!(view.freshness, view_before.freshness);
    assert_eq!(inventory::get(&store, &created[3].id).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(inventory::get(&store, &created[0].id).unwrap(), created[0]);
}

/// Tags and mesh names are stored one per row but read back joined on U+001F and split again, so a
/// tag containing that character comes back as two tags. Validation should refuse control characters.
#[test]
fn a_tag_with_the_list_separator_does_not_split() {
    let (_dir, store) = open();
    let mut d = draft("Sep", "sep.example.org", Environment::Dev);
    d.tags = vec!["a\u{1f}b".into()];
    match inventory::create(&store, &d) {
        Err(e) => assert_eq!(e.code, ErrorCode::Invalid),
        Ok(c) => assert_eq!(inventory::get(&store, &c.id).unwrap().draft.tags, c.draft.tags),
    }
}
