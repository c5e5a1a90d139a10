import type { HistoryPoint, HistoryRange } from '../../backend/backend';

/** Plot area inside the SVG's viewBox; the margins hold the axis labels. */
export const W = 640;
export const H = 180;
export const M = { top: 10, right: 12, bottom: 26, left: 48 };
export const PW = W - M.left - M.right;
export const PH = H - M.top - M.bottom;

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An x-axis tick label suited to the range: hours for a day, dates otherwise. */
function tickLabel(ms: number, range: HistoryRange): string {
  const d = new Date(ms);
  return range === 'day' ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

export type Tick = { x: number; label: string };
export type Scale = { x: (ms: number) => number; ticks: Tick[] };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Tick spacings, smallest first: clock-aligned minutes and hours, then whole local days. */
const STEPS = [
  ...[1, 2, 5, 10, 15, 30].map((n) => n * MINUTE),
  ...[1, 2, 3, 6, 12].map((n) => n * HOUR),
  ...[1, 2, 7, 14].map((n) => n * DAY),
];
const MAX_TICKS = 6;
/** Width of one character of an 11px axis label (about 0.6 em), and the least room between two labels. */
const CHAR_PX = 6.6;
const LABEL_GAP = 8;

const labelWidth = (label: string) => label.length * CHAR_PX;
const dayLabel = (d: Date) => `${d.getDate()} ${MONTHS[d.getMonth()]}`;

/**
 * A tick's label. Midnight (and every tick of a day step) is the date; other ticks are the time of
 * day, with the date in front when the span is a day or more, where a time alone would repeat.
 */
function label(ms: number, step: number, span: number): string {
  const d = new Date(ms);
  if (step >= DAY || (d.getHours() === 0 && d.getMinutes() === 0)) return dayLabel(d);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return span >= DAY ? `${dayLabel(d)} ${time}` : time;
}

/** The instants in [first, last] on the local clock's multiples of `step` (local midnights for days). */
function instants(first: number, last: number, step: number): number[] {
  const d = new Date(first);
  const out: number[] = [];
  if (step < DAY) {
    const minutes = d.getHours() * 60 + d.getMinutes();
    d.setHours(0, minutes - (minutes % (step / MINUTE)), 0, 0);
    for (let t = d.getTime(); t <= last && out.length <= MAX_TICKS; t += step) if (t >= first) out.push(t);
  } else {
    d.setHours(0, 0, 0, 0);
    if (d.getTime() < first) d.setDate(d.getDate() + 1);
    for (; d.getTime() <= last && out.length <= MAX_TICKS; d.setDate(d.getDate() + step / DAY)) out.push(d.getTime());
  }
  return out;
}

/** Labels that do not overlap each other and stay inside the chart (the last one inside the plot). */
function fits(ticks: Tick[]): boolean {
  return ticks.every((t, i) => {
    const half = labelWidth(t.label) / 2;
    const prev = ticks[i - 1];
    return (
      t.x - half >= 0 &&
      t.x + half <= M.left + PW &&
      (!prev || prev.x + labelWidth(prev.label) / 2 + LABEL_GAP <= t.x - half)
    );
  });
}

/**
 * Ticks for the x axis between `first` and `last`: the smallest clock-aligned step giving at most
 * six labels that fit, each label distinct. A label that would run past the plot's right edge is
 * dropped rather than cut; a single instant, or a span too short for any aligned one, gets one tick at its start.
 */
export function timeTicks(first: number, last: number, x: (ms: number) => number, range: HistoryRange): Tick[] {
  const span = last - first;
  // One instant is labelled as the range labels it: its time of day, or its date.
  for (const step of span > 0 ? STEPS : []) {
    const at = instants(first, last, step);
    if (at.length === 0 || at.length > MAX_TICKS) continue;
    const seen = new Set<string>();
    // A clock set back (daylight saving's end) can show the same time twice: keep the first.
    const ticks = at
      .map((ms) => ({ x: x(ms), label: label(ms, step, span) }))
      .filter((t) => !seen.has(t.label) && seen.add(t.label));
    if (fits(ticks)) return ticks;
    const inside = ticks.slice(0, -1);
    if (inside.length > 0 && fits(inside)) return inside;
  }
  return [{ x: x(first), label: tickLabel(first, range) }];
}

/** Time scale over the points' span; a single instant sits in the middle of the plot. */
export function timeScale(points: HistoryPoint[], range: HistoryRange): Scale {
  if (points.length === 0) return { x: () => M.left + PW / 2, ticks: [] };
  const first = points[0].at;
  const last = points[points.length - 1].at;
  const span = last - first;
  const x = (ms: number) => (span <= 0 ? M.left + PW / 2 : M.left + ((ms - first) / span) * PW);
  return { x, ticks: timeTicks(first, last, x, range) };
}

/** A "nice" upper bound for a latency axis: 1, 2 or 5 × a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * pow >= value)!;
  return step * pow;
}
