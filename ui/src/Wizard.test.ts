import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { STEP_REVIEW } from './lib/wizard/answers';
import type { CommonsAnswers, LaunchProgress, LaunchReport, Review, WatchProgress } from './lib/backend/backend';
import { coreError, fail, fakeBackend, resetBackend, type FakeOptions } from './testing/backend';
import { commonsOf, statusOf } from './testing/builders';
import { openScreen } from './testing/screens';
import { USER_YAML, draftOf, gitopsRepoOf, hostnameReview, readyAnswers, reviewOf, stepFinding } from './testing/wizard';

beforeAll(async () => {
  // The wizard's screens load lazily; load them once here so the first test's timing is not the compiler's.
  await Promise.all([import('./lib/views/WizardsView.svelte'), import('./lib/views/CommonsWizard.svelte')]);
});

afterEach(resetBackend);

const openWizards = () => openScreen('wizards', 'wizards-view');

/** Opens the Wizards screen and resumes the only draft. */
async function resume() {
  await openWizards();
  await userEvent.click(await screen.findByTestId('draft-resume'));
  return screen.findByTestId('commons-wizard');
}

const progress = () => screen.getByTestId('wizard-progress');

async function expectStep(n: number) {
  await waitFor(() => expect(progress()).toHaveTextContent(new RegExp(`^Step ${n} of 9`)));
}

function withDraft(answers: CommonsAnswers, step: number, extra: FakeOptions = {}) {
  return fakeBackend({ drafts: [draftOf('d1', answers, step)], ...extra });
}

