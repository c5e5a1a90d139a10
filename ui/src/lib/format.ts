import type { Commons, CommonsDraft, Deployment, Environment, Relation } from './backend/backend';

export const ENVIRONMENTS: { value: Environment; label: string }[] = [
  { value: 'production', label: 'Production' },
  { value: 'staging', label: 'Staging' },
  { value: 'dev', label: 'Dev' },
  { value: 'other', label: 'Other' },
];

export const RELATIONS: { value: Relation; label: string }[] = [
  { value: 'we_run_it', label: 'We run it' },
  { value: 'associated', label: 'Associated' },
];

export function environmentLabel(env: Environment): string {
  return ENVIRONMENTS.find((e) => e.value === env)?.label ?? env;
}

export function relationLabel(rel: Relation): string {
  return RELATIONS.find((r) => r.value === rel)?.label ?? rel;
}

export function hostOf(baseUrl: string): string {
  return baseUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
}

export function deploymentLabel(d: Deployment): string {
  switch (d.kind) {
    case 'gitops':
      return `GitOps folder ${d.folder}`;
    case 'kube':
      return `Kubernetes context ${d.context}, namespace ${d.namespace}`;
    default:
      return 'Unknown';
  }
}

// Spelled out rather than Intl: ICU versions disagree on abbreviations ("Sep" vs "Sept").
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "12 Dec 2026, 14:05" in local time. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "14:05:12" in local time. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The hover text for a local date: the same instant in UTC. */
export function utcTitle(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function emptyDraft(): CommonsDraft {
  return {
    name: '',
    base_url: '',
    environment: 'dev',
    relation: 'we_run_it',
    owner: '',
    contact: '',
    tags: [],
    notes: '',
    expected_release: null,
    deployment: { kind: 'unknown' },
    meshes: [],
  };
}

export function draftOf(c: Commons): CommonsDraft {
  const { id: _id, created_at: _c, updated_at: _u, ...draft } = c;
  return { ...draft, tags: [...draft.tags], meshes: [...draft.meshes], deployment: { ...draft.deployment } };
}
