import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { CommonsAnswers, RenderedView } from './lib/backend/backend';
import { fail, fakeBackend, resetBackend } from './testing/backend';
import { draftOf, readyAnswers } from './testing/wizard';

beforeAll(async () => {
  await Promise.all([import('./lib/views/WizardsView.svelte'), import('./lib/views/CommonsWizard.svelte')]);
});

afterEach(resetBackend);

const DEPLOYMENT_DIFF =
  '--- a/apps/v1/Deployment/fence-deployment\n+++ b/apps/v1/Deployment/fence-deployment\n@@ -20,3 +20,3 @@\n       containers:\n-      - image: quay.io/cdis/fence:2026.07\n+      - image: quay.io/cdis/fence:2026.08\n         name: fence\n';

const READY: RenderedView = {
  status: 'ready',
  chart_dir: '/src/gen3-helm/helm/gen3',
  first_render: false,
  comparison: {
    unchanged: 130,
    changes: [
      {
        key: { api_version_kind: 'networking.k8s.io/v1/NetworkPolicy', namespace: 'gen3', name: 'netpolicy-fence' },
        change: 'added',
        diff: '--- a/x\n+++ b/x\n@@ -0,0 +1,2 @@\n+kind: NetworkPolicy\n+metadata: {}\n',
      },
      { key: { api_version_kind: 'apps/v1/Deployment', namespace: 'gen3', name: 'fence-deployment' }, change: 'changed', diff: DEPLOYMENT_DIFF },
      {
        key: { api_version_kind: 'v1/ConfigMap', namespace: 'gen3', name: 'old-config' },
        change: 'removed',
        diff: '--- a/x\n+++ b/x\n@@ -1,1 +0,0 @@\n-kind: ConfigMap\n',
      },
    ],
  },
};

async function openReview(rendered: (a: CommonsAnswers) => RenderedView) {
  const rust = fakeBackend({ drafts: [draftOf('d1', readyAnswers(), 8)], handlers: { wizard_rendered: rendered } });
  render(App);
  await userEvent.click(await screen.findByTestId('nav-wizards'));
  await userEvent.click(await screen.findByTestId('draft-resume'));
  await screen.findByTestId('review-status');
  return rust;
}

describe('Rendered view in the review', () => {
  it('lists the objects a change adds, changes and removes, each with its diff', async () => {
    const rust = await openReview(() => READY);
    const view = screen.getByTestId('rendered-view');
    expect(rust.named('wizard_rendered')).toHaveLength(0);
    await userEvent.click(within(view).getByTestId('rendered-run'));
    expect(await within(view).findByTestId('rendered-summary')).toHaveTextContent('1 added · 1 changed · 1 removed · 130 unchanged');
    expect(rust.named('wizard_rendered')[0].request.identity.hostname).toBe(readyAnswers().identity.hostname);
    const objects = within(view).getAllByTestId('rendered-object');
    expect(objects.map((o) => o.getAttribute('data-kind'))).toEqual(['added', 'changed', 'removed']);
    expect(objects[1]).toHaveTextContent('apps/v1/Deployment');
    expect(objects[1]).toHaveTextContent('gen3/fence-deployment');
    expect(objects[1]).toHaveTextContent('+1 −1');
    expect(within(objects[1]).queryByTestId('rendered-diff')).not.toBeInTheDocument();
    await userEvent.click(within(objects[1]).getByTestId('rendered-diff-toggle'));
    const diff = within(objects[1]).getByTestId('rendered-diff');
    expect(diff.querySelector('[data-kind="removed"]')).toHaveTextContent('fence:2026.07');
    expect(diff.querySelector('[data-kind="added"]')).toHaveTextContent('fence:2026.08');
  });

  it('says how to enable it without helm or a chart folder, and leads to Settings', async () => {
    const reason = 'To see the Kubernetes objects this change adds, changes and removes, set the gen3-helm chart folder in Settings.';
    await openReview(() => ({ status: 'unavailable', reason }));
    await userEvent.click(screen.getByTestId('rendered-run'));
    expect(await screen.findByTestId('rendered-unavailable')).toHaveTextContent(reason);
    expect(screen.queryByTestId('rendered-objects')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('rendered-open-settings'));
    expect(await screen.findByTestId('rendering-settings')).toBeInTheDocument();
  });

  it('shows helm’s failure in words', async () => {
    await openReview(() => fail('tool_failed', 'helm template could not render the chart; it said “nil pointer”.'));
    await userEvent.click(screen.getByTestId('rendered-run'));
    expect(await screen.findByTestId('rendered-error')).toHaveTextContent('nil pointer');
  });
});

describe('Rendering settings', () => {
  it('saves the chart folder and shows why a folder is refused', async () => {
    const rust = fakeBackend({
      dialogs: { open: () => '/src/gen3-helm' },
      handlers: {
        render_settings_save: ({ chart_dir }) => (chart_dir === '/tmp' ? fail('invalid', '/tmp holds no gen3 chart.') : { chart_dir }),
      },
    });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-settings'));
    const field = (await screen.findByLabelText('gen3-helm chart folder')) as HTMLInputElement;
    await waitFor(() => expect(field).toBeEnabled());
    await userEvent.type(field, '/tmp');
    await userEvent.click(screen.getByTestId('save-rendering'));
    expect(await screen.findByTestId('render-chart-error')).toHaveTextContent('/tmp holds no gen3 chart.');
    await userEvent.clear(field);
    await userEvent.click(screen.getByTestId('render-chart-choose'));
    await waitFor(() => expect(field.value).toBe('/src/gen3-helm'));
    await userEvent.click(screen.getByTestId('save-rendering'));
    await waitFor(() => expect(screen.queryByTestId('render-chart-error')).not.toBeInTheDocument());
    expect(rust.named('render_settings_save').map((c) => c.request)).toEqual([{ chart_dir: '/tmp' }, { chart_dir: '/src/gen3-helm' }]);
  });
});
