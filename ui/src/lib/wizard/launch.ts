import type { CoreError, Destination, LaunchPhase, LaunchReport } from '../backend/backend';

/** Where one phase of a launch stands. */
export type PhaseState = 'done' | 'current' | 'pending' | 'stopped' | 'failed' | 'skipped';

/** How a finished launch ended, in the terms the page shows. */
export type LaunchEnd =
  /** Everything asked for was done. */
  | 'launched'
  /** Cancelled before anything was deployed (helm stopped): nothing in the inventory. */
  | 'cancelled'
  /** Deployed and in the inventory; only the watch was cancelled. */
  | 'watch_stopped'
  /** helm ran and failed (a non-zero exit code): nothing in the inventory. */
  | 'helm_failed'
  /** The launch returned an error. */
  | 'error';

export function launchEnd(report: LaunchReport | null, error: CoreError | null): LaunchEnd | null {
  if (error) return 'error';
  if (!report) return null;
  if (report.helm?.cancelled) return 'cancelled';
  if (report.helm && report.helm.exit_code !== 0) return 'helm_failed';
  if (report.watch?.result === 'cancelled') return 'watch_stopped';
  return 'launched';
}

/**
 * Each phase's state. `reached` is the last phase progress named (null before the first); while
 * running, phases before it are done. Once finished, a phase is done only if it really was: the
 * phase a cancel or failure stopped is marked so, and those after it were never started.
 */
export function phaseStates(
  phases: LaunchPhase[],
  reached: LaunchPhase | null,
  running: boolean,
  report: LaunchReport | null,
  error: CoreError | null,
): PhaseState[] {
  const at = reached ? phases.indexOf(reached) : -1;
  if (running) return phases.map((_, i) => (i < at ? 'done' : i === at ? 'current' : 'pending'));
  const end = launchEnd(report, error);
  const stoppedAt = (phase: LaunchPhase, state: 'stopped' | 'failed') => {
    const i = phases.indexOf(phase);
    return phases.map((_, j): PhaseState => (j < i ? 'done' : j === i ? state : 'skipped'));
  };
  if (end === 'cancelled') return stoppedAt('helm', 'stopped');
  if (end === 'error') return stoppedAt(phases[Math.max(0, at)], 'failed');
  // A failed helm ends the launch there: nothing is added to the inventory, nothing watched.
  if (end === 'helm_failed') return stoppedAt('helm', 'failed');
  if (end === null) return phases.map(() => 'pending');
  // Finished: the watch may have stopped or timed out.
  // A GitOps launch watches only once its branch is merged; a wait that ended otherwise skips the watch.
  const merge = report?.merge ?? null;
  const merged = merge === null || merge.result === 'merged' || merge.result === 'said_merged';
  const watched: PhaseState = merged ? WATCH_STATE[report?.watch?.result ?? 'healthy'] : 'skipped';
  return phases.map((p) =>
    p === 'waiting_for_merge' ? MERGE_STATE[merge?.result ?? 'merged'] : p === 'watching' ? watched : 'done',
  );
}

const WATCH_STATE = { healthy: 'done', timed_out: 'failed', cancelled: 'stopped' } as const;
const MERGE_STATE = { merged: 'done', said_merged: 'done', timed_out: 'failed', cancelled: 'stopped', unknown: 'skipped' } as const;

/**
 * What a launch that did not finish left behind, in words: files written, commits, inventory
 * entries, the draft. `reached` is the last phase the progress named.
 */
export function keptAfter(
  end: LaunchEnd,
  destination: Destination,
  reached: LaunchPhase | null,
  report: LaunchReport | null,
): string[] {
  const kept: string[] = [];
  const inInventory = report?.commons_id != null;
  if (destination.kind === 'helm') {
    const d = destination;
    const wrote = reached !== null && reached !== 'writing';
    if (wrote || report) kept.push(`The values written to ${d.output_dir} are kept.`);
    if (end === 'cancelled' || end === 'helm_failed' || (end === 'error' && reached === 'helm')) {
      kept.push(
        `helm may have left the release ${d.release_name} part-way: \`helm status ${d.release_name} -n ${d.namespace}\` shows where it stands.`,
      );
    }
  }
  // The one step after the deployment that can fail is adding the commons to the inventory.
  if (end === 'error' && reached === 'registering') {
    kept.push(
      destination.kind === 'helm'
        ? `helm installed the release ${destination.release_name} in namespace ${destination.namespace}, but the commons is not in the inventory: add it with “Add to inventory”.`
        : 'The files were pushed to a new branch of the remote, but the commons is not in the inventory: add it with “Add to inventory”.',
    );
  }
  if (end === 'watch_stopped') kept.push('The commons is in the inventory; the board shows its health at the next check.');
  else if (inInventory) kept.push('The commons was added to the inventory.');
  else if (end !== 'launched') kept.push('Nothing was added to the inventory.');
  if (end !== 'launched' && end !== 'watch_stopped') kept.push('Your answers stay in this draft, to correct and launch again.');
  return kept;
}

/** A web address for a GitHub or GitLab repository, from a remote URL in https, ssh:// or scp form; null otherwise. */
function repoWeb(remoteUrl: string): { host: 'github' | 'gitlab'; base: string } | null {
  const url = remoteUrl.trim();
  let authority: string;
  let path: string;
  let web = true;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(url);
  const full = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]+@)?([^/]+)\/(.+)$/i.exec(url);
  if (full) {
    const scheme = full[1].toLowerCase();
    if (!['https', 'http', 'ssh', 'git+ssh', 'git'].includes(scheme)) return null;
    web = scheme === 'https' || scheme === 'http';
    authority = full[2];
    path = full[3];
  } else if (scp) {
    web = false;
    authority = scp[1];
    path = scp[2];
  } else {
    return null;
  }
  // An ssh port is not the web server's.
  const host = (web ? authority : authority.replace(/:\d+$/, '')).toLowerCase();
  const name = host.replace(/:\d+$/, '');
  const kind = name === 'github.com' || name.startsWith('github.') ? 'github' : name === 'gitlab.com' || name.startsWith('gitlab.') ? 'gitlab' : null;
  if (!kind) return null;
  const repo = path.replace(/\/+$/, '').replace(/\.git$/, '').replace(/^\/+/, '');
  if (!repo.includes('/')) return null;
  return { host: kind, base: `https://${host}/${repo}` };
}

const branchPath = (branch: string) => branch.split('/').map(encodeURIComponent).join('/');

/**
 * The page that opens a pull request (GitHub) or merge request (GitLab) for `branch`, from the
 * remote it was pushed to; against `base` when known, else the repository's default branch.
 * Null for other hosts.
 */
export function pullRequestUrl(remoteUrl: string, branch: string, base: string | null): string | null {
  const repo = repoWeb(remoteUrl);
  if (!repo) return null;
  const target = base && base !== 'HEAD' && !/^[0-9a-f]{40}$/i.test(base) ? base : null;
  if (repo.host === 'github') {
    return `${repo.base}/compare/${target ? `${branchPath(target)}...` : ''}${branchPath(branch)}?expand=1`;
  }
  const query = `merge_request[source_branch]=${encodeURIComponent(branch)}${target ? `&merge_request[target_branch]=${encodeURIComponent(target)}` : ''}`;
  return `${repo.base}/-/merge_requests/new?${query}`;
}
