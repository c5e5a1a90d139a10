import { describe, expect, it } from 'vitest';
import type { Destination, LaunchPhase, LaunchReport } from '../backend/backend';
import { keptAfter, launchEnd, phaseStates, pullRequestUrl } from './launch';

const BRANCH = 'gen3-csoc/data-example-org-1796000000';

describe('pull request link', () => {
  it('opens a GitHub compare page from https, ssh:// and scp-style remotes', () => {
    const want = `https://github.com/example/gen3-gitops/compare/master...${BRANCH}?expand=1`;
    expect(pullRequestUrl('https://github.com/example/gen3-gitops.git', BRANCH, 'master')).toBe(want);
    expect(pullRequestUrl('https://github.com/example/gen3-gitops', BRANCH, 'master')).toBe(want);
    expect(pullRequestUrl('git@github.com:example/gen3-gitops.git', BRANCH, 'master')).toBe(want);
    expect(pullRequestUrl('ssh://git@github.com/example/gen3-gitops.git', BRANCH, 'master')).toBe(want);
  });

  it('compares with the default branch when the base is not a branch name', () => {
    const want = `https://github.com/example/gen3-gitops/compare/${BRANCH}?expand=1`;
    expect(pullRequestUrl('git@github.com:example/gen3-gitops.git', BRANCH, null)).toBe(want);
    expect(pullRequestUrl('git@github.com:example/gen3-gitops.git', BRANCH, 'HEAD')).toBe(want);
  });

  it('opens a GitLab merge request, nested groups and an ssh port included', () => {
    const source = `merge_request[source_branch]=${encodeURIComponent(BRANCH)}`;
    expect(pullRequestUrl('https://gitlab.example/ops/gen3/gitops.git', BRANCH, null)).toBe(
      `https://gitlab.example/ops/gen3/gitops/-/merge_requests/new?${source}`,
    );
    expect(pullRequestUrl('ssh://git@gitlab.example:2222/ops/gitops.git', BRANCH, 'main')).toBe(
      `https://gitlab.example/ops/gitops/-/merge_requests/new?${source}&merge_request[target_branch]=main`,
    );
    expect(pullRequestUrl('git@gitlab.com:ops/gitops.git', BRANCH, null)).toBe(
      `https://gitlab.com/ops/gitops/-/merge_requests/new?${source}`,
    );
  });

  it('offers no link for other hosts or a local path', () => {
    expect(pullRequestUrl('https://bitbucket.org/example/gitops.git', BRANCH, 'master')).toBeNull();
    expect(pullRequestUrl('git@git.example.org:ops/gitops.git', BRANCH, 'master')).toBeNull();
    expect(pullRequestUrl('/srv/git/gen3-gitops.git', BRANCH, 'master')).toBeNull();
    expect(pullRequestUrl('file:///srv/git/gen3-gitops.git', BRANCH, 'master')).toBeNull();
  });
});

const report = (over: Partial<LaunchReport>): LaunchReport => ({ commons_id: null, git: null, helm: null, merge: null, watch: null, files: [], notes: [], ...over });
const HELM_PHASES: LaunchPhase[] = ['writing', 'helm', 'registering', 'watching'];
const HELM: Destination = { kind: 'helm', kube_context: '', namespace: 'gen3', release_name: 'gen3', chart_version: '', output_dir: '/tmp/out' };

describe('launch phases after the end', () => {
  it('marks helm stopped and nothing after it done when helm was cancelled', () => {
    const r = report({ helm: { exit_code: null, cancelled: true } });
    expect(launchEnd(r, null)).toBe('cancelled');
    expect(phaseStates(HELM_PHASES, 'helm', false, r, null)).toEqual(['done', 'stopped', 'skipped', 'skipped']);
  });

  it('marks the phase an error stopped as failed', () => {
    const error = { code: 'tool_missing' as const, message: 'helm is not installed' };
    expect(phaseStates(HELM_PHASES, 'helm', false, null, error)).toEqual(['done', 'failed', 'skipped', 'skipped']);
    expect(phaseStates(HELM_PHASES, null, false, null, error)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
  });

  it('marks a failed helm failed and the phases after it skipped', () => {
    const r = report({ helm: { exit_code: 1, cancelled: false } });
    expect(launchEnd(r, null)).toBe('helm_failed');
    expect(phaseStates(HELM_PHASES, 'helm', false, r, null)).toEqual(['done', 'failed', 'skipped', 'skipped']);
  });

  it('marks a cancelled watch stopped, the rest done', () => {
    const r = report({ commons_id: 'c1', helm: { exit_code: 0, cancelled: false }, watch: { result: 'cancelled', progress: null, message: '' } });
    expect(launchEnd(r, null)).toBe('watch_stopped');
    expect(phaseStates(HELM_PHASES, 'watching', false, r, null)).toEqual(['done', 'done', 'done', 'stopped']);
  });

  it('skips the watch of a GitOps launch whose branch was not merged in time, and watches once it was', () => {
    const GITOPS: LaunchPhase[] = ['pushing', 'registering', 'waiting_for_merge', 'watching'];
    const wait = (result: 'merged' | 'said_merged' | 'timed_out') => ({ branch: 'b', into: 'master', result, message: '' });
    const late = report({ commons_id: 'c1', merge: wait('timed_out') });
    expect(phaseStates(GITOPS, 'waiting_for_merge', false, late, null)).toEqual(['done', 'done', 'failed', 'skipped']);
    const said = report({ commons_id: 'c1', merge: wait('said_merged'), watch: { result: 'healthy', progress: null, message: '' } });
    expect(phaseStates(GITOPS, 'watching', false, said, null)).toEqual(['done', 'done', 'done', 'done']);
  });

  it('says what a cancelled helm launch kept', () => {
    const r = report({ helm: { exit_code: null, cancelled: true } });
    const kept = keptAfter('cancelled', HELM, 'helm', r).join(' ');
    expect(kept).toContain('/tmp/out');
    expect(kept).toContain('helm status gen3 -n gen3');
    expect(kept).toContain('Nothing was added to the inventory.');
    expect(kept).toContain('stay in this draft');
  });

  it('says that helm installed the release when only adding it to the inventory failed', () => {
    const kept = keptAfter('error', HELM, 'registering', null).join(' ');
    expect(kept).toContain('helm installed the release gen3 in namespace gen3, but the commons is not in the inventory');
    expect(kept).toContain('Nothing was added to the inventory.');
    expect(kept).not.toContain('part-way');
    expect(keptAfter('error', HELM, 'helm', null).join(' ')).not.toContain('helm installed');
  });
});
