import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { fakeBackend, resetBackend } from './testing/backend';
import { activityOf, commonsOf } from './testing/builders';
import { draftOf, readyAnswers } from './testing/wizard';

const HUB = commonsOf('hub', 'Data Hub', {
  base_url: 'https://gen3.datahub.org',
  environment: 'production',
  deployment: { kind: 'gitops', folder: '/home/op/gen3-gitops/gen3.datahub.org' },
});
const AT = Date.UTC(2026, 11, 3, 14, 5);
const LAUNCH = activityOf(7, 'launch', 'Launched gen3.datahub.org: pushed branch gen3-csoc/gen3-datahub-org-1 (commit 0123456789ab) to origin', {
  at: AT,
  commons_id: 'hub',
  commons_name: 'Data Hub',
});
const DRAFT = draftOf('d9', { ...readyAnswers(), identity: { ...readyAnswers().identity, hostname: 'gen3.datahub.org' } }, 8, { updated_at: AT });

function fakeRust() {
  const rust = fakeBackend({ commons: [HUB], activity: [LAUNCH], drafts: [DRAFT] });
  return { activity: () => rust.named('activity_list').map((c) => c.request) };
}

afterEach(resetBackend);

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
    expect(rust.activity()[0]).toEqual({ commons_id: 'hub', kind: 'launch', limit: 1 });
  });

  it("lists this commons' own activity without a commons filter", async () => {
    const rust = fakeRust();
    render(App);
    await userEvent.click(await screen.findByTestId('board-row'));
    await userEvent.click(await screen.findByTestId('tab-activity'));
    const list = await screen.findByTestId('activity-list', {}, { timeout: 8000 });
    expect(await within(list).findAllByTestId('activity-entry')).toHaveLength(1);
    expect(within(list).queryByTestId('activity-commons')).toBeNull();
    expect(rust.activity().at(-1)).toEqual({ commons_id: 'hub', kind: null, limit: null });
  });
});
