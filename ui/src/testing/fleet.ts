import type { AppStatus, Commons, CommonsHealth, FleetSummary, FleetView, InventoryView, MonitorSettings, TeamStatus } from '../lib/backend/backend';

/** Shared test data for the fleet screens: what the Rust side would answer. */
/** What `app_status` answers for a cache that opened normally. */
export const STATUS: AppStatus = {
  version: '0.1.0',
  data_dir: '/home/op/.local/share/gen3-csoc',
  db_path: '/home/op/.local/share/gen3-csoc/cache.sqlite',
  log_dir: '/home/op/.local/state/gen3-csoc/logs',
  store_error: null,
  moved_aside_to: null,
  demo: false,
  import_path: null,
};

/** What `inventory_list` answers for these commons, never synced. */
export function inventoryOf(commons: Commons[], extra: Partial<InventoryView> = {}): InventoryView {
  return {
    commons,
    total: commons.length,
    tags: [],
    meshes: [],
    freshness: { source: 'cache', last_attempted: null, last_successful: null, last_error: null },
    read_at: Date.now(),
    ...extra,
  };
}

export const SERVICES = ['fence', 'indexd', 'peregrine', 'sheepdog', 'metadata'];

/** What `team_status` answers for a data folder that has not joined a team repository. */
export const TEAM_ALONE: TeamStatus = {
  joined: false,
  repo: null,
  folder: null,
  branch: null,
  last_attempted: null,
  last_synced: null,
  last_error: null,
  offline: false,
  pending: 0,
  conflicts: [],
};

export const MONITOR: MonitorSettings = {
  interval_secs: 300,
  notifications: true,
  cert_warn_days: [30, 14, 7, 1],
  key_warn_days: [7, 1],
  etl_stale_days: 7,
  checks_interval_secs: 900,
};

export function healthOf(commons: Commons, extra: Partial<CommonsHealth> = {}): CommonsHealth {
  const at = Date.now() - 120_000;
  return {
    commons,
    overall: 'healthy',
    unreachable_here: false,
    last_attempted: at,
    last_successful: at,
    error: null,
    services: SERVICES.map((service) => ({
      service,
      state: 'healthy',
      since: at - 86_400_000,
      latency_ms: 120,
      version: '2026.10',
      detail: null,
    })),
    cert: { not_after: Math.floor(Date.now() / 1000) + 90 * 86_400, problem: null },
    counts: { objects: 1_234_567, bytes: 5_500_000_000_000 },
    dictionary_version: '4.2.0',
    helm: true,
    key: null,
    key_error: null,
    drift: [],
    checks: [],
    ...extra,
  };
}

export function emptySummary(commons: number): FleetSummary {
  return {
    commons,
    commons_down: 0,
    commons_degraded: 0,
    services_down: 0,
    certs_expiring: 0,
    certs_expired: 0,
    keys_expiring: 0,
    keys_expired: 0,
    drifting: 0,
    never_checked: 0,
    unreachable_here: 0,
    checks_failing: 0,
    healthy: 0,
    commons_with_services_down: 0,
  };
}

export function fleetOf(rows: CommonsHealth[], extra: Partial<FleetView> = {}): FleetView {
  const last = rows.find((r) => r.last_successful !== null)?.last_successful ?? null;
  return {
    rows,
    summary: emptySummary(rows.length),
    services: SERVICES,
    freshness: { source: 'health', last_attempted: last, last_successful: last, last_error: null },
    offline: false,
    read_at: Date.now(),
    ...extra,
  };
}
