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
export function tickLabel(ms: number, range: HistoryRange): string {
  const d = new Date(ms);
  return range === 'day' ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

export type Scale = { x: (ms: number) => number; ticks: { x: number; label: string }[] };

/** Time scale over the points' span with about five labelled ticks. */
export function timeScale(points: HistoryPoint[], range: HistoryRange): Scale {
  const first = points[0]?.at ?? 0;
  const last = points[points.length - 1]?.at ?? first;
  const span = Math.max(1, last - first);
  const x = (ms: number) => M.left + ((ms - first) / span) * PW;
  const count = Math.min(5, points.length);
  const ticks =
    count < 2
      ? points.map((p) => ({ x: M.left + PW / 2, label: tickLabel(p.at, range) }))
      : Array.from({ length: count }, (_, i) => {
          const at = first + (span * i) / (count - 1);
          return { x: x(at), label: tickLabel(at, range) };
        });
  return { x, ticks };
}

/** A "nice" upper bound for a latency axis: 1, 2 or 5 × a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * pow >= value)!;
  return step * pow;
}
