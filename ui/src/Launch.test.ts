import { emit } from './lib/backend/mocks';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { CommonsAnswers, CoreError, GitLaunch, LaunchReport } from './lib/backend/backend';
import { fakeBackend, resetBackend } from './testing/backend';
import { draftOf, readyAnswers, reviewOf } from './testing/wizard';

// The launch page after the launch: what it says after a cancel, a failure and a GitOps push.

beforeAll(async () => {
  await Promise.all([import('./lib/views/WizardsView.svelte'), import('./lib/views/CommonsWizard.svelte')]);
});

afterEach(resetBackend);

const HELM: CommonsAnswers = {
  ...readyAnswers('dev'),
  destination: { kind: 'helm', kube_context: 'kind-gen3', namespace: 'gen3', release_name: 'gen3', chart_version: '', output_dir: '/tmp/out' },
};

/** Resumes a draft of `answers` at the launch step and confirms the launch; `launch` answers it. */
async function launch(answers: CommonsAnswers, answer: () => Promise<LaunchReport>, watch = "Don't watch") {
  const rust = fakeBackend({ drafts: [draftOf('d1', answers, 9)], handlers: { wizard_review: () => reviewOf([]), wizard_launch: answer } });
  render(App);
  await userEvent.click(await screen.findByTestId('nav-wizards'));
  await userEvent.click(await screen.findByTestId('draft-resume'));
  await userEvent.selectOptions(await screen.findByTestId('launch-watch-secs'), watch);
  await userEvent.click(screen.getByTestId('wizard-launch'));
  await userEvent.click(within(await screen.findByTestId('launch-confirm-dialog')).getByTestId('launch-confirm'));
  await waitFor(() => expect(rust.named('wizard_launch')).toHaveLength(1));
  return rust;
}

const phaseState = (phase: string) => screen.getByTestId(`launch-phase-${phase}`).getAttribute('data-state');

function git(remote_url: string, values_revision: string | null = 'master'): GitLaunch {
  return {
    branch: 'gen3-csoc/data-example-org-1796000000',
    commit: '3f2a9c1d5e7b',
    remote: 'origin',
    remote_url,
    base_branch: 'master',
    files: ['data.example.org/values/values.yaml'],
    argo_app: values_revision
      ? { name: 'data-example-org', namespace: 'gen3', server: null, release_name: 'gen3', chart_revision: 'master', values_revision, value_files: [] }
      : null,
  };
}

const pushed = (remote: string, base?: string | null): LaunchReport => ({
  commons_id: 'c-42',
  git: git(remote, base),
  helm: null,
  merge: null,
  watch: null,
  files: ['data.example.org/values/values.yaml'],
  notes: [],
});

describe('the launch page after a cancel', () => {
  it('does not call a helm launch stopped by Cancel launched, nor show its phases done', async () => {
    let finish: (r: LaunchReport) => void = () => {};
    const rust = await launch(HELM, () => new Promise((resolve) => (finish = resolve)));
    await emit('launch-progress', { phase: 'helm', message: 'helm upgrade --install gen3', line: null, watch: null });
    await waitFor(() => expect(phaseState('helm')).toBe('current'));
    await userEvent.click(screen.getByTestId('launch-cancel'));
    await waitFor(() => expect(rust.named('wizard_launch_cancel')).toHaveLength(1));
    finish({ commons_id: null, git: null, helm: { exit_code: null, cancelled: true }, merge: null, watch: null, files: ['values.yaml'], notes: [] });

    const result = await screen.findByTestId('launch-result');
    expect(result).toHaveTextContent('Launch cancelled: nothing was deployed');
    expect(result).not.toHaveTextContent(/Launched/);
    expect(phaseState('writing')).toBe('done');
    expect(phaseState('helm')).toBe('stopped');
    expect(phaseState('registering')).toBe('skipped');
    expect(screen.getByTestId('launch-phase-registering')).toHaveTextContent('(not started)');
    const kept = within(result).getByTestId('launch-kept');
    expect(kept).toHaveTextContent('The values written to /tmp/out are kept.');
    expect(kept).toHaveTextContent('helm status gen3 -n gen3');
    expect(kept).toHaveTextContent('Nothing was added to the inventory.');
    expect(rust.named('wizard_draft_delete')).toHaveLength(0);
  });

  it('says a cancelled watch stopped only the watch: the commons is launched and in the inventory', async () => {
    let finish: (r: LaunchReport) => void = () => {};
    await launch(HELM, () => new Promise((resolve) => (finish = resolve)), '5 minutes');
    await emit('launch-progress', { phase: 'watching', message: '', line: null, watch: null });
    await userEvent.click(screen.getByTestId('launch-cancel'));
    finish({
      commons_id: 'c-42',
      git: null,
      helm: { exit_code: 0, cancelled: false },
      merge: null,
      watch: { result: 'cancelled', progress: null, message: 'Stopped watching.' },
      files: [],
      notes: [],
    });
    const result = await screen.findByTestId('launch-result');
    expect(result).toHaveTextContent('watching stopped');
    expect(phaseState('helm')).toBe('done');
    expect(phaseState('watching')).toBe('stopped');
    expect(within(result).getByTestId('launch-kept')).toHaveTextContent('The commons is in the inventory');
  });
});

