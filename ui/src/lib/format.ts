import type { IconName } from './components/Icon.svelte';
import type { Commons, CommonsDraft, Deployment, Environment, ErrorCode, KeyStatus, Relation } from './backend/backend';

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

/** A count and its noun, grammatical: "1 line", "2 lines", "0 lines"; `many` when the plural is not `one` + "s". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
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
    ca_pem: null,
  };
}

export function draftOf(c: Commons): CommonsDraft {
  const { id: _id, created_at: _c, updated_at: _u, ...draft } = c;
  return { ...draft, tags: [...draft.tags], meshes: [...draft.meshes], deployment: { ...draft.deployment } };
}

const UNITS: [limitMs: number, unitMs: number, unit: string][] = [
  [60 * 60_000, 60_000, 'minute'],
  [24 * 3_600_000, 3_600_000, 'hour'],
  [60 * 86_400_000, 86_400_000, 'day'],
  [730 * 86_400_000, 30 * 86_400_000, 'month'],
  [Infinity, 365 * 86_400_000, 'year'],
];

/** "in 29 days", "3 hours ago", "just now": `ms` relative to `now` (both Unix ms). */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return 'just now';
  const [, unitMs, unit] = UNITS.find(([limit]) => abs < limit)!;
  const n = Math.floor(abs / unitMs);
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** "expires in 29 days" / "expired 3 days ago", from a key's `expires_at` (Unix seconds). */
export function expiryPhrase(expiresAtSecs: number, now: number = Date.now()): string {
  const ms = expiresAtSecs * 1000;
  return ms > now ? `expires ${relativeTime(ms, now)}` : `expired ${relativeTime(ms, now)}`;
}

export const KEY_STATUS: Record<KeyStatus, { icon: IconName; label: string }> = {
  valid: { icon: 'ok', label: 'Valid' },
  expiring: { icon: 'warn', label: 'Expires soon' },
  expired: { icon: 'down', label: 'Expired' },
  rejected: { icon: 'blocked', label: 'Rejected by the commons' },
};

export const REIMPORT_HINT = "Import a new credentials.json from the portal's Profile page.";

/** One line on what to do about a failed credential call, by error code; null when the message says it all. */
export function errorHint(code: ErrorCode): string | null {
  switch (code) {
    case 'key_expired':
    case 'key_rejected':
      return REIMPORT_HINT;
    case 'tls':
      return "This is a certificate problem. If the commons uses a private certificate authority, your operator must add that CA to this computer's trusted certificates.";
    case 'unreachable':
      return 'Check the network, VPN or proxy, and that the commons is up.';
    case 'not_gen3':
      return "Check the commons' URL: it did not answer like a Gen3 commons.";
    case 'malformed_response':
      return 'The commons answered in an unexpected format; its fence may be a different version or misconfigured.';
    case 'unauthorized':
      return "The key's user may lack access; check the user's permissions in user.yaml or import another key.";
    case 'vault_locked':
      return 'Unlock the credential vault with its passphrase on the Credentials page.';
    case 'keyring_unavailable':
      return 'Set up a vault passphrase on the Credentials page.';
    case 'key_set_aside':
      return "If the commons really moved, confirm its new URL for this key on the Credentials page; otherwise correct the commons' URL.";
    default:
      return null;
  }
}
