import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { cleanup, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { emptyDraft } from './lib/format';
import { MONITOR, STATUS, fleetOf, healthOf, inventoryOf } from './testing/fleet';
import type { ActivityEntry, ActivityFilter, Commons, CommonsHealthDetail } from './lib/backend/backend';

const HUB: Commons = {
  ...emptyDraft(),
  id: 'hub',
  created_at: 1,
  updated_at: 1,
  name: 'Data Hub',
  base_url: 'https://gen3.datahub.org',
  environment: 'production',
  deployment: { kind: 'gitops', folder: '/home/op/gen3-gitops/gen3.datahub.org' },
};
const AT = Date.UTC(2026, 11, 3, 14, 5);
const LAUNCH: ActivityEntry = {
  id: 7,
  at: AT,
  kind: 'launch',
  commons_id: 'hub',
  commons_name: 'Data Hub',
  user: 'ops',
  summary: 'Launched gen3.datahub.org: pushed branch gen3-csoc/gen3-datahub-org-1 (commit 0123456789ab) to origin',
  result: 'ok',
};

function fakeRust() {
  const activity: ActivityFilter[] = [];
  mockIPC(
    (cmd, payload) => {
      const request = (payload as { request?: unknown } | undefined)?.request ?? null;
      switch (cmd) {
        case 'app_status':
          return STATUS;
        case 'inventory_list':
          return inventoryOf([HUB]);
        case 'first_paint':
          return null;
        case 'fleet_view':
          return fleetOf([healthOf(HUB)]);
        case 'monitor_settings':
          return MONITOR;
        case 'commons_get':
          return HUB;
        case 'commons_health':
          return { health: healthOf(HUB), history: [], changes: [], range: 'day', read_at: AT } satisfies CommonsHealthDetail;
        case 'credentials_list':
          return [];
        case 'wizard_drafts':
          return [{ id: 'd9', kind: 'commons', title: 'gen3.datahub.org', step: 7, updated_at: AT }];
        case 'activity_list': {
          const f = request as ActivityFilter;
          activity.push(f);
          return f.kind === null || f.kind === 'launch' ? [LAUNCH] : [];
        }
      }
      throw { code: 'io', message: `unexpected command ${cmd}` };
    },
    { shouldMockEvents: true },
  );
  return { activity };
}

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('the commons page', { timeout: 30_000 }, () => {
  it('has six tabs: Overview, Services, History, Credentials, Configuration, Activity', async () => {
    const rust = fakeRust();
    render(App);
    await userEvent.click(await screen.findByTestId('board-row'));
    const tabs = await screen.findAllByRole('tab');
    expect(tabs.map((t) => t.textContent?.trim())).toEqual(['Overview', 'Services', 'History', 'Credentials', 'Configuration', 'Activity']);
    // From the board it opens on the services.
    expect(screen.getByTestId('tab-services')).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findAllByTestId('service-row', {}, { timeout: 8000 })).toHaveLength(5);
    expect(screen.queryByTestId('uptime-chart')).toBeNull();

    await userEvent.click(screen.getByTestId('tab-history'));
    expect(await screen.findByTestId('uptime-chart')).toBeInTheDocument();
    expect(screen.queryByTestId('service-row')).toBeNull();

    await userEvent.click(screen.getByTestId('tab-credentials'));
    expect(await screen.findByTestId('import-credentials-link')).toBeInTheDocument();

    await userEvent.click(screen.getByTestId('tab-configuration'));
    const config = await screen.findByTestId('commons-configuration');
    expect(within(config).getByTestId('config-deployment').textContent).toContain('/home/op/gen3-gitops/gen3.datahub.org');
    expect((await within(config).findByTestId('config-last-launch')).textContent).toContain('commit 0123456789ab');
    await userEvent.click(await within(config).findByTestId('open-in-wizard'));
    expect(await screen.findByTestId('commons-wizard', {}, { timeout: 8000 })).toBeInTheDocument();
    expect(rust.activity[0]).toEqual({ commons_id: 'hub', kind: 'launch', limit: 1 });
  });

  it("lists this commons' own activity without a commons filter", async () => {
    const rust = fakeRust();
    render(App);
    await userEvent.click(await screen.findByTestId('board-row'));
    await userEvent.click(await screen.findByTestId('tab-activity'));
    const list = await screen.findByTestId('activity-list', {}, { timeout: 8000 });
    expect(await within(list).findAllByTestId('activity-entry')).toHaveLength(1);
    expect(within(list).queryByTestId('activity-commons')).toBeNull();
    expect(rust.activity.at(-1)).toEqual({ commons_id: 'hub', kind: null, limit: null });
  });
});
