import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { Commons, CommonsHealth, CommonsHealthDetail, FleetView, HistoryRange, SweepReport } from './lib/backend/backend';
import { fakeBackend, resetBackend, type FakeOptions, type Handlers } from './testing/backend';
import { commonsOf, fleetOf, healthOf, statusOf, summaryOf } from './testing/builders';

const commons = (id: string, name: string, host: string, environment: Commons['environment']) =>
  commonsOf(id, name, { base_url: `https://${host}`, environment, tags: ['nih'], expected_release: '2026.10' });

const HUB = commons('p1', 'Data Hub', 'gen3.datahub.org', 'production');
const DEV = commons('d1', 'Dev sandbox', 'dev.example.org', 'dev');
const nowSecs = () => Math.floor(Date.now() / 1000);

/** The hub is up but its indexd is down and its certificate is close to expiry; the sandbox is unreachable. */
function troubledRows(): CommonsHealth[] {
  const hub = healthOf(HUB, {
    overall: 'degraded',
    cert: { not_after: nowSecs() + 5 * 86_400 + 3600, problem: null },
    key: { status: 'expired', expires_at: nowSecs() - 86_400 },
    drift: ['fence 2025.06'],
  });
  hub.services[1] = { ...hub.services[1], state: 'down', detail: 'HTTP 503 from /index/_status', latency_ms: null };
  const dev = healthOf(DEV, {
    overall: 'down',
    error: 'dev.example.org did not answer within 10 s (connection timed out).',
    services: healthOf(DEV).services.map((s) => ({ ...s, state: 'down' as const, latency_ms: null })),
  });
  return [hub, dev];
}

function troubledFleet(): FleetView {
  return fleetOf(troubledRows(), {
    summary: summaryOf(2, { commons_down: 1, commons_degraded: 1, services_down: 6, certs_expiring: 1, keys_expired: 1, drifting: 1 }),
  });
}

function detailOf(health: CommonsHealth, range: HistoryRange): CommonsHealthDetail {
  const now = Date.now();
  const step = range === 'day' ? 3_600_000 : 86_400_000;
  return {
    health,
    range,
    history: Array.from({ length: 6 }, (_, i) => ({
      at: now - (5 - i) * step,
      uptime: i === 2 ? null : i === 5 ? 0 : 1,
      latency_ms: i === 2 || i === 5 ? null : 100 + i * 20,
    })),
    changes: [
      { commons_id: health.commons.id, commons_name: health.commons.name, service: 'commons', from: 'healthy', to: 'down', at: now - 600_000, detail: 'connection timed out' },
    ],
    read_at: now,
  };
}

/** The board `fleet` answers, each commons' health page showing its row with a history. */
const boardOf = (fleet: () => FleetView): Handlers => ({
  fleet_view: fleet,
  commons_health: ({ id, range }) => detailOf(fleet().rows.find((r) => r.commons.id === id)!, range),
});

/** The Rust side with the hub and the sandbox, which are also the demo fleet. */
const fakeRust = (options: FakeOptions = {}) => fakeBackend({ commons: [HUB, DEV], demo: [HUB, DEV], ...options });

afterEach(resetBackend);

