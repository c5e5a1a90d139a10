import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { emptyDraft } from './lib/format';
import { MONITOR, STATUS, TEAM_ALONE, fleetOf, healthOf, inventoryOf } from './testing/fleet';
import type { ActivityEntry, ActivityFilter, CommandName, Commons, Diagnostics } from './lib/backend/backend';

function commons(id: string, name: string): Commons {
  return { ...emptyDraft(), id, created_at: 1, updated_at: 1, name, base_url: `https://${id}.example.org`, environment: 'production' };
}

const AT = Date.UTC(2026, 11, 3, 14, 5);
const ENTRIES: ActivityEntry[] = [
  { id: 3, at: AT, kind: 'state_change', commons_id: 'a', commons_name: 'Alpha', user: 'ops', summary: 'commons: healthy → down', result: 'ok' },
  { id: 2, at: AT - 60_000, kind: 'sweep', commons_id: null, commons_name: null, user: 'ops', summary: 'Checked 2 commons: 1 reachable, 1 state change, 0 expiry alerts', result: 'ok' },
  { id: 1, at: AT - 120_000, kind: 'inventory_import', commons_id: null, commons_name: null, user: 'ops', summary: 'Imported the inventory file /tmp/x.json: nothing was imported', result: 'failed' },
];

const FACTS: Diagnostics = {
  app_version: '0.1.0',
  os: 'linux x86_64',
  webkit_version: '2.50.6-1~deb12u2',
  keyring: { backend: 'Secret Service (D-Bus: gnome-keyring or KWallet)', reachable: true, problem: null, vault_mode: 'keyring' },
  cache: { path: '/home/op/.local/share/gen3-csoc/cache.sqlite3', size_bytes: 2_400_000, quick_check: 'ok', schema_version: 9, latest_schema: 9, error: null },
  log_dir: '/home/op/.local/share/gen3-csoc/logs',
  last_errors: ['2026-12-02T10:00:01Z ERROR csoc_core::store: cache open failed'],
  commons: [
    { id: 'a', name: 'Alpha', base_url: 'https://a.example.org', reachable: true, detail: 'connected to a.example.org:443 in 21 ms' },
    { id: 'b', name: 'Beta', base_url: 'https://b.example.org', reachable: false, detail: 'b.example.org:443: connection refused' },
  ],
  collected_at: AT,
};

type Override = (request: any) => unknown;

function fakeRust(overrides: Partial<Record<CommandName | `plugin:${string}`, Override>> = {}) {
  const calls: { cmd: string; request: unknown }[] = [];
  const list = [commons('a', 'Alpha'), commons('b', 'Beta')];
  mockIPC(
    (cmd, payload) => {
      const request = (payload as { request?: unknown } | undefined)?.request ?? null;
      calls.push({ cmd, request: cmd.startsWith('plugin:') ? payload : request });
      const override = overrides[cmd as CommandName];
      if (override) return override(request);
      switch (cmd) {
        case 'app_status':
          return STATUS;
        case 'inventory_list':
          return inventoryOf(list);
        case 'first_paint':
          return null;
        case 'fleet_view':
          return fleetOf(list.map((c) => healthOf(c)));
        case 'monitor_settings':
          return MONITOR;
        case 'render_settings':
          return { chart_dir: '' };
        case 'team_status':
          return TEAM_ALONE;
        case 'webhook_list':
          return [];
        case 'activity_list': {
          const f = request as ActivityFilter;
          return ENTRIES.filter((e) => (!f.commons_id || e.commons_id === f.commons_id) && (!f.kind || e.kind === f.kind));
        }
        case 'diagnostics_gather':
          return FACTS;
        case 'demo_stop':
          return STATUS;
      }
      throw { code: 'io', message: `unexpected command ${cmd}` };
    },
    { shouldMockEvents: true },
  );
  return { calls, named: (cmd: string) => calls.filter((c) => c.cmd === cmd) };
}

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('Activity', () => {
  it('opens with g a and lists entries newest first with who, what and result', async () => {
    fakeRust();
    render(App);
    await screen.findByTestId('nav-activity');
    await userEvent.keyboard('ga');
    const rows = await screen.findAllByTestId('activity-entry');
    expect(rows.map((r) => r.dataset.kind)).toEqual(['state_change', 'sweep', 'inventory_import']);
    expect(within(rows[0]).getByText('commons: healthy → down')).toBeTruthy();
    expect(within(rows[0]).getByText('Alpha')).toBeTruthy();
    expect(within(rows[2]).getByText('Failed')).toBeTruthy();
    expect(screen.getByText(/3 entries, newest first/)).toBeTruthy();
  });

  it('filters by commons and by kind, asking the backend each time', async () => {
    const rust = fakeRust();
    render(App);
    await userEvent.click(await screen.findByTestId('nav-activity'));
    await screen.findAllByTestId('activity-entry');
    await userEvent.selectOptions(screen.getByTestId('activity-commons'), 'a');
    await waitFor(() => expect(screen.getAllByTestId('activity-entry')).toHaveLength(1));
    await userEvent.selectOptions(screen.getByTestId('activity-commons'), '');
    await userEvent.selectOptions(screen.getByTestId('activity-kind'), 'sweep');
    await waitFor(() => expect(screen.getAllByTestId('activity-entry').map((r) => r.dataset.kind)).toEqual(['sweep']));
    const last = rust.named('activity_list').at(-1)!.request as ActivityFilter;
    expect(last).toEqual({ commons_id: null, kind: 'sweep', limit: null });
    await userEvent.selectOptions(screen.getByTestId('activity-kind'), 'launch');
    expect(await screen.findByText('Nothing matches these filters.')).toBeTruthy();
  });

  it('exports the filtered entries as JSON Lines to the chosen file', async () => {
    const rust = fakeRust({
      'plugin:dialog|save': () => '/home/op/activity.jsonl',
      activity_export: () => 1,
    });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-activity'));
    await screen.findAllByTestId('activity-entry');
    await userEvent.selectOptions(screen.getByTestId('activity-kind'), 'sweep');
    await waitFor(() => expect(screen.getAllByTestId('activity-entry')).toHaveLength(1));
    await userEvent.click(screen.getByTestId('activity-export'));
    await screen.findByText('Exported 1 entry to /home/op/activity.jsonl');
    expect(JSON.stringify(rust.named('plugin:dialog|save')[0].request)).toContain('"extensions":["jsonl"]');
    expect(rust.named('activity_export')[0].request).toEqual({
      path: '/home/op/activity.jsonl',
      filter: { commons_id: null, kind: 'sweep', limit: null },
    });
  });
});

