// Generated from the Rust types in src-tauri/crates/csoc-core (api.rs). Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p csoc-core bindings` after changing them.

export type ErrorCode = "invalid" | "not_found" | "conflict" | "db_too_new" | "db_corrupt" | "db_unavailable" | "io" | "keyring_unavailable" | "vault_locked" | "unreachable" | "tls" | "unauthorized" | "key_expired" | "key_rejected" | "not_gen3" | "malformed_response" | "tool_missing" | "tool_failed";

export type CoreError = { code: ErrorCode, message: string, };

export type Environment = "production" | "staging" | "dev" | "other";

export type Relation = "we_run_it" | "associated";

export type Deployment = { "kind": "gitops", folder: string, } | { "kind": "kube", context: string, namespace: string, } | { "kind": "unknown" };

export type CommonsDraft = { name: string, 
/**
 * A DNS name or an https URL as typed; stored normalized (`https://host[:port]`).
 */
base_url: string, environment: Environment, relation: Relation, owner: string, contact: string, tags: Array<string>, notes: string, 
/**
 * Expected Gen3 release, `YYYY.MM`.
 */
expected_release: string | null, deployment: Deployment, 
/**
 * Names of the meshes this commons belongs to.
 */
meshes: Array<string>, 
/**
 * A private CA (PEM) the commons' TLS certificate chains to, trusted for this commons only.
 */
ca_pem: string | null, };

export type Commons = { id: string, 
/**
 * Unix milliseconds.
 */
created_at: number, updated_at: number, name: string, 
/**
 * A DNS name or an https URL as typed; stored normalized (`https://host[:port]`).
 */
base_url: string, environment: Environment, relation: Relation, owner: string, contact: string, tags: Array<string>, notes: string, 
/**
 * Expected Gen3 release, `YYYY.MM`.
 */
expected_release: string | null, deployment: Deployment, 
/**
 * Names of the meshes this commons belongs to.
 */
meshes: Array<string>, 
/**
 * A private CA (PEM) the commons' TLS certificate chains to, trusted for this commons only.
 */
ca_pem: string | null, };

export type Mesh = { name: string, description: string, 
/**
 * Ids of member commons.
 */
members: Array<string>, };

export type SortKey = "environment" | "name" | "host" | "updated";

export type InventoryFilter = { 
/**
 * Matches name, host, owner, contact, notes and tags, case-insensitively.
 */
search: string, environment: Environment | null, relation: Relation | null, tag: string | null, mesh: string | null, sort: SortKey, };

export type FieldError = { field: string, message: string, };

export type Freshness = { source: string, last_attempted: number | null, last_successful: number | null, last_error: string | null, };

export type InventoryView = { commons: Array<Commons>, 
/**
 * How many commons the inventory holds before filtering (for "3 of 12").
 */
total: number, tags: Array<string>, meshes: Array<Mesh>, freshness: Freshness, 
/**
 * Unix ms at which this view was read from the cache.
 */
read_at: number, };

export type IdRequest = { id: string, };

export type NameRequest = { name: string, };

export type PathRequest = { path: string, };

export type ValidateRequest = { 
/**
 * The commons being edited, so its own URL is not reported as a duplicate.
 */
id: string | null, draft: CommonsDraft, };

export type UpdateRequest = { id: string, draft: CommonsDraft, };

export type AppStatus = { version: string, data_dir: string, db_path: string, log_dir: string, 
/**
 * Set when the cache could not be opened; the UI shows it and, for `db_corrupt`, offers to
 * move the file aside.
 */
store_error: CoreError | null, 
/**
 * Where a damaged cache was moved by `store_move_aside`, to tell the user.
 */
moved_aside_to: string | null, 
/**
 * The app shows the simulated demo fleet, from its own cache.
 */
demo: boolean, };

export type InventoryChanged = { 
/**
 * Unix ms of the change.
 */
at: number, };

