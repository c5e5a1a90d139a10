//! The board leads to the problem: problems first, a summary item narrows the board to exactly the
//! commons it counts, and searching "down" or "production" works. Run on the demo fleet (one of
//! each problem), swept for real over loopback.

mod demo_sim;

use csoc_model::model::{BoardProblem, Environment, InventoryFilter, SortKey};
use csoc_monitor::sweep::{self, SweepOptions};
use csoc_monitor::views::{self, FleetView};
use csoc_monitor::{history, plan, SweepScope};
use csoc_store::{Store, DB_FILE};
use csoc_vault::Vault;
use tokio_util::sync::CancellationToken;

fn names(view: &FleetView) -> Vec<&str> {
    view.rows.iter().map(|r| r.commons.draft.name.as_str()).collect()
}

fn board(store: &Store, f: InventoryFilter) -> FleetView {
    views::fleet(store, &f).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_first_summary_links_and_state_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    demo_sim::build_simulator();
    let _demo = csoc_app::demo::start(&store, &vault).await.unwrap();
    let targets = plan(&store, &vault, &SweepScope::All).unwrap();
    let result = sweep::run(targets, &SweepOptions::default(), CancellationToken::new(), |_| {}).await.unwrap();
    history::record(&store, &result).unwrap();

    let all = board(&store, InventoryFilter { sort: SortKey::Problems, ..Default::default() });
    assert_eq!(all.rows[0].commons.draft.name, "Kidney Atlas", "the down commons leads: {:?}", names(&all));
    // Healthy commons with nothing to look at come last.
    let last = all.rows.last().unwrap();
    assert_eq!(last.overall, csoc_monitor::probe::ServiceState::Healthy, "{:?}", names(&all));
    let by_env = board(&store, InventoryFilter::default());
    assert_ne!(names(&all), names(&by_env), "the default order stays production first");
    assert_eq!(all.summary, by_env.summary);

    // Each summary item, followed, shows exactly the commons it counts.
    let s = &all.summary;
    let counted = [
        (BoardProblem::Down, s.commons_down),
        (BoardProblem::Degraded, s.commons_degraded),
        (BoardProblem::Healthy, s.healthy),
        (BoardProblem::UnreachableHere, s.unreachable_here),
        (BoardProblem::NeverChecked, s.never_checked),
        (BoardProblem::ServicesDown, s.commons_with_services_down),
        (BoardProblem::CertsExpired, s.certs_expired),
        (BoardProblem::CertsExpiring, s.certs_expiring),
        (BoardProblem::KeysExpired, s.keys_expired),
        (BoardProblem::KeysExpiring, s.keys_expiring),
        (BoardProblem::ChecksFailing, s.checks_failing),
        (BoardProblem::Drifting, s.drifting),
    ];
    assert!(counted.iter().filter(|(_, n)| *n > 0).count() >= 5, "the demo shows many problems: {s:?}");
    for (problem, n) in counted {
        let narrowed = board(&store, InventoryFilter { problem: Some(problem), ..Default::default() });
        assert_eq!(narrowed.rows.len() as u32, n, "{problem:?}: {:?}", names(&narrowed));
        assert_eq!(&narrowed.summary, s, "the summary keeps its numbers while a link is followed");
    }

    let down = board(&store, InventoryFilter { search: "DOWN".into(), ..Default::default() });
    assert_eq!(names(&down), ["Kidney Atlas"]);
    let prod = board(&store, InventoryFilter { search: "production".into(), ..Default::default() });
    assert!(!prod.rows.is_empty() && prod.rows.len() < all.rows.len());
    assert!(prod.rows.iter().all(|r| r.commons.draft.environment == Environment::Production));
    let kidney = board(&store, InventoryFilter { search: "kidney down".into(), ..Default::default() });
    assert_eq!(names(&kidney), ["Kidney Atlas"], "text and state words combine");
    let none = board(&store, InventoryFilter { search: "kidney healthy".into(), ..Default::default() });
    assert!(none.rows.is_empty());

    // The first screen's read: the first rows of the same order, the counts of the whole fleet.
    let head = board(&store, InventoryFilter { sort: SortKey::Problems, limit: Some(3), ..Default::default() });
    assert_eq!(names(&head), names(&all)[..3]);
    assert_eq!((head.matched, all.matched), (all.rows.len() as u32, all.rows.len() as u32));
    assert_eq!(head.summary, all.summary);

    // The demo ships 30 days of history that tells each commons' story.
    let month = |name: &str| {
        let id = &all.rows.iter().find(|r| r.commons.draft.name == name).unwrap().commons.id;
        views::commons_detail(&store, id, views::HistoryRange::Month).unwrap().history
    };
    let kidney = month("Kidney Atlas");
    let measured: Vec<f64> = kidney.iter().filter_map(|p| p.uptime).collect();
    assert!(measured.len() >= 29, "a month of daily points: {}", measured.len());
    assert!(measured[..measured.len() - 2].iter().all(|u| *u > 0.99), "up until yesterday: {measured:?}");
    assert!(*measured.last().unwrap() < 0.5, "down since yesterday: {measured:?}");
    let steady = month("Pediatric Cancer Commons");
    let uptimes: Vec<f64> = steady.iter().filter_map(|p| p.uptime).collect();
    assert!(uptimes.len() >= 29 && uptimes.iter().all(|u| *u > 0.98), "{uptimes:?}");
    assert!(steady.iter().filter_map(|p| p.latency_ms).all(|l| l > 0.0 && l < 1000.0));
}
