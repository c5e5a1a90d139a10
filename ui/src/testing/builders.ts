import type {
  ActivityEntry,
  AppStatus,
  Commons,
  CommonsHealth,
  CommonsHealthDetail,
  CredentialView,
  Diagnostics,
  FleetSummary,
  FleetView,
  InventoryFilter,
  InventoryView,
  KeyInfo,
  MonitorSettings,
  ServiceStatus,
  TeamStatus,
  VaultStatus,
} from '../lib/backend/backend';
import { emptyDraft } from '../lib/format';

/**
 * What the Rust side would answer, each value complete and ordinary: a test overrides only the fields it is
 * about (typed, so a field that does not exist or has the wrong type fails the type check).
 */

/** `app_status` for a cache that opened normally. */
export function statusOf(overrides: Partial<AppStatus> = {}): AppStatus {
  return {
    version: '0.1.0',
    data_dir: '/home/op/.local/share/gen3-csoc',
    db_path: '/home/op/.local/share/gen3-csoc/cache.sqlite',
    log_dir: '/home/op/.local/state/gen3-csoc/logs',
    store_error: null,
    moved_aside_to: null,
    demo: false,
    demo_on_start: false,
    import_path: null,
    ...overrides,
  };
}

/** A commons in the inventory, at `https://<id>.example.org` unless told otherwise. */
export function commonsOf(id: string, name: string, overrides: Partial<Commons> = {}): Commons {
  const at = Date.UTC(2026, 10, 1);
  return { ...emptyDraft(), id, created_at: at, updated_at: at, name, base_url: `https://${id}.example.org`, ...overrides };
}

/** `inventory_list` for these commons, never synced; its tags are theirs, as the Rust side lists them. */
export function inventoryOf(commons: Commons[], overrides: Partial<InventoryView> = {}): InventoryView {
  return {
    commons,
    total: commons.length,
    tags: [...new Set(commons.flatMap((c) => c.tags))].sort(),
    meshes: [],
    freshness: { source: 'cache', last_attempted: null, last_successful: null, last_error: null },
    read_at: Date.now(),
    ...overrides,
  };
}

/** The filter that shows every commons, in the board's order. */
export function inventoryFilterOf(overrides: Partial<InventoryFilter> = {}): InventoryFilter {
  return { search: '', environment: null, relation: null, tag: null, mesh: null, sort: 'problems', problem: null, ...overrides };
}

/** The board's service columns. */
export const SERVICES = ['fence', 'indexd', 'peregrine', 'sheepdog', 'metadata'];

/** A service healthy for a day, answering in 120 ms on release 2026.10. */
export function serviceStatusOf(service: string, overrides: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    service,
    state: 'healthy',
    since: Date.now() - 120_000 - 86_400_000,
    latency_ms: 120,
    version: '2026.10',
    detail: null,
    ...overrides,
  };
}

/** A commons checked two minutes ago with every service of `SERVICES` healthy. */
export function healthOf(commons: Commons, overrides: Partial<CommonsHealth> = {}): CommonsHealth {
  const at = Date.now() - 120_000;
  return {
    commons,
    overall: 'healthy',
    unreachable_here: false,
    last_attempted: at,
    last_successful: at,
    error: null,
    services: SERVICES.map((service) => serviceStatusOf(service)),
    cert: { not_after: Math.floor(Date.now() / 1000) + 90 * 86_400, problem: null },
    counts: { objects: 1_234_567, bytes: 5_500_000_000_000 },
    dictionary_version: '4.2.0',
    helm: true,
    key: null,
    key_error: null,
    drift: [],
    checks: [],
    ...overrides,
  };
}

/** A fleet summary of `commons` commons with nothing counted but what `overrides` counts. */
export function summaryOf(commons: number, overrides: Partial<FleetSummary> = {}): FleetSummary {
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
    ...overrides,
  };
}