export type ExportSummary = { path: string, commons: number, meshes: number, };

export type ImportSummary = { added: number, updated: number, meshes: number, };

export type KeyInfo = { 
/**
 * The commons' base URL, from the key's `iss` without the `/user` path.
 */
commons_url: string, 
/**
 * `key_id` = the JWT's `jti`; fence lists and revokes keys by it.
 */
key_id: string, 
/**
 * fence's user id (`sub`).
 */
subject: string, scopes: Array<string>, issued_at: number | null, 
/**
 * Unix seconds.
 */
expires_at: number, 
/**
 * The key's last four characters, so a user can tell two keys apart ("ends in 7f3a").
 */
ends_with: string, };

export type KeySource = { "kind": "text", text: string, } | { "kind": "file", path: string, } | { "kind": "profile", source: string, };

export type KeyPreview = { info: KeyInfo, 
/**
 * The commons with the key's URL, if the inventory has it.
 */
commons: Commons | null, 
/**
 * The key already stored for that commons, which importing would replace.
 */
replaces: KeyInfo | null, };

export type NewCommons = { name: string, environment: Environment, };

export type ImportKeyRequest = { source: KeySource, 
/**
 * Set when the user agreed to add the key's commons to the inventory.
 */
add_commons: NewCommons | null, };

export type PassphraseRequest = { passphrase: string, };

export type ProfileCandidate = { 
/**
 * "gen3sdk: crdc" or "gen3-client: default"; pass it back as a `profile` source.
 */
source: string, info: KeyInfo | null, 
/**
 * Why the profile cannot be imported, in words.
 */
problem: string | null, commons_name: string | null, };

export type VaultMode = "unset" | "keyring" | "passphrase";

export type VaultStatus = { mode: VaultMode, 
/**
 * Secrets can be read and written now.
 */
unlocked: boolean, 
/**
 * Why the keyring cannot be used, when it cannot (words for the user).
 */
keyring_problem: string | null, };

export type KeyStatus = "valid" | "expiring" | "expired" | "rejected";

export type CredentialView = { commons_id: string, commons_name: string, base_url: string, production: boolean, info: KeyInfo, status: KeyStatus, imported_at: number, last_test_at: number | null, 
/**
 * The last test's failure, in words; `None` after a successful test.
 */
last_test_error: string | null, 
/**
 * The user name fence reported at the last successful test.
 */
user_name: string | null, };

export type ServiceState = "healthy" | "degraded" | "down" | "not_deployed" | "unknown";

export type CertInfo = { 
/**
 * Unix seconds of the leaf certificate's `notAfter`.
 */
not_after: number | null, 
/**
 * Why the certificate is not trusted, if it is not (expired, unknown issuer, wrong name).
 */
problem: string | null, };

export type Counts = { objects: number | null, bytes: number | null, };

export type ServiceStatus = { service: string, state: ServiceState, since: number, latency_ms: number | null, version: string | null, detail: string | null, };

export type KeySummary = { status: KeyStatus, expires_at: number, };

export type CommonsHealth = { commons: Commons, 
/**
 * The worst state across services; `unknown` before the first sweep.
 */
overall: ServiceState, last_attempted: number | null, last_successful: number | null, 
/**
 * Why the last attempt failed to reach the commons.
 */
error: string | null, services: Array<ServiceStatus>, cert: CertInfo | null, counts: Counts, dictionary_version: string | null, helm: boolean | null, key: KeySummary | null, key_error: string | null, 
/**
 * Services whose image version names another release than the expected one, e.g. "fence 2025.06".
 */
drift: Array<string>, };

export type FleetSummary = { commons: number, commons_down: number, commons_degraded: number, services_down: number, certs_expiring: number, certs_expired: number, keys_expiring: number, keys_expired: number, drifting: number, never_checked: number, };