describe('Wizards screen', () => {
  it('g w opens it from the sidebar order and the help lists the wizard keys', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('empty-state');
    const ids = [...document.querySelectorAll('[data-testid^="nav-"]')].map((e) => e.getAttribute('data-testid'));
    expect(ids.indexOf('nav-wizards')).toBe(ids.indexOf('nav-activity') - 1);
    expect(ids.indexOf('nav-activity')).toBe(ids.indexOf('nav-settings') - 1);
    expect(ids.indexOf('nav-wizards')).toBeGreaterThan(ids.indexOf('nav-credentials'));
    await userEvent.keyboard('gw');
    expect(await screen.findByTestId('wizards-view')).toBeInTheDocument();
    expect(screen.getByTestId('nav-wizards')).toHaveAttribute('aria-current', 'page');
    await userEvent.keyboard('?');
    const help = await screen.findByTestId('shortcuts-help');
    expect(help).toHaveTextContent('Go to Wizards');
    expect(help).toHaveTextContent('Alt+→ / Alt+←');
  });

  it('teaches when there is no draft', async () => {
    fakeBackend();
    await openWizards();
    const empty = await screen.findByTestId('wizards-empty');
    expect(empty).toHaveTextContent('saved here as a draft');
    expect(screen.queryByTestId('draft-list')).not.toBeInTheDocument();
    expect(screen.getByTestId('wizard-new-commons')).toBeEnabled();
  });

  it('lists drafts newest first, resumes one at its step and deletes one after confirming', async () => {
    const older = draftOf('d2', { ...readyAnswers(), identity: { ...readyAnswers().identity, hostname: 'old.example.org' } }, 1, { updated_at: Date.now() - 3 * 86_400_000 });
    const newer = draftOf('d1', readyAnswers(), 3);
    const rust = fakeBackend({ drafts: [older, newer] });
    await openWizards();

    const rows = await screen.findAllByTestId('draft-row');
    expect(rows.map((r) => within(r).getByTestId('draft-title').textContent)).toEqual(['data.example.org', 'old.example.org']);
    expect(within(rows[0]).getByTestId('draft-step')).toHaveTextContent('Step 3 of 9 · Database and secrets');
    expect(within(rows[0]).getByTestId('draft-saved')).toHaveTextContent('saved 5 minutes ago');
    expect(within(rows[1]).getByTestId('draft-saved')).toHaveTextContent('saved 3 days ago');

    await userEvent.click(within(rows[1]).getByTestId('draft-delete'));
    const dialog = await screen.findByTestId('confirm-delete-draft');
    expect(dialog).toHaveTextContent('Delete the draft old.example.org?');
    await userEvent.click(within(dialog).getByTestId('draft-delete-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('draft-row')).toHaveLength(1));
    expect(rust.named('wizard_draft_delete').map((c) => c.request)).toEqual([{ id: 'd2' }]);

    await userEvent.click(screen.getByTestId('draft-resume'));
    await expectStep(3);
    expect(rust.named('wizard_draft_get').map((c) => c.request)).toEqual([{ id: 'd1' }]);
    expect(screen.getByTestId('wizard-title')).toHaveTextContent('data.example.org');
  });
});

// Walking nine steps takes more than vitest's 5 s on a busy machine.
describe('commons wizard', { timeout: 20_000 }, () => {
  it('saves the draft at every step change, and Enter does not move on', async () => {
    const rust = fakeBackend();
    await openWizards();
    await userEvent.click(screen.getByTestId('wizard-new-commons'));
    await screen.findByTestId('wizard-step-destination');
    expect(progress()).toHaveTextContent('Step 1 of 9 · Destination');
    // A new commons starts from the chart's default services.
    await waitFor(() => expect(rust.named('wizard_review')).toHaveLength(1));
    expect(rust.named('wizard_review')[0].request.services).toEqual(['arborist', 'fence', 'indexd', 'revproxy', 'portal']);

    await userEvent.type(screen.getByTestId('field-destination-repo_path'), '/srv/gen3-gitops');
    await userEvent.tab();
    expect(await screen.findByTestId('gitops-status')).toHaveTextContent('On branch master');
    expect(rust.named('wizard_gitops_status').at(-1)?.request).toEqual({ path: '/srv/gen3-gitops' });
    await userEvent.type(screen.getByTestId('field-destination-namespace'), 'gen3');
    await userEvent.click(screen.getByTestId('wizard-next'));
    await expectStep(2);

    const host = screen.getByTestId('field-identity-hostname');
    await userEvent.type(host, 'data.example.org{Enter}');
    expect(progress()).toHaveTextContent('Step 2 of 9');
    expect(rust.named('wizard_draft_save')).toHaveLength(1);
    // Alt+→ is Next, from inside a field too.
    await userEvent.keyboard('{Alt>}{ArrowRight}{/Alt}');
    await expectStep(3);
    for (const n of [4, 5, 6, 7, 8]) {
      await userEvent.click(screen.getByTestId('wizard-next'));
      await expectStep(n);
      if (n === 6) expect(await screen.findByTestId('user-yaml-preview')).toHaveTextContent('policies');
    }
    await userEvent.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    await expectStep(7);

    await waitFor(() => expect(rust.named('wizard_draft_save')).toHaveLength(8));
    const saves = rust.named('wizard_draft_save').map((c) => c.request);
    expect(saves.map((d) => d.step)).toEqual([2, 3, 4, 5, 6, 7, 8, 7]);
    expect(saves.map((d) => d.id)).toEqual(['', ...Array(7).fill('draft-1')]);
    expect(saves[1].title).toBe('data.example.org');
    const last = saves[7].answers as CommonsAnswers;
    expect(last.destination).toMatchObject({ kind: 'gitops', repo_path: '/srv/gen3-gitops', namespace: 'gen3' });
    expect(last.identity.hostname).toBe('data.example.org');
    expect(rust.state.drafts.get('draft-1')?.step).toBe(7);
  });

  it('explains a typed clone the backend will not read, and Choose folder… opens the dialog there and checks it again', async () => {
    const NOT_CHOSEN = coreError(
      'invalid',
      'The app only reads files and folders you chose yourself, and /srv/gen3-gitops was not chosen in this session: choose it with its Choose… button (or drop it on the window) and try again.',
    );
    let chosen = false;
    const rust = fakeBackend({
      // As the shell does: a path is read once it was picked in the dialog, not when typed.
      dialogs: {
        open: () => {
          chosen = true;
          return '/srv/gen3-gitops';
        },
      },
      handlers: {
        wizard_gitops_status: () => {
          if (!chosen) throw NOT_CHOSEN;
          return gitopsRepoOf();
        },
        wizard_review: (a) => {
          if (!chosen && a.destination.kind === 'gitops' && a.destination.repo_path) throw NOT_CHOSEN;
          return hostnameReview(a);
        },
      },
    });
    await openWizards();
    await userEvent.click(screen.getByTestId('wizard-new-commons'));
    await screen.findByTestId('wizard-step-destination');

    await userEvent.type(screen.getByTestId('field-destination-repo_path'), '/srv/gen3-gitops');
    await userEvent.tab();
    expect(await screen.findByTestId('gitops-status-error')).toHaveTextContent('/srv/gen3-gitops was not chosen in this session: choose it with its Choose… button');
    expect(screen.queryByTestId('gitops-status')).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId('pick-repo'));
    expect(await screen.findByTestId('gitops-status')).toHaveTextContent('On branch master');
    expect(screen.queryByTestId('gitops-status-error')).not.toBeInTheDocument();
    expect(rust.dialogs).toEqual([{ kind: 'open', options: expect.objectContaining({ directory: true, defaultPath: '/srv/gen3-gitops' }) }]);
    // The same path, now chosen: checked and reviewed again although no answer changed.
    expect(rust.named('wizard_gitops_status').map((c) => c.request)).toEqual([{ path: '/srv/gen3-gitops' }, { path: '/srv/gen3-gitops' }]);
    await waitFor(() => expect(rust.named('wizard_review').at(-1)?.request).toMatchObject({ destination: { repo_path: '/srv/gen3-gitops' } }));
  });

  it('shows no error under a field of a new commons before it is touched', async () => {
    fakeBackend();
    render(App);
    await userEvent.click(await screen.findByTestId('nav-wizards'));
    await userEvent.click(await screen.findByTestId('wizard-new-commons'));
    await userEvent.click(await screen.findByTestId('wizard-step-2'));
    await expectStep(2);
    // The bar under the step still says why Next waits; the field itself is not red yet.
    await waitFor(() => expect(screen.getByTestId('wizard-next-reason')).toHaveTextContent('is not a hostname'));
    expect(screen.queryByTestId('field-identity-hostname-finding')).not.toBeInTheDocument();
    expect(document.querySelector('.wizard-field.invalid')).toBeNull();
    await userEvent.type(screen.getByTestId('field-identity-hostname'), 'nodots');
    await waitFor(() => expect(screen.getByTestId('field-identity-hostname-finding')).toHaveTextContent('"nodots" is not a hostname'));
    expect(document.querySelector('.wizard-field.invalid')).not.toBeNull();
  });

  it('shows a hostname finding under the field and blocks Next until it is fixed', async () => {
    const rust = withDraft({ ...readyAnswers(), identity: { ...readyAnswers().identity, hostname: '' } }, 2);
    await resume();
    await expectStep(2);

    const host = screen.getByTestId('field-identity-hostname');
    await userEvent.type(host, 'nodots');
    await waitFor(() => expect(screen.getByTestId('field-identity-hostname-finding')).toHaveTextContent('"nodots" is not a hostname'));
    expect(screen.getByTestId('field-identity-hostname-finding')).toHaveTextContent('Error:');
    expect(screen.getByTestId('wizard-next')).toBeDisabled();
    expect(screen.getByTestId('wizard-next-reason')).toHaveTextContent('"nodots" is not a hostname');
    expect(screen.getByTestId('wizard-step-3')).toBeDisabled();
    expect(screen.getByTestId('wizard-step-1')).toBeEnabled();
    // Shown under its field, so not again in the step's list.
    expect(screen.queryByTestId('step-findings')).not.toBeInTheDocument();
    await userEvent.keyboard('{Alt>}{ArrowRight}{/Alt}');
    expect(progress()).toHaveTextContent('Step 2 of 9');

    await userEvent.clear(host);
    await userEvent.type(host, 'data.example.org');
    // Next is clickable while the edit waits for its review, so wait for the review itself.
    await waitFor(() => expect(screen.queryByTestId('field-identity-hostname-finding')).not.toBeInTheDocument());
    expect(screen.getByTestId('wizard-next')).toBeEnabled();
    await userEvent.click(screen.getByTestId('wizard-next'));
    await expectStep(3);
    expect(rust.named('wizard_draft_save').at(-1)?.request.answers).toMatchObject({ identity: { hostname: 'data.example.org' } });
  });

  describe('Next right after an edit that unblocks the step', () => {
    // The Rust checks on the release name (step 1) and on login (step 5), besides the hostname.
    const review = (a: CommonsAnswers): Review => {
      const findings = [...hostnameReview(a).findings];
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(a.destination.release_name.trim())) {
        findings.push(stepFinding(1, 'bad_release_name', 'destination.release_name', "Enter a Helm release name: lowercase letters, digits and '-'."));
      }
      if (a.login.providers.length === 0 && !a.login.mock_login) {
        findings.push(stepFinding(5, 'no_login', 'login.providers', 'Add a login provider (or, for a dev commons, turn on mock login).'));
      }
      return reviewOf(findings);
    };
    // A plain DOM click, as WebDriver's `element.click()` in the built app: no pointer events, no waiting.
    const clickNext = () => (screen.getByTestId('wizard-next') as HTMLButtonElement).click();

    it('goes on when clicked while the edit still waits for its review', async () => {
      const answers = readyAnswers();
      answers.destination.release_name = '';
      const rust = withDraft(answers, 1, { handlers: { wizard_review: review } });
      await resume();
      await expectStep(1);
      await waitFor(() => expect(screen.getByTestId('wizard-next-reason')).toHaveTextContent('Enter a Helm release name'));
      const reviews = rust.named('wizard_review').length;

      await userEvent.type(screen.getByTestId('field-destination-release_name'), 'gen3');
      // The edit's debounced review has not run yet: the review on screen is the one of the empty name.
      expect(rust.named('wizard_review')).toHaveLength(reviews);
      clickNext();

      await expectStep(2);
      expect(rust.named('wizard_review').at(-1)?.request.destination.release_name).toBe('gen3');
      await waitFor(() => expect(rust.named('wizard_draft_save')).toHaveLength(1));
      expect(rust.named('wizard_draft_save')[0].request).toMatchObject({ step: 2, answers: { destination: { release_name: 'gen3' } } });
    });

    it('goes on when clicked while the edit is being reviewed', async () => {
      // Reviews answer at once until `hold` is set; then they wait until the test lets them go.
      let hold = false;
      const held: (() => void)[] = [];
      const rust = withDraft(readyAnswers(), 5, {
        handlers: {
          wizard_review: (request) =>
            hold ? new Promise<Review>((resolve) => held.push(() => resolve(review(request)))) : review(request),
        },
      });
      await resume();
      await expectStep(5);
      await waitFor(() => expect(screen.getByTestId('wizard-next-reason')).toHaveTextContent('Add a login provider'));
      const reviews = rust.named('wizard_review').length;

      hold = true;
      await userEvent.click(screen.getByTestId('field-login-mock_login'));
      // The edit's debounced review has started and not answered yet.
      await waitFor(() => expect(held).toHaveLength(1), { timeout: 2000 });
      clickNext();
      await new Promise((r) => setTimeout(r, 20));
      expect(progress()).toHaveTextContent('Step 5 of 9');
      held[0]();

      await expectStep(6);
      // The click waited for the review under way instead of asking again.
      expect(rust.named('wizard_review')).toHaveLength(reviews + 1);
      expect(rust.named('wizard_review').at(-1)?.request.login.mock_login).toBe(true);
      await waitFor(() => expect(rust.named('wizard_draft_save')).toHaveLength(1));
      expect(rust.named('wizard_draft_save')[0].request).toMatchObject({ step: 6, answers: { login: { mock_login: true } } });
    });

    it('still stays when the fresh review blocks the step, and shows why', async () => {
      const answers = readyAnswers();
      answers.destination.release_name = '';
      const rust = withDraft(answers, 1, { handlers: { wizard_review: review } });
      await resume();
      await expectStep(1);
      await waitFor(() => expect(screen.getByTestId('wizard-next')).toBeDisabled());

      await userEvent.type(screen.getByTestId('field-destination-release_name'), 'Gen3');
      clickNext();

      await waitFor(() => expect(rust.named('wizard_review').at(-1)?.request.destination.release_name).toBe('Gen3'));
      // Let the review answer and next() decide.
      await new Promise((r) => setTimeout(r, 20));
      expect(screen.getByTestId('wizard-next')).toBeDisabled();
      expect(screen.getByTestId('wizard-next-reason')).toHaveTextContent('Enter a Helm release name');
      expect(progress()).toHaveTextContent('Step 1 of 9');
      expect(rust.named('wizard_draft_save')).toHaveLength(0);
    });
  });

  it('adds what a service needs, asks before leaving one without what it needs, and shows conflicts under the service', async () => {
    const review = (a: CommonsAnswers): Review =>
      reviewOf(
        a.services.includes('aws-es-proxy') && a.services.includes('aws-sigv4-proxy')
          ? [
              stepFinding(4, 'exclusive_services', 'aws-sigv4-proxy.enabled', 'aws-es-proxy and aws-sigv4-proxy are all enabled, but only one may be: both are proxies to the same AWS Elasticsearch domain.', {
                file: 'values/values.yaml',
              }),
            ]
          : [],
      );
    const rust = withDraft(readyAnswers(), 4, { handlers: { wizard_review: review } });
    await resume();
    await expectStep(4);
    const box = (name: string) => screen.getByTestId(`service-${name}`) as HTMLInputElement;
    await waitFor(() => expect(box('fence')).toBeChecked());
    expect(screen.getByTestId('services-count')).toHaveTextContent('5 of 10 services chosen');
    // The in-chart Elasticsearch follows the Database step, not a box here.
    expect(box('elasticsearch')).toBeChecked();
    expect(box('elasticsearch')).toBeDisabled();
    expect(box('common')).toBeDisabled();

    await userEvent.click(box('guppy'));
    let offer = await screen.findByTestId('service-offer');
    expect(within(offer).getAllByTestId('service-need').map((n) => n.textContent?.trim())).toEqual([
      'guppy works with etl: guppy serves the indices etl builds.',
      "etl works with sheepdog: it reads the graph data sheepdog's database holds.",
    ]);
    expect(box('guppy')).not.toBeChecked();
    await userEvent.click(within(offer).getByTestId('service-offer-accept'));
    for (const name of ['guppy', 'etl', 'sheepdog']) expect(box(name)).toBeChecked();
    expect(screen.queryByTestId('service-offer')).not.toBeInTheDocument();

    // guppy runs without etl (its indices can come from elsewhere): turning etl off asks nothing.
    await userEvent.click(box('etl'));
    expect(box('etl')).not.toBeChecked();
    expect(box('guppy')).toBeChecked();
    expect(screen.queryByTestId('service-offer')).not.toBeInTheDocument();
    await userEvent.click(box('etl'));
    expect(box('etl')).toBeChecked();

    await userEvent.click(box('fence'));
    offer = await screen.findByTestId('service-offer');
    expect(within(offer).getAllByTestId('service-dependent').map((n) => n.textContent)).toEqual([
      'sheepdog needs fence: fence logs users in.',
      'portal needs fence: fence logs users in.',
    ]);
    await userEvent.click(within(offer).getByTestId('service-offer-only'));
    expect(box('fence')).not.toBeChecked();
    expect(box('portal')).toBeChecked();
    await userEvent.click(box('fence'));
    expect(box('fence')).toBeChecked();

    await userEvent.click(box('aws-es-proxy'));
    await userEvent.click(box('aws-sigv4-proxy'));
    await waitFor(() => expect(screen.getByTestId('service-aws-sigv4-proxy-finding')).toHaveTextContent('only one may be'));
    expect(screen.getByTestId('wizard-next')).toBeDisabled();
    expect(screen.queryByTestId('step-findings')).not.toBeInTheDocument();
    await userEvent.click(box('aws-es-proxy'));
    await waitFor(() => expect(screen.queryByTestId('service-aws-sigv4-proxy-finding')).not.toBeInTheDocument());
    expect(screen.getByTestId('wizard-next')).toBeEnabled();

    expect(rust.named('wizard_review').at(-1)?.request.services).toEqual([
      'arborist',
      'fence',
      'indexd',
      'sheepdog',
      'revproxy',
      'portal',
      'etl',
      'guppy',
      'aws-sigv4-proxy',
    ]);
  });

  it('lets the operator pick which service meets a requirement with several answers', async () => {
    const answers = { ...readyAnswers(), database: { ...readyAnswers().database, mode: 'external' as const } };
    const rust = withDraft(answers, 4);
    await resume();
    await expectStep(4);
    const box = (name: string) => screen.getByTestId(`service-${name}`) as HTMLInputElement;
    expect(box('elasticsearch')).not.toBeChecked();

    await userEvent.click(box('guppy'));
    const offer = await screen.findByTestId('service-offer');
    expect(offer).toHaveTextContent('guppy works with elasticsearch, aws-es-proxy or aws-sigv4-proxy: it reads and writes Elasticsearch.');
    await userEvent.selectOptions(within(offer).getByTestId('service-need-pick'), 'aws-sigv4-proxy');
    expect(within(offer).getByTestId('service-offer-accept')).toHaveTextContent('Add guppy and etl, aws-sigv4-proxy and sheepdog');
    await userEvent.click(within(offer).getByTestId('service-offer-accept'));
    expect(box('aws-sigv4-proxy')).toBeChecked();
    expect(box('aws-es-proxy')).not.toBeChecked();
    await waitFor(() => expect(rust.named('wizard_review').at(-1)?.request.services).toContain('aws-sigv4-proxy'));
  });

  it('reviews: a diff with added and removed lines, findings by step, and acknowledging sends the ack id', async () => {
    const diff = '--- a/values.yaml\n+++ b/values.yaml\n@@ -1,2 +1,2 @@\n global:\n-  hostname: old.example.org\n+  hostname: data.example.org\n';
    const review = (a: CommonsAnswers): Review => {
      const ack = 'dev_database_in_production@database.mode';
      return reviewOf(
        [
          stepFinding(3, 'dev_database_in_production', 'database.mode', 'A production commons on the in-chart PostgreSQL loses its data when the pods move.', {
            acknowledgeable: true,
            acknowledged: a.acknowledged.includes(ack),
          }),
          stepFinding(6, 'policy_missing_role', 'authz.policies', 'Policy "reader" names the role "peek", which user.yaml does not define.', {
            severity: 'warning',
            file: 'user.yaml',
          }),
        ],
        [
          { path: 'data.example.org/values/values.yaml', contents: 'global:\n  hostname: data.example.org\n', change: 'changed', diff },
          { path: 'data.example.org/values/user.yaml', contents: USER_YAML, change: 'unchanged', diff: '' },
        ],
      );
    };
    const rust = withDraft(readyAnswers('production'), 8, { handlers: { wizard_review: review } });
    await resume();
    await expectStep(8);

    expect(await screen.findByTestId('review-status')).toHaveTextContent('1 error to fix or acknowledge before launch.');
    expect(screen.getByTestId('wizard-next')).toBeDisabled();
    const step3 = screen.getByTestId('review-step-3');
    expect(step3).toHaveTextContent('Step 3 · Database and secrets');
    expect(within(step3).getByTestId('finding-dev_database_in_production')).toHaveTextContent('Error');
    expect(within(screen.getByTestId('review-step-6')).getByTestId('finding-policy_missing_role')).toHaveTextContent('Warning');
    expect(within(screen.getByTestId('review-step-6')).getByTestId('finding-policy_missing_role')).toHaveTextContent('user.yaml · authz.policies');

    const [values, userYaml] = screen.getAllByTestId('review-file');
    expect(within(values).getByTestId('file-badge')).toHaveTextContent('Changed');
    expect(within(values).getByTestId('file-stats')).toHaveTextContent('+1 −1');
    const diffView = within(values).getByTestId('file-diff');
    expect(diffView.querySelector('[data-kind="removed"]')).toHaveTextContent('removed hostname: old.example.org');
    expect(diffView.querySelector('[data-kind="added"]')).toHaveTextContent('added hostname: data.example.org');
    expect(within(userYaml).getByTestId('file-badge')).toHaveTextContent('Unchanged');
    expect(within(userYaml).queryByTestId('file-diff')).not.toBeInTheDocument();
    await userEvent.click(within(userYaml).getByTestId('file-contents-toggle'));
    expect(within(userYaml).getByTestId('file-contents')).toHaveTextContent('- id: workspace');

    await userEvent.click(screen.getByTestId('ack-dev_database_in_production@database.mode'));
    await waitFor(() => expect(screen.getByTestId('review-status')).toHaveTextContent('Ready to launch.'));
    expect(rust.named('wizard_review').at(-1)?.request.acknowledged).toEqual(['dev_database_in_production@database.mode']);
    expect(within(step3).getByTestId('finding-dev_database_in_production')).toHaveTextContent('Acknowledged');

    await userEvent.click(screen.getByTestId('goto-step-3'));
    await expectStep(3);
    expect(screen.getByTestId('field-database-mode-finding')).toHaveTextContent('Acknowledged:');
    await userEvent.click(screen.getByTestId('wizard-step-9'));
    await expectStep(9);
    expect(screen.getByTestId('wizard-launch')).toBeEnabled();
    expect(rust.named('wizard_draft_save').at(-1)?.request.answers).toMatchObject({
      acknowledged: ['dev_database_in_production@database.mode'],
    });
  });

  it('launches a production commons only after its hostname is typed, and shows progress and the result', async () => {
    let finish: (r: LaunchReport) => void = () => {};
    const answers = readyAnswers('production');
    const rust = withDraft(answers, 9, {
      handlers: { wizard_review: () => reviewOf([]), wizard_launch: () => new Promise<LaunchReport>((resolve) => (finish = resolve)) },
    });
    await resume();
    await expectStep(9);
    expect(screen.getAllByTestId('prod-badge').length).toBeGreaterThan(0);

    await userEvent.click(await screen.findByTestId('wizard-launch'));
    const dialog = await screen.findByTestId('launch-confirm-dialog');
    expect(within(dialog).getByTestId('prod-badge')).toBeInTheDocument();
    expect(within(dialog).getByTestId('launch-target')).toHaveTextContent('Commit the folder data.example.org to a new branch');
    const confirm = within(dialog).getByTestId('launch-confirm');
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByTestId('launch-confirm-host'), 'data.example.com');
    expect(confirm).toBeDisabled();
    await userEvent.clear(within(dialog).getByTestId('launch-confirm-host'));
    await userEvent.type(within(dialog).getByTestId('launch-confirm-host'), 'data.example.org');
    await userEvent.click(confirm);

    await waitFor(() => expect(rust.named('wizard_launch')).toHaveLength(1));
    expect(rust.named('wizard_launch')[0].request).toMatchObject({ confirmation: 'data.example.org', watch_secs: 600, draft_id: 'd1', answers: { identity: { hostname: 'data.example.org' } } });
    const events: LaunchProgress[] = [
      { phase: 'pushing', message: 'Committing 3 files to /srv/gen3-gitops', line: null, watch: null },
      { phase: 'registering', message: 'Adding the commons to the inventory', line: null, watch: null },
    ];
    for (const e of events) await rust.emit('launch-progress', e);
    expect(await screen.findByTestId('launch-message')).toHaveTextContent('Adding the commons to the inventory');
    expect(screen.getByTestId('launch-phase-pushing')).toHaveAttribute('data-state', 'done');
    expect(screen.getByTestId('launch-phase-registering')).toHaveAttribute('data-state', 'current');
    const watch: WatchProgress = {
      services: [],
      healthy: 7,
      expected: 12,
      waiting_for: ['sheepdog', 'peregrine'],
      not_checked: [],
      reachable: true,
      error: null,
      attempts: 3,
      elapsed_ms: 15_000,
    };
    await rust.emit('launch-progress', { phase: 'watching', message: '', line: null, watch });
    expect(await screen.findByTestId('launch-watch')).toHaveTextContent('7 of 12 services healthy');
    expect(screen.getByTestId('launch-watch')).toHaveTextContent('waiting for sheepdog, peregrine');
    expect(screen.getByTestId('launch-cancel')).toBeEnabled();

    finish({
      commons_id: 'c-42',
      git: {
        branch: 'gen3-csoc/data-example-org-1796000000',
        commit: '3f2a9c1d5e7b',
        remote: 'origin',
        remote_url: 'git@github.com:example/gen3-gitops.git',
        base_branch: 'master',
        files: ['data.example.org/values/values.yaml'],
        argo_app: {
          name: 'data-example-org',
          namespace: 'gen3',
          server: null,
          release_name: 'gen3',
          chart_revision: 'master',
          values_revision: 'master',
          value_files: ['$values/data.example.org/values/values.yaml'],
        },
      },
      helm: null,
      merge: { branch: 'gen3-csoc/data-example-org-1796000000', into: 'master', result: 'merged', message: 'gen3-csoc/data-example-org-1796000000 is merged into master.' },
      watch: { result: 'healthy', progress: { ...watch, healthy: 12, waiting_for: [] }, message: 'All 12 services are healthy.' },
      files: ['data.example.org/values/values.yaml', 'data.example.org/values/user.yaml'],
      notes: ['With External Secrets, Fence reads its private configuration from the secret-manager entry `fence-config`.'],
    });
    const result = await screen.findByTestId('launch-result');
    expect(within(result).getByTestId('launch-notes')).toHaveTextContent('secret-manager entry `fence-config`');
    expect(within(result).getByTestId('launch-commit')).toHaveTextContent('3f2a9c1d5e7b');
    expect(within(result).getByTestId('launch-branch')).toHaveTextContent('gen3-csoc/data-example-org-1796000000');
    expect(within(result).getByTestId('launch-argo-app')).toHaveTextContent('data-example-org in namespace gen3');
    expect(within(result).getByTestId('launch-value-files')).toHaveTextContent('$values/data.example.org/values/values.yaml');
    expect(within(result).getByTestId('launch-merge-result')).toHaveTextContent('is merged into master');
    expect(within(result).getByTestId('launch-watch-result')).toHaveTextContent('All 12 services are healthy.');
    expect(screen.queryByTestId('launch-cancel')).not.toBeInTheDocument();
    await waitFor(() => expect(rust.named('wizard_draft_delete').map((c) => c.request)).toEqual([{ id: 'd1' }]));
    expect(within(result).getByTestId('launch-open-commons')).toHaveTextContent('Open Data Hub in the inventory');
  });

  it('streams helm output into the log, and Cancel stops the launch', async () => {
    let finish: (r: LaunchReport) => void = () => {};
    const a = readyAnswers('dev');
    const answers: CommonsAnswers = {
      ...a,
      destination: { kind: 'helm', kube_context: 'kind-gen3', namespace: 'gen3', release_name: 'gen3', chart_version: '', output_dir: '/tmp/out' },
    };
    const rust = withDraft(answers, 9, {
      handlers: { wizard_review: () => reviewOf([]), wizard_launch: () => new Promise<LaunchReport>((resolve) => (finish = resolve)) },
    });
    await resume();
    await userEvent.selectOptions(await screen.findByTestId('launch-watch-secs'), "Don't watch");
    await userEvent.click(screen.getByTestId('wizard-launch'));
    const dialog = await screen.findByTestId('launch-confirm-dialog');
    expect(within(dialog).queryByTestId('launch-confirm-host')).not.toBeInTheDocument();
    expect(within(dialog).getByTestId('launch-target')).toHaveTextContent('helm upgrade --install gen3 in namespace gen3 with kube context kind-gen3');
    await userEvent.click(within(dialog).getByTestId('launch-confirm'));
    await waitFor(() => expect(rust.named('wizard_launch')).toHaveLength(1));
    expect(rust.named('wizard_launch')[0].request).toMatchObject({ confirmation: 'data.example.org', watch_secs: 0 });
    expect(screen.queryByTestId('launch-phase-watching')).not.toBeInTheDocument();

    await rust.emit('launch-progress', { phase: 'helm', message: 'helm upgrade --install gen3 gen3', line: null, watch: null });
    await rust.emit('launch-progress', { phase: 'helm', message: '', line: 'Release "gen3" does not exist. Installing it now.', watch: null });
    await rust.emit('launch-progress', { phase: 'helm', message: '', line: 'Waiting for pods to become ready', watch: null });
    const log = await screen.findByTestId('launch-log');
    await waitFor(() => expect(log.textContent).toBe('Release "gen3" does not exist. Installing it now.\nWaiting for pods to become ready'));
    expect(screen.getByTestId('launch-phase-writing')).toHaveAttribute('data-state', 'done');
    expect(screen.getByTestId('launch-phase-helm')).toHaveAttribute('data-state', 'current');

    await userEvent.click(screen.getByTestId('launch-cancel'));
    await waitFor(() => expect(rust.named('wizard_launch_cancel')).toHaveLength(1));
    expect(screen.getByTestId('launch-cancel')).toHaveTextContent('Cancelling…');
    finish({ commons_id: null, git: null, helm: { exit_code: null, cancelled: true }, merge: null, watch: null, files: ['values.yaml'], notes: [] });
    const result = await screen.findByTestId('launch-result');
    expect(result).toHaveTextContent('Launch cancelled');
    expect(within(result).getByTestId('launch-helm')).toHaveTextContent('Stopped by cancel');
    expect(within(result).queryByTestId('launch-open-commons')).not.toBeInTheDocument();
    // Nothing was launched: the draft stays to try again.
    expect(rust.named('wizard_draft_delete')).toHaveLength(0);
  });

  it('shows a launch error in words and keeps the draft', async () => {
    const rust = withDraft(readyAnswers('dev'), 9, {
      handlers: {
        wizard_review: () => reviewOf([]),
        wizard_launch: () => fail('unreachable', 'The push to origin failed: the remote could not be reached. The commit stays on branch gen3-csoc/x.'),
      },
    });
    await resume();
    await userEvent.click(await screen.findByTestId('wizard-launch'));
    await userEvent.click(within(await screen.findByTestId('launch-confirm-dialog')).getByTestId('launch-confirm'));
    const error = await screen.findByTestId('launch-error');
    expect(error).toHaveTextContent('The push to origin failed');
    expect(error).toHaveTextContent('Check the network, VPN or proxy');
    expect(rust.named('wizard_draft_delete')).toHaveLength(0);
  });

  it('puts a client secret in the vault and never back into the draft or the screen', async () => {
    const secret = 's3cr3t-value-7f3a';
    const a = readyAnswers('production');
    const answers: CommonsAnswers = {
      ...a,
      login: {
        providers: [{ kind: 'google', idp: 'google', label: 'Google', client_id: 'cid', discovery_url: '', api_base_url: '', secret_stored: false }],
        default_idp: '',
        mock_login: false,
      },
    };
    const rust = withDraft(answers, 5);
    await resume();
    await expectStep(5);
    expect(screen.getByTestId('field-login-0-redirect')).toHaveValue('https://data.example.org/user/login/google/login/');
    expect(screen.getByTestId('field-login-0-redirect')).toHaveAttribute('readonly');

    await userEvent.type(screen.getByTestId('field-login-0-secret'), secret);
    await userEvent.click(screen.getByTestId('field-login-0-secret-store'));
    expect(await screen.findByTestId('field-login-0-secret-stored')).toHaveTextContent('Stored in the vault');
    expect(rust.named('wizard_secret_store').map((c) => c.request)).toEqual([{ draft_id: 'd1', idp: 'google', secret }]);
    expect(screen.queryByTestId('field-login-0-secret')).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(secret);
    await waitFor(() => expect(rust.named('wizard_draft_save').length).toBeGreaterThan(0));
    const saved = rust.named('wizard_draft_save').at(-1)!.request;
    expect((saved.answers as CommonsAnswers).login.providers[0].secret_stored).toBe(true);
    for (const c of [...rust.named('wizard_draft_save'), ...rust.named('wizard_review')]) expect(JSON.stringify(c.request)).not.toContain(secret);

    await userEvent.click(screen.getByTestId('field-login-mock_login'));
    expect(screen.getByTestId('mock-login-production-warning')).toHaveTextContent('Mock login lets anyone act as any user');
    expect(screen.getByTestId('mock-login-production-warning')).toHaveAttribute('role', 'alert');
  });

  it('checks the dictionary URL and shows the node count or the error', async () => {
    let broken = false;
    withDraft(readyAnswers(), 7, {
      handlers: {
        wizard_check_dictionary: (req) => {
          if (broken) fail('not_gen3', `${req.url} is not a Gen3 data dictionary: it has no _terms.yaml.`);
          return { url: req.url, node_count: 3, nodes: ['case', 'program', 'project'] };
        },
      },
    });
    await resume();
    await expectStep(7);
    await userEvent.click(screen.getByTestId('dictionary-check'));
    expect(await screen.findByTestId('dictionary-result')).toHaveTextContent('A Gen3 data dictionary with 3 nodes: case, program, project');

    broken = true;
    const url = screen.getByTestId('field-settings-dictionary_url');
    await userEvent.clear(url);
    await userEvent.type(url, 'https://example.org/not.json');
    expect(screen.queryByTestId('dictionary-result')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('dictionary-check'));
    expect(await screen.findByTestId('dictionary-error')).toHaveTextContent('https://example.org/not.json is not a Gen3 data dictionary');
  });
});

