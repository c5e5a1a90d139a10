import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { FleetView, ServiceState, SweepReport } from './lib/backend/backend';
import { fail, fakeBackend, resetBackend, type Handlers } from './testing/backend';
import { commonsOf, fleetOf, healthDetailOf, healthOf } from './testing/builders';

// The web view's memory grew under 5 s sweeps (issue 14). These tests apply many fleet updates and
// screen changes and check that what the UI keeps — backend listeners, window listeners, DOM nodes,
// toasts, timers — stays bounded.

const COMMONS = Array.from({ length: 100 }, (_, i) => commonsOf(`c${i}`, `Commons ${i}`, { environment: 'dev' }));
const STATES: ServiceState[] = ['healthy', 'degraded', 'down'];

/** The board after sweep `n`: every row's states and times change, as they do between sweeps. */
function fleetAfter(n: number): FleetView {
  const at = Date.now() + n * 5000;
  return fleetOf(
    COMMONS.map((c, i) => {
      const h = healthOf(c, { last_attempted: at, last_successful: at });
      h.services = h.services.map((s, j) => ({ ...s, state: STATES[(n + i + j) % 3], latency_ms: 100 + ((n * 7 + i) % 50) }));
      return h;
    }),
  );
}

const SWEEP: SweepReport = { probed: 100, reachable: 100, cancelled: false, changes: [], alerts: [] };

/**
 * The shared fake backend with a fleet that changes at every sweep; commands without a handler stay
 * unanswered, so no error toast muddies the counts.
 */
function sweepingBackend(handlers: Handlers = {}) {
  const fleet = { sweep: 0, fails: false };
  const rust = fakeBackend({
    commons: COMMONS,
    unanswered: 'pending',
    handlers: {
      fleet_view: () => (fleet.fails ? fail('db_unavailable', 'The cache is busy.') : fleetAfter(fleet.sweep)),
      ...handlers,
    },
  });
  return { rust, fleet };
}

type Sweeping = ReturnType<typeof sweepingBackend>;

/** Lets the UI read and render what the last event asked for. */
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

async function sweeps({ rust, fleet }: Sweeping, n: number) {
  for (let i = 0; i < n; i++) {
    fleet.sweep++;
    for (let done = 0; done <= 100; done += 25) await rust.emit('sweep-progress', { done, total: 100 });
    await rust.emit('fleet-updated', SWEEP);
    await settle();
  }
}

/** Counts the window's and document's listeners as they are added and removed. */
function countWindowListeners() {
  const live = new Map<string, number>();
  const targets = [window, document] as const;
  const originals = targets.map((t) => ({ t, add: t.addEventListener, remove: t.removeEventListener }));
  for (const { t, add, remove } of originals) {
    t.addEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
      live.set(type, (live.get(type) ?? 0) + 1);
      return (add as (...a: unknown[]) => void).call(this, type, ...rest);
    } as typeof t.addEventListener;
    t.removeEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
      live.set(type, (live.get(type) ?? 0) - 1);
      return (remove as (...a: unknown[]) => void).call(this, type, ...rest);
    } as typeof t.removeEventListener;
  }
  return {
    total: () => [...live.values()].reduce((a, b) => a + b, 0),
    restore: () => originals.forEach(({ t, add, remove }) => Object.assign(t, { addEventListener: add, removeEventListener: remove })),
  };
}

afterEach(resetBackend);

describe('what the UI keeps across sweeps', () => {
  it('keeps the board, its listeners and toasts the same size over 30 fleet updates', async () => {
    const backend = sweepingBackend();
    render(App);
    await screen.findAllByTestId('board-row');
    await sweeps(backend, 5);
    const nodes = document.body.querySelectorAll('*').length;
    const listeners = backend.rust.liveListeners();
    expect(listeners).toBeGreaterThan(0);

    await sweeps(backend, 30);
    expect(document.body.querySelectorAll('*').length).toBe(nodes);
    expect(backend.rust.liveListeners()).toBe(listeners);
    expect(screen.getByTestId('toasts').children).toHaveLength(0);
  }, 120_000);

  it('shows a failure repeated at every sweep as one toast, not one per sweep', async () => {
    const backend = sweepingBackend();
    render(App);
    await screen.findAllByTestId('board-row');
    backend.fleet.fails = true;
    await sweeps(backend, 20);
    await waitFor(() => expect(screen.getByTestId('toasts').children).toHaveLength(1));
    expect(screen.getByTestId('toasts')).toHaveTextContent('The cache is busy.');
  }, 120_000);

  it('keeps the history charts to one node per interval as sweeps come in', async () => {
    const HOUR = 3_600_000;
    const backend: Sweeping = sweepingBackend({
      commons_health: () =>
        healthDetailOf(fleetAfter(backend.fleet.sweep).rows[0], {
          range: 'day',
          // The day's 24 intervals move on by one with every read, as the clock does.
          history: Array.from({ length: 24 }, (_, i) => ({
            at: (backend.fleet.sweep + i) * HOUR,
            uptime: i % 5 === 0 ? null : 0.99,
            latency_ms: 100 + i,
          })),
        }),
      commons_get: () => COMMONS[0],
    });
    render(App);
    await userEvent.click((await screen.findAllByTestId('board-row'))[0]);
    await userEvent.click(await screen.findByTestId('tab-history', {}, { timeout: 15_000 }));
    await screen.findByTestId('uptime-chart', {}, { timeout: 15_000 });
    await sweeps(backend, 30);
    const uptime = screen.getByTestId('uptime-chart');
    expect(uptime.querySelectorAll('rect')).toHaveLength(24);
    expect(screen.getByTestId('latency-chart').querySelectorAll('polyline, circle').length).toBeLessThanOrEqual(24);
    expect(uptime.querySelectorAll('text').length).toBeLessThanOrEqual(3 + 6);
  }, 120_000);
});

describe('listeners are removed with the screens that added them', () => {
  it('leaves no window listener or backend listener behind after visiting every screen four times', async () => {
    const windowListeners = countWindowListeners();
    try {
      const { rust } = sweepingBackend();
      render(App);
      await screen.findAllByTestId('board-row');
      await settle();
      const baseWindow = windowListeners.total();
      const baseBackend = rust.liveListeners();
      const screens = ['commons', 'credentials', 'meshes', 'wizards', 'activity', 'settings', 'fleet'];
      for (let round = 0; round < 4; round++) {
        for (const s of screens) {
          await userEvent.click(screen.getByTestId(`nav-${s}`));
          await settle();
        }
      }
      await settle();
      expect(windowListeners.total()).toBe(baseWindow);
      expect(rust.liveListeners()).toBe(baseBackend);
    } finally {
      windowListeners.restore();
    }
  }, 120_000);

  it("removes Settings' team listener even when Settings closes before the listener is registered", async () => {
    const { rust } = sweepingBackend();
    render(App);
    await screen.findAllByTestId('board-row');
    await settle();
    const base = rust.liveListeners();
    const hold = rust.holdListens();
    await userEvent.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('monitoring-settings');
    await waitFor(() => expect(hold.waiting()).toBeGreaterThan(0));
    await userEvent.click(screen.getByTestId('nav-fleet'));
    await settle();
    hold.release();
    await settle();
    expect(rust.liveListeners()).toBe(base);
  }, 120_000);

  it('removes every backend listener when the app unmounts', async () => {
    const { rust } = sweepingBackend();
    const { unmount } = render(App);
    await screen.findAllByTestId('board-row');
    expect(rust.liveListeners()).toBeGreaterThan(0);
    unmount();
    await settle();
    expect(rust.liveListeners()).toBe(0);
  }, 120_000);
});