describe('fleet board', () => {
  it('is the home screen and shows every commons × service with its state, production first', async () => {
    fakeRust({ handlers: boardOf(troubledFleet) });
    render(App);
    const board = await screen.findByTestId('fleet-board');
    expect(screen.getByTestId('nav-fleet')).toHaveAttribute('aria-current', 'page');
    const rows = within(board).getAllByTestId('board-row');
    expect(rows.map((r) => r.dataset.commons)).toEqual(['Data Hub', 'Dev sandbox']);
    expect(within(rows[0]).getByTestId('prod-badge')).toHaveTextContent('PROD');
    expect(within(rows[1]).queryByTestId('prod-badge')).not.toBeInTheDocument();
    expect(rows[0].dataset.overall).toBe('degraded');
    expect(rows[1].dataset.overall).toBe('down');

    const indexd = within(rows[0]).getByTestId('cell-indexd');
    expect(indexd).toHaveAttribute('data-state', 'down');
    // Never colour alone: an icon and a word, and the full story on hover.
    expect(indexd.querySelector('svg[data-icon="down"]')).not.toBeNull();
    expect(indexd).toHaveTextContent('Down');
    expect(indexd.getAttribute('title')).toContain('HTTP 503 from /index/_status');
    const fence = within(rows[0]).getByTestId('cell-fence');
    expect(fence).toHaveAttribute('data-state', 'healthy');
    expect(fence.getAttribute('title')).toBe('fence: Healthy · version 2026.10 · 120 ms');
    expect(within(rows[1]).getAllByRole('cell').filter((c) => c.dataset.state === 'down')).toHaveLength(5);

    expect(within(rows[0]).getByTestId('cert-cell')).toHaveAttribute('data-level', 'warn');
    expect(within(rows[0]).getByTestId('cert-cell')).toHaveTextContent('5 d');
    expect(within(rows[0]).getByTestId('key-cell')).toHaveAttribute('data-status', 'expired');
    expect(within(rows[0]).getByTestId('drift-marker')).toBeInTheDocument();
    expect(rows[0]).toHaveTextContent('1.2M');
    expect(rows[0]).toHaveTextContent('5.5 TB');
  });

  it('summarizes the problems in words, worst first, with their counts', async () => {
    fakeRust({ handlers: boardOf(troubledFleet) });
    render(App);
    const summary = await screen.findByTestId('fleet-summary');
    const parts = [...summary.querySelectorAll<HTMLElement>('[data-testid^="summary-"]')];
    expect(parts.map((p) => [p.dataset.testid, p.dataset.count])).toEqual([
      ['summary-commons_down', '1'],
      ['summary-services_down', '6'],
      ['summary-keys_expired', '1'],
      ['summary-commons_degraded', '1'],
      ['summary-certs_expiring', '1'],
      ['summary-drifting', '1'],
    ]);
    expect(summary).toHaveTextContent('1 commons down · 6 services down · 1 API key expired or rejected');
    expect(summary).toHaveTextContent('1 certificate expires within 14 days · 1 on another release');
    expect(screen.queryByTestId('summary-certs_expired')).not.toBeInTheDocument();
  });

  it('says all is well when nothing is wrong, and when it was checked', async () => {
    fakeRust();
    render(App);
    expect(await screen.findByTestId('fleet-summary')).toHaveTextContent('All 2 commons healthy');
    expect(screen.getByTestId('as-of')).toHaveTextContent(/As of \d+ \w{3} \d{4}, \d\d:\d\d \(2 minutes ago\)/);
    expect(screen.queryByTestId('offline-banner')).not.toBeInTheDocument();
  });

  it('shows the offline banner with the last known state still browsable', async () => {
    const attempted = Date.now() - 60_000;
    fakeRust({
      handlers: boardOf(() => {
        const f = troubledFleet();
        return { ...f, offline: true, freshness: { ...f.freshness, last_attempted: attempted, last_error: 'network unreachable' } };
      }),
    });
    render(App);
    const banner = await screen.findByTestId('offline-banner');
    expect(banner).toHaveTextContent(/No commons could be reached at \d+ \w{3} \d{4}, \d\d:\d\d\. Showing the last known state\./);
    expect(screen.getAllByTestId('board-row')).toHaveLength(2);
    expect(screen.getByTestId('as-of')).toHaveTextContent('last attempt failed: network unreachable');
  });

  it('passes the board filters to fleet_view', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.keyboard('/');
    expect(document.activeElement?.id).toBe('board-search');
    await userEvent.type(document.activeElement!, 'hub');
    await waitFor(() => expect(rust.named('fleet_view').at(-1)?.request).toMatchObject({ search: 'hub' }));
    await userEvent.selectOptions(document.querySelector<HTMLSelectElement>('#board-environment')!, 'production');
    await waitFor(() => expect(rust.named('fleet_view').at(-1)?.request).toMatchObject({ search: 'hub', environment: 'production' }));
  });
});