describe('Diagnostics', () => {
  it('shows the keyring, cache, logs, versions and reachability in Settings', async () => {
    fakeRust();
    render(App);
    await userEvent.click(await screen.findByTestId('nav-settings'));
    const keyring = await screen.findByTestId('diag-keyring');
    expect(keyring.textContent).toContain('reachable');
    expect(keyring.textContent).toContain('Secret Service');
    expect(screen.getByTestId('diag-cache').textContent).toMatch(/2\.3 MB[\s\S]*quick_check:\s*ok[\s\S]*schema 9 \(this app writes 9\)/);
    expect(screen.getByTestId('diag-logs').textContent).toContain('1 recent error');
    expect(screen.getByTestId('diag-versions').textContent).toContain('WebKitGTK 2.50.6');
    const reach = screen.getByTestId('diag-commons');
    expect(reach.textContent).toContain('1 of 2 reachable from here');
    expect(reach.textContent).toContain('Beta — b.example.org:443: connection refused');
  });

  it('collects a zip to the chosen path and says what it wrote', async () => {
    const rust = fakeRust({
      'plugin:dialog|save': () => '/home/op/diag.zip',
      diagnostics_collect: (r: { path: string }) => ({ path: r.path, entries: ['diagnostics.json', 'inventory.json'], bytes: 900 }),
    });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-settings'));
    await screen.findByTestId('diag-keyring');
    await userEvent.click(screen.getByTestId('diag-collect'));
    await screen.findByText('Wrote /home/op/diag.zip (2 files, no secrets).');
    expect(rust.named('diagnostics_collect')[0].request).toEqual({ path: '/home/op/diag.zip' });
  });

  it('says why when the facts cannot be read', async () => {
    fakeRust({ diagnostics_gather: () => Promise.reject({ code: 'io', message: 'The log folder could not be read.' }) });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-settings'));
    expect((await screen.findByRole('alert')).textContent).toContain('The log folder could not be read.');
  });
});

describe('demo mode', () => {
  it('is left from its banner without a restart, back to the own inventory', async () => {
    const rust = fakeRust({ app_status: () => ({ ...STATUS, demo: true }) });
    render(App);
    await userEvent.click(await screen.findByTestId('leave-demo'));
    await waitFor(() => expect(screen.queryByTestId('demo-banner')).toBeNull());
    expect(rust.named('demo_stop')).toHaveLength(1);
    // The inventory and board are read again, from the user's cache.
    const reads = rust.calls.map((c) => c.cmd);
    expect(reads.lastIndexOf('inventory_list')).toBeGreaterThan(reads.indexOf('demo_stop'));
  });
});
