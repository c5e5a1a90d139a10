// Generated from the Rust types in src-tauri/crates/csoc-core (api.rs). Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p csoc-core bindings` after changing them.

export type ErrorCode = "invalid" | "not_found" | "conflict" | "db_too_new" | "db_corrupt" | "db_unavailable" | "io";

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
meshes: Array<string>, };

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
meshes: Array<string>, };

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
moved_aside_to: string | null, };

export type InventoryChanged = { 
/**
 * Unix ms of the change.
 */
at: number, };

export type ExportSummary = { path: string, commons: number, meshes: number, };

export type ImportSummary = { added: number, updated: number, meshes: number, };

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
};

export type CommandName = keyof Commands;

/** Events the backend emits, by name, with their payloads. */
export type Events = {
  "inventory-changed": InventoryChanged;
};