describe('sweeps', () => {
  it('"Check now" starts a sweep, shows its progress, and re-reads the board when it is done', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.click(screen.getByTestId('sweep-now'));
    await waitFor(() => expect(rust.named('sweep_start')).toEqual([{ cmd: 'sweep_start', request: { kind: 'all' } }]));

    await rust.emit('sweep-progress', { done: 1, total: 2 });
    const bar = await screen.findByRole('progressbar');
    expect(bar).toHaveAttribute('data-testid', 'sweep-progress');
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '1'));
    expect(bar).toHaveAttribute('aria-valuemax', '2');
    expect(screen.queryByTestId('sweep-now')).not.toBeInTheDocument();

    const readsBefore = rust.named('fleet_view').length;
    const report: SweepReport = { probed: 2, reachable: 2, cancelled: false, changes: [], alerts: [] };
    await rust.emit('fleet-updated', report);
    await waitFor(() => expect(screen.queryByTestId('sweep-progress')).not.toBeInTheDocument());
    expect(rust.named('fleet_view').length).toBeGreaterThan(readsBefore);
    expect(await screen.findByText('Checked 2 commons')).toBeInTheDocument();
    expect(screen.getByTestId('sweep-now')).toBeInTheDocument();
  });

  it('cancels a running sweep and says so', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.keyboard('r');
    await waitFor(() => expect(rust.named('sweep_start')).toHaveLength(1));
    await userEvent.click(await screen.findByTestId('sweep-cancel'));
    expect(rust.named('sweep_cancel')).toHaveLength(1);
    await rust.emit('fleet-updated', { probed: 1, reachable: 1, cancelled: true, changes: [], alerts: [] });
    expect(await screen.findByText('Sweep cancelled')).toBeInTheDocument();
    expect(screen.queryByTestId('sweep-progress')).not.toBeInTheDocument();
  });

  it('never says "Checked" after a check that reached nothing', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.click(screen.getByTestId('sweep-now'));
    await rust.emit('fleet-updated', { probed: 1, reachable: 0, cancelled: false, changes: [], alerts: [] });
    expect(await screen.findByText('Could not reach the commons from here.')).toBeInTheDocument();
    expect(screen.queryByText(/^Checked/)).not.toBeInTheDocument();
  });

  it('checks one mesh from the Meshes view', async () => {
    const rust = fakeRust({ meshes: [{ name: 'brh', description: '', members: ['p1'] }] });
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.keyboard('gm');
    await userEvent.click(await screen.findByTestId('sweep-mesh'));
    await waitFor(() => expect(rust.named('sweep_start')).toEqual([{ cmd: 'sweep_start', request: { kind: 'mesh', name: 'brh' } }]));
  });
});

describe('commons health', () => {
  it('opens from the board with the services, the reason it is down, and its history', async () => {
    const rust = fakeRust({ handlers: boardOf(troubledFleet) });
    render(App);
    const rows = await screen.findAllByTestId('board-row');
    await userEvent.click(rows[1]);

    const health = await screen.findByTestId('commons-health');
    expect(screen.getByTestId('tab-services')).toHaveAttribute('aria-selected', 'true');
    expect(rust.named('commons_health')[0].request).toEqual({ id: 'd1', range: 'day' });
    expect(await within(health).findByTestId('health-error')).toHaveTextContent('did not answer within 10 s');
    const services = within(health).getAllByTestId('service-row');
    expect(services.map((s) => s.dataset.service)).toEqual(['fence', 'indexd', 'peregrine', 'sheepdog', 'metadata']);
    expect(services.every((s) => s.dataset.state === 'down')).toBe(true);
    expect(services[0]).toHaveTextContent('Down');
    expect(within(health).getByTestId('cert-expiry')).toHaveTextContent(/expires in [23] months/);
    await userEvent.click(screen.getByTestId('tab-history'));
    const history = await screen.findByTestId('commons-health');
    expect(within(history).getByTestId('uptime-chart').querySelector('svg title')).toHaveTextContent('Uptime');
    expect(within(history).getByTestId('latency-chart').querySelectorAll('polyline').length).toBeGreaterThan(0);
    expect(within(history).getByTestId('state-change')).toHaveTextContent('Commons');

    await userEvent.click(within(history).getByTestId('range-week'));
    await waitFor(() => expect(rust.named('commons_health').at(-1)?.request).toEqual({ id: 'd1', range: 'week' }));
    expect(within(history).getByTestId('range-week')).toHaveAttribute('aria-pressed', 'true');
  });

  it('lists release drift and checks just this commons', async () => {
    const rust = fakeRust({ handlers: boardOf(troubledFleet) });
    render(App);
    const rows = await screen.findAllByTestId('board-row');
    rows[0].focus();
    await userEvent.keyboard('{Enter}');
    const health = await screen.findByTestId('commons-health');
    expect(await within(health).findByTestId('drift')).toHaveTextContent('fence 2025.06');
    expect(within(health).queryByTestId('health-error')).not.toBeInTheDocument();
    await userEvent.click(within(health).getByTestId('sweep-commons'));
    await waitFor(() => expect(rust.named('sweep_start')).toEqual([{ cmd: 'sweep_start', request: { kind: 'commons', id: 'p1' } }]));
  });
});

