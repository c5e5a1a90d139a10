import type { Commons, FieldMapping, MeshAnswers, MeshHub, MeshMemberAnswer, MeshMemberSpec } from '../backend/backend';

/** The mesh wizard's steps in order. */
export const MESH_STEPS = [
  { n: 1, id: 'hub', name: 'Name and hub' },
  { n: 2, id: 'members', name: 'Members' },
  { n: 3, id: 'mapping', name: 'Metadata mapping' },
  { n: 4, id: 'review', name: 'Review' },
  { n: 5, id: 'launch', name: 'Launch' },
] as const;

export const MESH_STEP_MAPPING = 3;
export const MESH_STEP_REVIEW = 4;
export const MESH_STEP_LAUNCH = 5;
export const MESH_LAST_STEP = MESH_STEPS.length;

export function meshStepName(n: number): string {
  return MESH_STEPS.find((s) => s.n === n)?.name ?? `Step ${n}`;
}

// The defaults below mirror the Rust `Default` impls in mesh/wizard.rs and mesh/aggmds.rs, so the
// wizard shows what the backend would use for a key the answers leave out.

/** The `_guid_type` the gen3 adapter reads when a member does not say. */
export const DEFAULT_GUID_TYPE = 'discovery_metadata';
/** The record object the gen3 adapter maps when a member does not say. */
export const DEFAULT_STUDY_FIELD = 'gen3_discovery';

export function defaultMeshAnswers(): MeshAnswers {
  return {
    name: '',
    description: '',
    hub: { commons_id: null, name: '', base_url: '', gitops_folder: '' },
    members: [],
    aggmds_namespace: 'default_namespace',
    es_endpoint: '',
    cache_drs: false,
    wts: true,
    indexd_dist: true,
    aggmds_json: null,
  };
}

/** The mappings the backend writes for a member whose `field_mappings` is null. */
export function defaultFieldMappings(memberName: string): Record<string, FieldMapping> {
  return {
    _unique_id: 'path:_unique_id',
    full_name: 'path:project_title',
    study_description: { path: 'study_description', filters: ['strip_html'] },
    tags: 'path:tags',
    authz: 'path:authz',
    _subjects_count: { path: '_subjects_count', default: 0 },
    commons: memberName,
  };
}

function spec(name: string, baseUrl: string): MeshMemberSpec {
  return {
    name,
    base_url: baseUrl,
    mds_url: null,
    guid_type: null,
    study_field: null,
    field_mappings: null,
    select_field: null,
    keep_original_fields: false,
  };
}

/** A member for a commons of the inventory, listed under its inventory name. */
export function memberFromCommons(c: Commons): MeshMemberAnswer {
  return {
    commons_id: c.id,
    adapter: spec(c.name, c.base_url),
    indexd_prefix: '',
    wts_client_id: '',
    login_through_hub: false,
    hub_client_id: '',
  };
}

/** A member known only by its URL (not in the inventory; saving the mesh adds it as associated). */
export function externalMember(name: string, baseUrl: string): MeshMemberAnswer {
  return { ...memberFromCommons({ id: '', name, base_url: baseUrl } as Commons), commons_id: null };
}

/** The hub for a commons of the inventory; its gitops folder comes from the inventory when it has one. */
export function hubFromCommons(c: Commons, folder: string): MeshHub {
  return {
    commons_id: c.id,
    name: c.name,
    base_url: c.base_url,
    gitops_folder: c.deployment.kind === 'gitops' ? c.deployment.folder : folder,
  };
}

/**
 * `https://host[:port]` from what the operator typed (a hostname or a URL); null when it is not
 * a web address.
 */