describe('the launch page after a failure', () => {
  it('shows the failure, the phase it stopped at, and what was kept', async () => {
    let fail: (e: CoreError) => void = () => {};
    const rust = await launch(HELM, () => new Promise((_, reject) => (fail = reject)));
    await emit('launch-progress', { phase: 'helm', message: 'helm upgrade --install gen3', line: null, watch: null });
    await waitFor(() => expect(phaseState('helm')).toBe('current'));
    fail({ code: 'tool_failed', message: 'helm could not reach the cluster.' });

    const error = await screen.findByTestId('launch-error');
    expect(error).toHaveTextContent('The launch failed. helm could not reach the cluster.');
    expect(phaseState('writing')).toBe('done');
    expect(phaseState('helm')).toBe('failed');
    expect(phaseState('registering')).toBe('skipped');
    const kept = within(error).getByTestId('launch-kept');
    expect(kept).toHaveTextContent('The values written to /tmp/out are kept.');
    expect(kept).toHaveTextContent('Your answers stay in this draft');
    expect(screen.queryByTestId('launch-result')).not.toBeInTheDocument();
    expect(rust.named('wizard_draft_delete')).toHaveLength(0);
  });

  it('calls a helm that exited non-zero a failure, adds nothing to the inventory, and keeps the draft', async () => {
    const rust = await launch(HELM, async () => ({
      commons_id: null,
      git: null,
      helm: { exit_code: 1, cancelled: false },
      merge: null,
      watch: null,
      files: ['values.yaml'],
      notes: [],
    }));
    const result = await screen.findByTestId('launch-result');
    expect(result).toHaveTextContent('helm failed for data.example.org');
    expect(within(result).getByTestId('launch-helm')).toHaveTextContent('Failed (exit code 1)');
    expect(phaseState('helm')).toBe('failed');
    const kept = within(result).getByTestId('launch-kept');
    expect(kept).toHaveTextContent('The values written to /tmp/out are kept.');
    expect(kept).toHaveTextContent('helm may have left the release');
    expect(kept).toHaveTextContent('Nothing was added to the inventory.');
    expect(screen.queryByTestId('launch-open-commons')).not.toBeInTheDocument();
    expect(rust.named('wizard_draft_delete')).toHaveLength(0);
  });
});

describe('the launch page after a GitOps push', () => {
  it('offers the pull request address on GitHub, against the branch Argo CD reads', async () => {
    const user = userEvent.setup();
    const rust = await launch(readyAnswers('dev'), async () => pushed('git@github.com:example/gen3-gitops.git'));
    const url = 'https://github.com/example/gen3-gitops/compare/master...gen3-csoc/data-example-org-1796000000?expand=1';
    expect(await screen.findByTestId('launch-result')).toHaveTextContent('Pull request');
    expect(screen.getByTestId('launch-pr-url').textContent).toBe(url);
    await user.click(screen.getByTestId('launch-pr-copy'));
    expect(await navigator.clipboard.readText()).toBe(url);
    expect(screen.getByTestId('launch-pr-copy')).toHaveTextContent('Copied');
    await user.click(screen.getByTestId('launch-pr-open'));
    expect(rust.opened).toEqual([url]);
    expect(screen.getByTestId('launch-result')).not.toHaveTextContent('Merge request');
    expect(phaseState('pushing')).toBe('done');
    expect(screen.queryByTestId('launch-kept')).not.toBeInTheDocument();
  });

  it('offers the merge request address on GitLab', async () => {
    await launch(readyAnswers('dev'), async () => pushed('https://gitlab.example/ops/gen3-gitops.git', null));
    expect(await screen.findByTestId('launch-result')).toHaveTextContent('Merge request');
    expect(screen.getByTestId('launch-pr-url').textContent).toBe(
      'https://gitlab.example/ops/gen3-gitops/-/merge_requests/new?merge_request[source_branch]=gen3-csoc%2Fdata-example-org-1796000000',
    );
  });

  it('waits for the merge before watching, and watches at once when the operator says it is merged', async () => {
    let finish: (r: LaunchReport) => void = () => {};
    const rust = await launch(readyAnswers('dev'), () => new Promise((resolve) => (finish = resolve)), '5 minutes');
    expect(screen.queryByTestId('launch-merged')).not.toBeInTheDocument();
    await emit('launch-progress', { phase: 'waiting_for_merge', message: 'Waiting for the branch to be merged into master.', line: null, watch: null });
    await waitFor(() => expect(phaseState('waiting_for_merge')).toBe('current'));
    expect(phaseState('watching')).toBe('pending');
    await userEvent.click(screen.getByTestId('launch-merged'));
    await waitFor(() => expect(rust.named('wizard_launch_merged')).toHaveLength(1));
    expect(screen.getByTestId('launch-merged')).toBeDisabled();
    finish({
      ...pushed('git@github.com:example/gen3-gitops.git'),
      merge: { branch: 'gen3-csoc/data-example-org-1796000000', into: 'master', result: 'said_merged', message: 'Merged into master, as you said.' },
      watch: { result: 'healthy', progress: null, message: 'All 12 services are healthy.' },
    });
    expect(await screen.findByTestId('launch-merge-result')).toHaveTextContent('as you said');
    expect(phaseState('waiting_for_merge')).toBe('done');
    expect(phaseState('watching')).toBe('done');
  });

  it('says the watch was skipped when the branch was not merged in time', async () => {
    await launch(readyAnswers('dev'), async () => ({
      ...pushed('git@github.com:example/gen3-gitops.git'),
      merge: { branch: 'b', into: 'master', result: 'timed_out', message: 'b was not merged into master within 5 min, so the commons was not watched.' },
    }), '5 minutes');
    expect(await screen.findByTestId('launch-merge-result')).toHaveTextContent('not merged into master within 5 min');
    expect(phaseState('waiting_for_merge')).toBe('failed');
    expect(phaseState('watching')).toBe('skipped');
  });

  it('offers no address for another host', async () => {
    await launch(readyAnswers('dev'), async () => pushed('ssh://git@git.example.org/ops/gen3-gitops.git'));
    await screen.findByTestId('launch-result');
    expect(screen.queryByTestId('launch-pr')).not.toBeInTheDocument();
  });
});