describe('reachability and outside-in checks', () => {
  const NEW = commons('n1', 'New commons', 'new.example.org', 'dev');
  function checkedFleet(): FleetView {
    const hub = healthOf(HUB, {
      checks: [
        { check: 'openid_issuer', title: "fence's OpenID issuer", ok: false, summary: "fence's OpenID issuer is https://staging.example.org/user, not https://gen3.datahub.org/user", since: Date.now() - 60_000, checked_at: Date.now(), fact: null },
        { check: 'jwks', title: "fence's signing keys", ok: true, summary: '1 signing key: fence_key', since: Date.now() - 86_400_000, checked_at: Date.now(), fact: 'ab fence_key' },
      ],
    });
    hub.services[2] = { ...hub.services[2], state: 'needs_key', detail: 'hatchery is behind the revproxy\'s authz check (HTTP 401): store an API key to check it' };
    const never = healthOf(NEW, {
      overall: 'unknown',
      unreachable_here: true,
      last_successful: null,
      error: 'new.example.org cannot be reached: its name does not resolve.',
      services: healthOf(NEW).services.map((s) => ({ ...s, state: 'unknown' as const, version: null, latency_ms: null })),
    });
    return fleetOf([hub, never], { summary: summaryOf(2, { unreachable_here: 1, checks_failing: 1 }) });
  }

  it('shows "unreachable from here" instead of down, and failing checks on the board and the page', async () => {
    fakeRust({ commons: [HUB, NEW], handlers: boardOf(checkedFleet) });
    render(App);
    const rows = await screen.findAllByTestId('board-row');
    expect(rows[1]).toHaveAttribute('data-unreachable-here', 'true');
    expect(rows[1]).toHaveTextContent('Unreachable from here');
    expect(screen.getByTestId('summary-unreachable_here')).toHaveTextContent('1 unreachable from here');
    expect(screen.getByTestId('summary-checks_failing')).toHaveTextContent('1 commons with a failing outside-in check');
    expect(screen.queryByTestId('summary-commons_down')).not.toBeInTheDocument();
    const cells = screen.getAllByTestId('checks-cell');
    expect(cells[0]).toHaveAttribute('data-failing', '1');
    expect(cells[0].title).toContain('staging.example.org');

    await userEvent.click(rows[0]);
    const health = await screen.findByTestId('commons-health');
    const checks = await within(health).findAllByTestId('check');
    expect(checks.map((c) => c.dataset.check)).toEqual(['openid_issuer', 'jwks']);
    expect(checks[0]).toHaveAttribute('data-ok', 'false');
    expect(checks[0]).toHaveTextContent("fence's OpenID issuer");
    const hatchery = within(health).getAllByTestId('service-row').find((r) => r.dataset.state === 'needs_key')!;
    expect(hatchery).toHaveTextContent('Needs a key');
  });

  it('says a never-reached commons is unreachable from here, with no "all services match"', async () => {
    fakeRust({ commons: [HUB, NEW], handlers: boardOf(checkedFleet) });
    render(App);
    const rows = await screen.findAllByTestId('board-row');
    await userEvent.click(rows[1]);
    const health = await screen.findByTestId('commons-health');
    expect(await within(health).findByTestId('health-overall')).toHaveTextContent('Unreachable from here');
    expect(within(health).getByTestId('drift')).not.toHaveTextContent('all services match');
    expect(within(health).getByTestId('checks-none')).toHaveTextContent('Not reached yet.');
  });
});

