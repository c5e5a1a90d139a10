import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../backend/backend';
import UptimeChart from './UptimeChart.svelte';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 11, 3, 14, 0);
const points = (uptimes: (number | null)[]): HistoryPoint[] =>
  uptimes.map((uptime, i) => ({ at: now - (uptimes.length - i) * HOUR, uptime, latency_ms: null }));

afterEach(cleanup);

describe('uptime chart', () => {
  it('does not call a single interval an average', () => {
    render(UptimeChart, { points: points([null, null, 1]), range: 'day' });
    const chart = screen.getByTestId('uptime-chart');
    expect(chart.textContent).toContain('one interval measured so far');
    expect(chart.textContent).not.toMatch(/average \d/);
  });

  it('averages two or more intervals', () => {
    render(UptimeChart, { points: points([1, 0.5, null]), range: 'day' });
    expect(screen.getByTestId('uptime-chart').textContent).toContain('average 75.0%');
  });
});
