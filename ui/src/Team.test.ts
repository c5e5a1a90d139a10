import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { CommandName, TeamConflict, TeamStatus, WebhookKind } from './lib/backend/backend';
import { MONITOR, STATUS, TEAM_ALONE, fleetOf, inventoryOf } from './testing/fleet';

type Call = { cmd: string; request: unknown };

const JOINED: TeamStatus = {
  ...TEAM_ALONE,
  joined: true,
  repo: 'git@github.com:example/gen3-gitops.git',
  folder: 'csoc/inventory',
  branch: 'main',
  last_attempted: Date.UTC(2026, 11, 12, 14, 0),
  last_synced: Date.UTC(2026, 11, 12, 14, 0),
};

const CONFLICT: TeamConflict = {
  kind: 'commons',
  key: 'c1',
  field: 'contact',
  label: 'Kids First (kidsfirst.example.org)',
  mine: 'bob@kf.example.org',
  theirs: 'alice@kf.example.org',
  mine_by: 'bob',
  mine_at: Date.UTC(2026, 11, 12, 13, 0),
  theirs_by: 'alice',
  theirs_at: Date.UTC(2026, 11, 12, 13, 30),
};

/** The Rust side for the Settings page, with the team status and webhooks the test sets. */
function fakeRust(team: TeamStatus, overrides: Partial<Record<CommandName, (r: any) => unknown>> = {}) {
  const calls: Call[] = [];
  let hooks: WebhookKind[] = [];
  mockIPC(
    (cmd, payload) => {
      const request = (payload as { request?: unknown } | undefined)?.request ?? null;
      calls.push({ cmd, request });
      const override = overrides[cmd as CommandName];
      if (override) return override(request);
      switch (cmd) {
        case 'app_status':
          return STATUS;
        case 'inventory_list':
          return inventoryOf([]);
        case 'fleet_view':
          return fleetOf([]);
        case 'first_paint':
          return null;
        case 'monitor_settings':
          return MONITOR;
        case 'render_settings':
          return { chart_dir: '' };
        case 'team_status':
          return team;
        case 'webhook_list':
          return hooks;
        case 'webhook_set': {
          const { kind, url } = request as { kind: WebhookKind; url: string | null };
          hooks = url ? [...hooks, kind] : hooks.filter((k) => k !== kind);
          return hooks;
        }
      }
      throw { code: 'io', message: `unexpected command ${cmd}` };
    },
    { shouldMockEvents: true },
  );
  return { named: (cmd: CommandName) => calls.filter((c) => c.cmd === cmd) };
}

async function openSettings() {
  render(App);
  await userEvent.click(await screen.findByTestId('nav-settings'));
  return screen.findByTestId('team-settings');
}

afterEach(() => {
  cleanup();
  clearMocks();
  localStorage.clear();
});

describe('team settings', () => {
  it('joins a repository with the folder given', async () => {
    const rust = fakeRust(TEAM_ALONE, { team_join: () => JOINED });
    const team = await openSettings();
    await userEvent.click(await within(team).findByTestId('team-join'));
    expect(await within(team).findByTestId('team-error')).toHaveTextContent('clone URL or path');
    expect(rust.named('team_join')).toHaveLength(0);
    await userEvent.type(within(team).getByLabelText('Repository'), 'git@github.com:example/gen3-gitops.git');
    await userEvent.click(within(team).getByTestId('team-join'));
    await waitFor(() =>
      expect(rust.named('team_join')[0]?.request).toEqual({
        repo: 'git@github.com:example/gen3-gitops.git',
        folder: 'csoc/inventory',
        name: null,
        email: null,
      }),
    );
    expect(await within(team).findByTestId('team-sync')).toBeInTheDocument();
    expect(team).toHaveTextContent('csoc/inventory');
  });

  it('says when changes wait because the repository cannot be reached', async () => {
    fakeRust({
      ...JOINED,
      last_attempted: JOINED.last_synced! + 60_000,
      last_error: 'git fetch could not reach the repository: Could not resolve host: github.com',
      offline: true,
      pending: 2,
    });
    const team = await openSettings();
    const offline = await within(team).findByTestId('team-offline');
    expect(offline).toHaveTextContent('could not be reached');
    expect(offline).toHaveTextContent('2 changes wait and will be shared at the next sync');
  });

  it('shows a conflict with both values, who and when, and resolves it', async () => {
    const rust = fakeRust({ ...JOINED, conflicts: [CONFLICT] }, { team_resolve: () => JOINED });
    const team = await openSettings();
    const conflict = await within(team).findByTestId('team-conflict');
    expect(conflict).toHaveTextContent('Kids First (kidsfirst.example.org): contact');
    expect(conflict).toHaveTextContent('Yours (bob,');
    expect(conflict).toHaveTextContent('bob@kf.example.org');
    expect(conflict).toHaveTextContent('Theirs (alice,');
    expect(conflict).toHaveTextContent('alice@kf.example.org');
    await userEvent.click(within(conflict).getByTestId('keep-theirs'));
    await waitFor(() =>
      expect(rust.named('team_resolve')[0]?.request).toEqual({ kind: 'commons', key: 'c1', field: 'contact', keep: 'theirs' }),
    );
    await waitFor(() => expect(within(team).queryByTestId('team-conflict')).not.toBeInTheDocument());
  });

  it('stores a webhook URL without showing it again, and removes it', async () => {
    const rust = fakeRust(TEAM_ALONE);
    await openSettings();
    const hooks = screen.getByTestId('webhook-settings');
    const input = await within(hooks).findByLabelText('Slack incoming webhook');
    await waitFor(() => expect(input).toBeEnabled());
    await userEvent.type(input, 'https://hooks.slack.com/services/T/B/x');
    await userEvent.click(within(hooks).getByTestId('webhook-slack-save'));
    expect(await within(hooks).findByTestId('webhook-slack-set')).toHaveTextContent('Set');
    expect(rust.named('webhook_set')[0]?.request).toEqual({ kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x' });
    expect(hooks).not.toHaveTextContent('hooks.slack.com/services/T/B/x');
    await userEvent.click(within(hooks).getByTestId('webhook-slack-remove'));
    await waitFor(() => expect(rust.named('webhook_set')[1]?.request).toEqual({ kind: 'slack', url: null }));
  });
});