export function normalizeUrl(typed: string): string | null {
  const text = typed.trim();
  if (!text) return null;
  try {
    const url = new URL(text.includes('://') ? text : `https://${text}`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (!url.hostname.includes('.') && url.hostname !== 'localhost' && !/^\d+\.\d+\.\d+\.\d+$/.test(url.hostname)) return null;
    return url.origin;
  } catch {
    return null;
  }
}

type Loose = Record<string, unknown>;

function isObject(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function memberFrom(saved: unknown): MeshMemberAnswer | null {
  if (!isObject(saved) || !isObject(saved.adapter)) return null;
  const adapter = saved.adapter;
  const base = externalMember(String(adapter.name ?? ''), String(adapter.base_url ?? ''));
  return {
    ...base,
    ...saved,
    commons_id: typeof saved.commons_id === 'string' ? saved.commons_id : null,
    adapter: { ...base.adapter, ...adapter },
  } as MeshMemberAnswer;
}

/** A mesh draft's saved answers over today's defaults (an older draft may lack keys). */
export function meshAnswersFrom(saved: unknown): MeshAnswers {
  const d = defaultMeshAnswers();
  if (!isObject(saved)) return d;
  const members = Array.isArray(saved.members) ? saved.members.map(memberFrom).filter((m) => m !== null) : [];
  return {
    ...d,
    ...saved,
    hub: isObject(saved.hub) ? ({ ...d.hub, ...saved.hub } as MeshHub) : d.hub,
    members,
    aggmds_json: typeof saved.aggmds_json === 'string' ? saved.aggmds_json : null,
  } as MeshAnswers;
}

/** What the drafts list shows for a mesh draft. */
export function meshDraftTitle(a: MeshAnswers): string {
  return a.name.trim() || a.hub.name.trim() || 'New mesh';
}

/** The commons names an AggMDS configuration lists (its `adapter_commons`), or an error in words. */
export function aggmdsCommons(json: string): { names: string[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    return { error: `The AggMDS configuration is not valid JSON: ${(err as Error).message}.` };
  }
  if (!isObject(parsed)) return { error: 'The AggMDS configuration must be a JSON object with an adapter_commons object.' };
  if (!isObject(parsed.adapter_commons)) return { error: 'The AggMDS configuration has no adapter_commons object: the hub would aggregate nothing.' };
  const names = Object.entries(parsed.adapter_commons).map(([key, v]) =>
    isObject(v) && typeof v.commons_name === 'string' ? v.commons_name : key,
  );
  return { names };
}

/** What keeps the operator on step `n` (1-3), in words, worst first; empty when nothing does. */
export function meshStepProblems(a: MeshAnswers, n: number): string[] {
  const out: string[] = [];
  if (n === 1) {
    if (!a.name.trim()) out.push('Give the mesh a name.');
    if (!a.hub.base_url.trim()) out.push('Choose the hub: the commons whose metadata service aggregates the others.');
    else if (!normalizeUrl(a.hub.base_url)) out.push(`The hub's URL ${a.hub.base_url} is not a web address.`);
    if (!a.hub.gitops_folder.trim()) out.push("Choose the hub's commons folder in your gen3-gitops clone: the mesh is written into its values.");
  } else if (n === 2) {
    if (a.members.length === 0) out.push('Add at least one member commons to the mesh.');
    const seen = new Set<string>();
    const hub = normalizeUrl(a.hub.base_url);
    for (const m of a.members) {
      const name = m.adapter.name.trim();
      const where = m.adapter.base_url;
      if (!name) out.push(`The member at ${where} needs a name for the hub to list.`);
      else if (seen.has(name)) out.push(`Two members are listed as ${name}: the hub needs a different name for each.`);
      seen.add(name);
      if (!normalizeUrl(where)) out.push(`${name || 'A member'}: ${where || 'no URL'} is not a web address.`);
      else if (hub && normalizeUrl(where) === hub) out.push(`${name || where} is the hub itself; the hub aggregates its own records without being a member.`);
      if (m.login_through_hub && !m.hub_client_id.trim())
        out.push(`${name || where} logs in through the hub: enter the client id the hub's fence gave it.`);
    }
  } else if (n === 3) {
    if (a.aggmds_json !== null) {
      const parsed = aggmdsCommons(a.aggmds_json);
      if ('error' in parsed) out.push(parsed.error);
      return out;
    }
    for (const m of a.members) {
      const select = m.adapter.select_field;
      if (select && !select.field_name.trim() && select.field_value.trim())
        out.push(`${m.adapter.name}: name the field whose value must be ${select.field_value} to keep a record.`);
    }
  }
  return out;
}
