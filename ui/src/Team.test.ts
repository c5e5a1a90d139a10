import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { TeamConflict } from './lib/backend/backend';
import { fakeBackend, resetBackend } from './testing/backend';
import { teamOf } from './testing/builders';
import { openScreen } from './testing/screens';

const JOINED = teamOf({
  joined: true,
  repo: 'git@github.com:example/gen3-gitops.git',
  folder: 'csoc/inventory',
  branch: 'main',
  last_attempted: Date.UTC(2026, 11, 12, 14, 0),
  last_synced: Date.UTC(2026, 11, 12, 14, 0),
});

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

const openSettings = () => openScreen('settings', 'team-settings');

afterEach(resetBackend);

describe('team settings', () => {
  it('joins a repository with the folder given', async () => {
    const rust = fakeBackend({ handlers: { team_join: () => JOINED } });
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
    fakeBackend({
      team: {
        ...JOINED,
        last_attempted: JOINED.last_synced! + 60_000,
        last_error: 'git fetch could not reach the repository: Could not resolve host: github.com',
        offline: true,
        pending: 2,
      },
    });
    const team = await openSettings();
    const offline = await within(team).findByTestId('team-offline');
    expect(offline).toHaveTextContent('could not be reached');
    expect(offline).toHaveTextContent('2 changes wait and will be shared at the next sync');
  });

  it('shows a conflict with both values, who and when, and resolves it', async () => {
    const rust = fakeBackend({ team: { ...JOINED, conflicts: [CONFLICT] }, handlers: { team_resolve: () => JOINED } });
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
    const rust = fakeBackend();
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
