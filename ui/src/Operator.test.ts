import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { coreError, fakeBackend, resetBackend, type FakeOptions } from './testing/backend';
import { activityOf, commonsOf, diagnosticsOf, statusOf } from './testing/builders';

const AT = Date.UTC(2026, 11, 3, 14, 5);
const ENTRIES = [
  activityOf(3, 'state_change', 'commons: healthy → down', { at: AT, commons_id: 'a', commons_name: 'Alpha' }),
  activityOf(2, 'sweep', 'Checked 2 commons: 1 reachable, 1 state change, 0 expiry alerts', { at: AT - 60_000 }),
  activityOf(1, 'inventory_import', 'Imported the inventory file /tmp/x.json: nothing was imported', { at: AT - 120_000, result: 'failed' }),
];

const FACTS = diagnosticsOf({
  last_errors: ['2026-12-02T10:00:01Z ERROR csoc_core::store: cache open failed'],
  commons: [
    { id: 'a', name: 'Alpha', base_url: 'https://a.example.org', reachable: true, detail: 'connected to a.example.org:443 in 21 ms' },
    { id: 'b', name: 'Beta', base_url: 'https://b.example.org', reachable: false, detail: 'b.example.org:443: connection refused' },
  ],
  collected_at: AT,
});

const fakeRust = (options: FakeOptions = {}) =>
  fakeBackend({
    commons: [commonsOf('a', 'Alpha', { environment: 'production' }), commonsOf('b', 'Beta', { environment: 'production' })],
    activity: ENTRIES,
    ...options,
    handlers: { diagnostics_gather: () => FACTS, ...options.handlers },
  });

afterEach(resetBackend);

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
    expect(rust.named('activity_list').at(-1)!.request).toEqual({ commons_id: null, kind: 'sweep', limit: null });
    await userEvent.selectOptions(screen.getByTestId('activity-kind'), 'launch');
    expect(await screen.findByText('Nothing matches these filters.')).toBeTruthy();
  });

  it('exports the filtered entries as JSON Lines to the chosen file', async () => {
    const rust = fakeRust({ dialogs: { save: () => '/home/op/activity.jsonl' }, handlers: { activity_export: () => 1 } });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-activity'));
    await screen.findAllByTestId('activity-entry');
    await userEvent.selectOptions(screen.getByTestId('activity-kind'), 'sweep');
    await waitFor(() => expect(screen.getAllByTestId('activity-entry')).toHaveLength(1));
    await userEvent.click(screen.getByTestId('activity-export'));
    await screen.findByText('Exported 1 entry to /home/op/activity.jsonl');
    expect(rust.dialogs).toEqual([{ kind: 'save', options: expect.objectContaining({ filters: [expect.objectContaining({ extensions: ['jsonl'] })] }) }]);
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
      dialogs: { save: () => '/home/op/diag.zip' },
      handlers: { diagnostics_collect: ({ path }) => ({ path, entries: ['diagnostics.json', 'inventory.json'], bytes: 900 }) },
    });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-settings'));
    await screen.findByTestId('diag-keyring');
    await userEvent.click(screen.getByTestId('diag-collect'));
    await screen.findByText('Wrote /home/op/diag.zip (2 files, no secrets).');
    expect(rust.named('diagnostics_collect')[0].request).toEqual({ path: '/home/op/diag.zip' });
  });

  it('says why when the facts cannot be read', async () => {
    fakeRust({ handlers: { diagnostics_gather: () => Promise.reject(coreError('io', 'The log folder could not be read.')) } });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-settings'));
    expect((await screen.findByRole('alert')).textContent).toContain('The log folder could not be read.');
  });
});

describe('demo mode', () => {
  it('is left from its banner without a restart, back to the own inventory', async () => {
    const rust = fakeRust({ status: statusOf({ demo: true }) });
    render(App);
    await userEvent.click(await screen.findByTestId('leave-demo'));
    await waitFor(() => expect(screen.queryByTestId('demo-banner')).toBeNull());
    expect(rust.named('demo_stop')).toHaveLength(1);
    // The inventory and board are read again, from the user's cache.
    const reads = rust.calls.map((c) => c.cmd);
    expect(reads.lastIndexOf('inventory_list')).toBeGreaterThan(reads.indexOf('demo_stop'));
  });
});
