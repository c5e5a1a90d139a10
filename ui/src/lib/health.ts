import { plural } from './format';
import type { BoardProblem, CertInfo, FleetSummary, HistoryRange, ServiceState, ServiceStatus } from './backend/backend';
import type { IconName } from './components/Icon.svelte';

/** Every state has an icon and a word as well as a colour (UX.md: state is never colour alone). */
export const STATE: Record<ServiceState, { icon: IconName; label: string; short: string }> = {
  healthy: { icon: 'ok', label: 'Healthy', short: 'OK' },
  degraded: { icon: 'warn', label: 'Degraded', short: 'Degr.' },
  down: { icon: 'down', label: 'Down', short: 'Down' },
  not_deployed: { icon: 'dash', label: 'Not deployed', short: 'n/a' },
  // No short word: the icon is the question mark itself, and a "?" beside it would say it twice.
  unknown: { icon: 'unknown', label: 'Unknown', short: '' },
  needs_key: { icon: 'key', label: 'Needs a key', short: 'key' },
};

export const RANGES: { value: HistoryRange; label: string }[] = [
  { value: 'day', label: '24 h' },
  { value: 'week', label: '7 d' },
  { value: 'month', label: '30 d' },
];

/** Certificates closer than this to expiry are flagged (matches the backend's summary). */
export const CERT_SOON_DAYS = 14;
const DAY_MS = 86_400_000;

export type SummaryField = keyof Omit<FleetSummary, 'commons' | 'healthy' | 'commons_with_services_down'>;

/** The problems line, worst first; each entry renders only when its count is above zero and, as a
 *  link, narrows the board to the commons it counts (`problem`). */
export const SUMMARY: { field: SummaryField; problem: BoardProblem; words: (n: number) => string }[] = [
  { field: 'commons_down', problem: 'down', words: (n) => `${n} commons down` },
  { field: 'services_down', problem: 'services_down', words: (n) => `${plural(n, 'service')} down` },
  { field: 'certs_expired', problem: 'certs_expired', words: (n) => `${plural(n, 'certificate')} expired` },
  { field: 'keys_expired', problem: 'keys_expired', words: (n) => `${plural(n, 'API key')} expired or rejected` },
  { field: 'commons_degraded', problem: 'degraded', words: (n) => `${n} commons degraded` },
  {
    field: 'certs_expiring',
    problem: 'certs_expiring',
    words: (n) => `${plural(n, 'certificate expires', 'certificates expire')} within ${CERT_SOON_DAYS} days`,
  },
  { field: 'keys_expiring', problem: 'keys_expiring', words: (n) => `${plural(n, 'API key expires', 'API keys expire')} soon` },
  { field: 'checks_failing', problem: 'checks_failing', words: (n) => `${n} commons with a failing outside-in check` },
  { field: 'drifting', problem: 'drifting', words: (n) => `${n} on another release` },
  { field: 'unreachable_here', problem: 'unreachable_here', words: (n) => `${n} unreachable from here` },
  { field: 'never_checked', problem: 'never_checked', words: (n) => `${n} never checked` },
];

/** The board's state filter: the commons' overall state. */
export const BOARD_STATES: { value: BoardProblem; label: string }[] = [
  { value: 'down', label: 'Down' },
  { value: 'degraded', label: 'Degraded' },
  { value: 'healthy', label: 'Healthy' },
  { value: 'unreachable_here', label: 'Unreachable from here' },
  { value: 'never_checked', label: 'Never checked' },
];

/** Whole days from `now` to a Unix-seconds instant; negative once past. */
export function daysLeft(unixSecs: number, now: number = Date.now()): number {
  return Math.floor((unixSecs * 1000 - now) / DAY_MS);
}

export type CertLevel = 'ok' | 'warn' | 'bad' | 'none';

export function certLevel(cert: CertInfo | null, now: number = Date.now()): CertLevel {
  if (!cert || cert.not_after === null) return cert?.problem ? 'bad' : 'none';
  if (cert.problem) return 'bad';
  const days = daysLeft(cert.not_after, now);
  if (days < 0) return 'bad';
  return days <= CERT_SOON_DAYS ? 'warn' : 'ok';
}

/** "23 d", "expired", or "—" for the board's certificate column. */
export function certShort(cert: CertInfo | null, now: number = Date.now()): string {
  if (!cert || cert.not_after === null) return cert?.problem ? 'problem' : '—';
  const days = daysLeft(cert.not_after, now);
  return days < 0 ? 'expired' : `${days} d`;
}

/** One line for a service's tooltip: full state word, version, latency, detail. */
export function serviceTitle(service: string, s: ServiceStatus | undefined): string {
  if (!s) return `${service}: ${STATE.unknown.label} (not checked yet)`;
  const parts = [`${service}: ${STATE[s.state].label}`];
  if (s.version) parts.push(`version ${s.version}`);
  if (s.latency_ms !== null) parts.push(`${Math.round(s.latency_ms)} ms`);
  if (s.detail) parts.push(s.detail);
  return parts.join(' · ');
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** 1 536 → "1.5 KB" (decimal units, as storage is billed). */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 || value >= 100 ? Math.round(value) : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** 1 234 567 → "1.2M". */
export function formatCount(n: number | null): string {
  if (n === null) return '—';
  if (n < 1000) return String(n);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const [size, suffix] = units.find(([size]) => n >= size)!;
  const v = n / size;
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)}${suffix}`;
}