describe('demo and settings', () => {
  it('offers the demo fleet on an empty inventory and marks it with a banner', async () => {
    const rust = fakeRust({ commons: [] });
    render(App);
    await screen.findByTestId('empty-state');
    expect(screen.queryByTestId('demo-banner')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('try-demo'));
    await waitFor(() => expect(rust.named('demo_start')).toHaveLength(1));
    expect(await screen.findByTestId('demo-banner')).toHaveTextContent('Demo fleet — simulated commons, separate from your inventory');
    expect(await screen.findAllByTestId('board-row')).toHaveLength(2);
  });

  it('started with --demo, paints first and then starts the demo fleet, saying so meanwhile', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const rust = fakeRust({
      commons: [],
      status: statusOf({ demo_on_start: true }),
      handlers: {
        demo_start: async () => {
          await held;
          rust.state.commons = [HUB, DEV];
          return (rust.state.status = { ...rust.state.status, demo: true, demo_on_start: false });
        },
      },
    });
    render(App);
    // The first screen is on show (and reported painted) before the demo, its simulator and keys, start.
    await screen.findByTestId('empty-state');
    expect(await screen.findByTestId('demo-starting')).toHaveTextContent('Starting the demo fleet');
    expect(screen.getByTestId('try-demo')).toBeDisabled();
    const order = rust.calls.map((c) => c.cmd).filter((c) => c === 'first_paint' || c === 'demo_start');
    expect(order).toEqual(['first_paint', 'demo_start']);
    release();
    expect(await screen.findByTestId('demo-banner')).toBeInTheDocument();
    expect(await screen.findAllByTestId('board-row')).toHaveLength(2);
    expect(screen.queryByTestId('demo-starting')).not.toBeInTheDocument();
    expect(rust.named('demo_start')).toHaveLength(1);
  });

  it('saves the monitoring settings as typed', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.keyboard('gs');
    const interval = await screen.findByLabelText('Check every');
    await waitFor(() => expect(interval).toHaveValue(5));
    await userEvent.clear(interval);
    await userEvent.type(interval, '15');
    await userEvent.click(document.querySelector<HTMLInputElement>('#monitor-notifications')!);
    const certDays = document.querySelector<HTMLInputElement>('#monitor-cert-days')!;
    expect(certDays).toHaveValue('30, 14, 7, 1');
    await userEvent.clear(certDays);
    await userEvent.type(certDays, '21, 3');
    const keyDays = document.querySelector<HTMLInputElement>('#monitor-key-days')!;
    await userEvent.clear(keyDays);
    await userEvent.type(keyDays, '10');
    const etlDays = screen.getByLabelText('Explorer data is stale after');
    expect(etlDays).toHaveValue(7);
    await userEvent.clear(etlDays);
    await userEvent.type(etlDays, '2');
    const checks = screen.getByLabelText('Outside-in checks every');
    expect(checks).toHaveValue(15);
    await userEvent.clear(checks);
    await userEvent.type(checks, '60');
    await userEvent.click(screen.getByTestId('save-monitoring'));
    await waitFor(() =>
      expect(rust.named('monitor_settings_save')[0]?.request).toEqual({
        interval_secs: 900,
        notifications: false,
        cert_warn_days: [21, 3],
        key_warn_days: [10],
        etl_stale_days: 2,
        checks_interval_secs: 3600,
      }),
    );
    expect(await screen.findByText('Monitoring settings saved.')).toBeInTheDocument();
  });

  it('refuses a staleness threshold of zero days', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.keyboard('gs');
    const etlDays = await screen.findByLabelText('Explorer data is stale after');
    await waitFor(() => expect(etlDays).toHaveValue(7));
    await userEvent.clear(etlDays);
    await userEvent.type(etlDays, '0');
    await userEvent.click(screen.getByTestId('save-monitoring'));
    expect(await screen.findByTestId('monitor-error')).toHaveTextContent('1 to 365');
    expect(rust.named('monitor_settings_save')).toHaveLength(0);
  });

  it('refuses warning days that are not numbers', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.keyboard('gs');
    const certDays = await screen.findByLabelText('Warn before certificate expiry');
    await waitFor(() => expect(certDays).toHaveValue('30, 14, 7, 1'));
    await userEvent.type(certDays, ', soon');
    await userEvent.click(screen.getByTestId('save-monitoring'));
    expect(await screen.findByTestId('monitor-error')).toHaveTextContent('whole numbers');
    expect(rust.named('monitor_settings_save')).toHaveLength(0);
  });
});