describe('import existing', () => {
  it('reads a commons folder, shows the summary and warnings, and opens the draft at review', async () => {
    const answers = readyAnswers('production');
    const imported = draftOf('imp-1', answers, STEP_REVIEW);
    const rust = fakeBackend({
      dialogs: { open: () => '/srv/gen3-gitops/unfunded/data.example.org' },
      handlers: {
        wizard_review: () => reviewOf([]),
        wizard_import: () => {
          rust.state.drafts.set(imported.id, imported);
          return {
            imported: {
              kind: 'gitops_folder',
              answers,
              warnings: [
                {
                  severity: 'warning',
                  code: 'unknown_key',
                  message: 'global.hostnmae is not a key gen3-helm knows; did you mean global.hostname?',
                  file: 'values/values.yaml',
                  key: 'global.hostnmae',
                  acknowledgeable: false,
                },
              ],
              summary: 'Read values.yaml, 2 split values files and templates/app.yaml from unfunded/data.example.org.',
            },
            commons: commonsOf('c1', 'Data Hub', {
              base_url: 'https://data.example.org',
              environment: 'production',
              expected_release: '2026.07',
              deployment: { kind: 'gitops', folder: 'unfunded/data.example.org' },
            }),
            draft: imported,
          };
        },
      },
    });
    await openWizards();
    await userEvent.click(screen.getByTestId('import-folder'));

    const result = await screen.findByTestId('import-result');
    expect(rust.named('wizard_import').map((c) => c.request)).toEqual([{ path: '/srv/gen3-gitops/unfunded/data.example.org' }]);
    expect(rust.dialogs.map((d) => d.kind)).toEqual(['open']);
    expect(within(result).getByTestId('import-summary')).toHaveTextContent('2 split values files');
    expect(within(result).getByTestId('import-warning-unknown_key')).toHaveTextContent('did you mean global.hostname?');
    expect(within(result).getByTestId('import-commons')).toHaveTextContent('Data Hub');
    expect(within(result).getByTestId('prod-badge')).toBeInTheDocument();
    expect(await screen.findByTestId('draft-row')).toHaveTextContent('data.example.org');

    await userEvent.click(within(result).getByTestId('import-open-draft'));
    await expectStep(8);
    expect(rust.named('wizard_draft_get').map((c) => c.request)).toEqual([{ id: 'imp-1' }]);
    expect(await screen.findByTestId('review-status')).toHaveTextContent('Ready to launch.');
  });

  it('imports the path named with --import as soon as the window opens', async () => {
    const answers = readyAnswers();
    const imported = draftOf('imp-2', answers, STEP_REVIEW);
    const rust = fakeBackend({
      status: statusOf({ import_path: '/srv/gen3-gitops/unfunded/data.example.org' }),
      handlers: {
        wizard_import: () => {
          rust.state.drafts.set(imported.id, imported);
          return {
            imported: { kind: 'gitops_folder', answers, warnings: [], summary: 'Read values.yaml.' },
            commons: null,
            draft: imported,
          };
        },
      },
    });
    render(App);
    expect(await screen.findByTestId('import-result')).toHaveTextContent('Read values.yaml.');
    expect(rust.named('wizard_import').map((c) => c.request)).toEqual([{ path: '/srv/gen3-gitops/unfunded/data.example.org' }]);
    expect(screen.getByTestId('import-path')).toHaveValue('/srv/gen3-gitops/unfunded/data.example.org');
    expect(rust.dialogs).toEqual([]);
  });

  it('says so in words when a path cannot be imported', async () => {
    fakeBackend({
      handlers: {
        wizard_import: () => fail('invalid', '/tmp/nothing is neither a gen3-gitops commons folder nor a manifest.json or values file.'),
      },
    });
    await openWizards();
    await userEvent.type(screen.getByTestId('import-path'), '/tmp/nothing{Enter}');
    expect(await screen.findByTestId('import-error')).toHaveTextContent('/tmp/nothing is neither a gen3-gitops commons folder');
    expect(screen.queryByTestId('import-result')).not.toBeInTheDocument();
  });
});
