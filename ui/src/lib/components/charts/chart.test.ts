import { describe, expect, it } from 'vitest';
import type { HistoryPoint, HistoryRange } from '../../backend/backend';
import { M, PW, W, timeScale, type Tick } from './chart';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// Local time, as the labels are: 3 Dec 2026, 14:07.
const START = new Date(2026, 11, 3, 14, 7).getTime();

/** `n` points evenly over `span` ms from `from`. */
function points(n: number, span: number, from = START): HistoryPoint[] {
  return Array.from({ length: n }, (_, i) => ({ at: from + (n > 1 ? (span * i) / (n - 1) : 0), uptime: 1, latency_ms: 10 }));
}

const CHAR_PX = 6.6;
const labels = (ticks: Tick[]) => ticks.map((t) => t.label);

/** The promises of the axis: distinct labels, in order, not overlapping, none past the plot's right edge. */
function expectReadable(ticks: Tick[]) {
  expect(ticks.length).toBeGreaterThan(0);
  expect(new Set(labels(ticks)).size, labels(ticks).join(' | ')).toBe(ticks.length);
  ticks.forEach((t, i) => {
    const half = (t.label.length * CHAR_PX) / 2;
    expect(t.x - half).toBeGreaterThanOrEqual(0);
    expect(t.x + half, `"${t.label}" is cut`).toBeLessThanOrEqual(M.left + PW);
    if (i > 0) {
      const prev = ticks[i - 1];
      expect(prev.x + (prev.label.length * CHAR_PX) / 2).toBeLessThan(t.x - half);
    }
  });
}

describe('time axis ticks', () => {
  it('labels a day and a half of the week view without repeating a date', () => {
    // The old axis put five date labels on it: "3 Dec, 3 Dec, 4 Dec, 4 Dec, 4 Dec".
    const { ticks } = timeScale(points(37, 36 * HOUR), 'week');
    expectReadable(ticks);
    expect(labels(ticks)).toContain('4 Dec');
  });

  it('labels two days of the week view by day and time', () => {
    const { ticks } = timeScale(points(48, 47 * HOUR), 'week');
    expectReadable(ticks);
    // "5 Dec 12:00" would run past the plot's edge: dropped.
    expect(labels(ticks)).toEqual(['4 Dec', '4 Dec 12:00', '5 Dec']);
  });

  it('labels a few minutes by the minute, not five copies of the same hour', () => {
    // The old axis: "14:07, 14:07, 14:08, 14:08, 14:09".
    const { ticks } = timeScale(points(5, 2 * MIN), 'day');
    expectReadable(ticks);
    // 14:09 is the plot's last instant: its label, centred on the edge, would be cut, so it is dropped.
    expect(labels(ticks)).toEqual(['14:07', '14:08']);
  });

  it('gives a span shorter than a minute one tick at its start', () => {
    const { ticks } = timeScale(points(3, 20_000), 'day');
    expect(labels(ticks)).toEqual(['14:07']);
  });

  it('puts a single sample and its one label in the middle of the plot', () => {
    const scale = timeScale(points(1, 0), 'month');
    expect(scale.ticks).toEqual([{ x: M.left + PW / 2, label: '3 Dec' }]);
    expect(scale.x(START)).toBe(M.left + PW / 2);
  });

  it('has no ticks without points', () => {
    expect(timeScale([], 'day').ticks).toEqual([]);
  });

  it('drops a last label that would run past the plot rather than cut it', () => {
    // 30 days ending exactly at midnight: the last midnight's label would be centred on the plot's edge.
    const from = new Date(2026, 10, 3, 0, 0).getTime();
    const to = new Date(2026, 11, 3, 0, 0).getTime();
    const { ticks } = timeScale(points(31, to - from, from), 'month');
    expectReadable(ticks);
    expect(ticks[ticks.length - 1].x).toBeLessThan(M.left + PW);
    // The old axis centred "3 Dec" on x = 628 of a 640-wide chart: half of it was outside.
    expect(M.left + PW + (5 * CHAR_PX) / 2).toBeGreaterThan(W);
  });

  it('keeps every label distinct and inside the plot from one minute to thirty days', () => {
    const spans = [MIN, 3 * MIN, 17 * MIN, HOUR, 5 * HOUR, 23 * HOUR, DAY, 26 * HOUR, 36 * HOUR, 2 * DAY, 3 * DAY, 7 * DAY, 10 * DAY, 30 * DAY];
    const offsets = [0, 13 * MIN, 9 * HOUR + 59 * MIN, 23 * HOUR + 30 * MIN];
    const ranges: HistoryRange[] = ['day', 'week', 'month'];
    for (const span of spans)
      for (const offset of offsets)
        for (const range of ranges) {
          const { ticks } = timeScale(points(25, span, START + offset), range);
          expectReadable(ticks);
          expect(ticks.length).toBeLessThanOrEqual(6);
        }
  });
});