export type FleetView = { 
/**
 * Production first, then by name.
 */
rows: Array<CommonsHealth>, summary: FleetSummary, 
/**
 * The board's columns, in catalog order.
 */
services: Array<string>, freshness: Freshness, 
/**
 * The last sweep reached no commons at all.
 */
offline: boolean, read_at: number, };

export type HistoryRange = "day" | "week" | "month";

export type HistoryPoint = { at: number, 
/**
 * Share of healthy answers among deployed services in this bucket (0..1); null with no samples.
 */
uptime: number | null, latency_ms: number | null, };

export type StateChange = { commons_id: string, commons_name: string, 
/**
 * A catalog service id, or "commons" for the commons as a whole (reachable or not).
 */
service: string, from: ServiceState, to: ServiceState, at: number, detail: string | null, };

export type CommonsHealthDetail = { health: CommonsHealth, range: HistoryRange, history: Array<HistoryPoint>, changes: Array<StateChange>, read_at: number, };

export type HealthRequest = { id: string, range: HistoryRange, };

export type SweepScope = { "kind": "all" } | { "kind": "commons", id: string, } | { "kind": "mesh", name: string, };

export type SweepProgress = { done: number, total: number, };

export type AlertKind = "certificate" | "api_key";

export type ExpiryAlert = { commons_id: string, commons_name: string, kind: AlertKind, expires_at: number, 
/**
 * The threshold crossed; 0 means it has expired.
 */
threshold_days: number, };

export type SweepReport = { probed: number, reachable: number, cancelled: boolean, changes: Array<StateChange>, alerts: Array<ExpiryAlert>, };

export type MonitorSettings = { 
/**
 * Seconds between scheduled sweeps; 0 turns the schedule off.
 */
interval_secs: number, notifications: boolean, 
/**
 * Days before a TLS certificate's expiry at which to warn, e.g. [30, 14, 7, 1].
 */
cert_warn_days: Array<number>, key_warn_days: Array<number>, };

/** Each command's request (passed as `request`) and response. */
export type Commands = {
  app_status: { request: null; response: AppStatus };
  store_move_aside: { request: null; response: AppStatus };
  first_paint: { request: null; response: null };
  inventory_list: { request: InventoryFilter; response: InventoryView };
  commons_get: { request: IdRequest; response: Commons };
  commons_validate: { request: ValidateRequest; response: Array<FieldError> };
  commons_create: { request: CommonsDraft; response: Commons };
  commons_update: { request: UpdateRequest; response: Commons };
  commons_delete: { request: IdRequest; response: null };
  mesh_save: { request: Mesh; response: null };
  mesh_delete: { request: NameRequest; response: null };
  inventory_export: { request: PathRequest; response: ExportSummary };
  inventory_import: { request: PathRequest; response: ImportSummary };
  vault_status: { request: null; response: VaultStatus };
  vault_use_passphrase: { request: PassphraseRequest; response: VaultStatus };
  credentials_preview: { request: KeySource; response: KeyPreview };
  credentials_import: { request: ImportKeyRequest; response: CredentialView };
  credentials_profiles: { request: null; response: Array<ProfileCandidate> };
  credentials_list: { request: null; response: Array<CredentialView> };
  credentials_test: { request: IdRequest; response: CredentialView };
  credentials_delete: { request: IdRequest; response: null };
  fleet_view: { request: InventoryFilter; response: FleetView };
  commons_health: { request: HealthRequest; response: CommonsHealthDetail };
  sweep_start: { request: SweepScope; response: null };
  sweep_cancel: { request: null; response: null };
  monitor_settings: { request: null; response: MonitorSettings };
  monitor_settings_save: { request: MonitorSettings; response: MonitorSettings };
  demo_start: { request: null; response: AppStatus };
};

export type CommandName = keyof Commands;

/** Events the backend emits, by name, with their payloads. */
export type Events = {
  "inventory-changed": InventoryChanged;
  "sweep-progress": SweepProgress;
  "fleet-updated": SweepReport;
};