/** `fleet_view` of these rows, fresh as of the newest successful check. */
export function fleetOf(rows: CommonsHealth[], overrides: Partial<FleetView> = {}): FleetView {
  const last = rows.find((r) => r.last_successful !== null)?.last_successful ?? null;
  return {
    rows,
    matched: rows.length,
    summary: summaryOf(rows.length),
    services: SERVICES,
    freshness: { source: 'health', last_attempted: last, last_successful: last, last_error: null },
    offline: false,
    read_at: Date.now(),
    ...overrides,
  };
}

/** `commons_health` for a day, with no history recorded yet. */
export function healthDetailOf(health: CommonsHealth, overrides: Partial<CommonsHealthDetail> = {}): CommonsHealthDetail {
  return { health, range: 'day', history: [], changes: [], read_at: Date.now(), ...overrides };
}

/** `monitor_settings` as a new install has them. */
export function monitorOf(overrides: Partial<MonitorSettings> = {}): MonitorSettings {
  return {
    interval_secs: 300,
    notifications: true,
    cert_warn_days: [30, 14, 7, 1],
    key_warn_days: [7, 1],
    etl_stale_days: 7,
    checks_interval_secs: 900,
    ...overrides,
  };
}

/** `team_status` for a data folder that has not joined a team repository. */
export function teamOf(overrides: Partial<TeamStatus> = {}): TeamStatus {
  return {
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
    ...overrides,
  };
}

/** `vault_status` with the OS keyring in use and unlocked. */
export function vaultOf(overrides: Partial<VaultStatus> = {}): VaultStatus {
  return { mode: 'keyring', unlocked: true, keyring_problem: null, ...overrides };
}

const DAY_SECS = 86_400;
const nowSecs = () => Math.floor(Date.now() / 1000);

/** An API key for `host`, issued a day ago, expiring in `expiresInDays` (negative: expired). */
export function keyInfoOf(host: string, endsWith: string, expiresInDays: number, overrides: Partial<KeyInfo> = {}): KeyInfo {
  return {
    commons_url: `https://${host}`,
    key_id: `jti-${endsWith}`,
    subject: '42',
    scopes: ['data', 'user'],
    issued_at: nowSecs() - DAY_SECS,
    // An extra hour keeps "in N days" stable while the test runs.
    expires_at: nowSecs() + expiresInDays * DAY_SECS + Math.sign(expiresInDays) * 3600,
    ends_with: endsWith,
    ...overrides,
  };
}

/** A stored key in `credentials_list`, its expiry matching `status`, imported an hour ago and never tested. */
export function credentialOf(id: string, name: string, host: string, status: CredentialView['status'], overrides: Partial<CredentialView> = {}): CredentialView {
  return {
    commons_id: id,
    commons_name: name,
    base_url: `https://${host}`,
    production: false,
    info: keyInfoOf(host, `${id}f3a`.slice(-4), status === 'expired' ? -3 : status === 'expiring' ? 5 : 90),
    status,
    imported_at: Date.now() - 3_600_000,
    last_test_at: null,
    last_test_error: null,
    user_name: null,
    set_aside: null,
    ...overrides,
  };
}

/** An entry of `activity_list`, written now by the user `ops`, about no commons. */
export function activityOf(id: number, kind: ActivityEntry['kind'], summary: string, overrides: Partial<ActivityEntry> = {}): ActivityEntry {
  return { id, at: Date.now(), kind, commons_id: null, commons_name: null, user: 'ops', summary, result: 'ok', ...overrides };
}

/** `diagnostics_gather` on a healthy install with nothing in the inventory. */
export function diagnosticsOf(overrides: Partial<Diagnostics> = {}): Diagnostics {
  return {
    app_version: '0.1.0',
    os: 'linux x86_64',
    webkit_version: '2.50.6-1~deb12u2',
    keyring: { backend: 'Secret Service (D-Bus: gnome-keyring or KWallet)', reachable: true, problem: null, vault_mode: 'keyring' },
    cache: { path: '/home/op/.local/share/gen3-csoc/cache.sqlite3', size_bytes: 2_400_000, quick_check: 'ok', schema_version: 9, latest_schema: 9, error: null },
    log_dir: '/home/op/.local/share/gen3-csoc/logs',
    last_errors: [],
    commons: [],
    collected_at: Date.now(),
    ...overrides,
  };
}
