import type {
  Category,
  CommandName,
  Commons,
  CommonsAnswers,
  Draft,
  FileReview,
  Requirement,
  Review,
  ServiceInfo,
  Severity,
  StepFinding,
} from '../lib/backend/backend';
import { defaultAnswers, gitopsDefaults } from '../lib/wizard/answers';
import { MONITOR, STATUS, TEAM_ALONE, fleetOf, healthOf, inventoryOf } from './fleet';

/** Shared test data for the wizard screens: what the Rust side would answer. */

const req = (anyOf: string[], why: string, hard = false): Requirement => ({ any_of: anyOf, why, hard });
const ARBORIST = req(['arborist'], 'arborist decides who may do what', true);
const FENCE = req(['fence'], 'fence logs users in', true);
const ELASTICSEARCH = req(['elasticsearch', 'aws-es-proxy', 'aws-sigv4-proxy'], 'it reads and writes Elasticsearch');

function service(name: string, category: Category, requires: Requirement[] = [], extra: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    name,
    category,
    description: `${name} does its job`,
    condition: `${name}.enabled`,
    default_enabled: true,
    requires,
    ...extra,
  };
}

/** A small catalog with the shapes of gen3-helm's: requirements with alternatives, charts turned on by global.dev. */
export const CATALOG: ServiceInfo[] = [
  service('arborist', 'core'),
  service('fence', 'core', [ARBORIST]),
  service('indexd', 'core', [ARBORIST]),
  service('sheepdog', 'core', [req(['indexd'], 'sheepdog registers files in indexd'), FENCE], { default_enabled: false }),
  service('revproxy', 'core'),
  service('portal', 'frontend', [req(['revproxy'], 'revproxy is the only way in'), FENCE]),
  service('etl', 'data_explorer', [req(['sheepdog'], "it reads the graph data sheepdog's database holds"), ELASTICSEARCH], { default_enabled: false }),
  service('guppy', 'data_explorer', [req(['etl'], 'guppy serves the indices etl builds'), ELASTICSEARCH, ARBORIST], { default_enabled: false }),
  service('aws-es-proxy', 'data_explorer', [], { default_enabled: false }),
  service('aws-sigv4-proxy', 'data_explorer', [], { default_enabled: false }),
  service('common', 'infrastructure', [], { condition: null }),
  service('elasticsearch', 'infrastructure', [], { condition: 'global.dev' }),
  service('postgresql', 'infrastructure', [], { condition: 'global.dev' }),
];

/** GitOps answers that pass every check of the default fake review. */
export function readyAnswers(environment: CommonsAnswers['identity']['environment'] = 'dev'): CommonsAnswers {
  const a = defaultAnswers();
  return {
    ...a,
    destination: { kind: 'gitops', ...gitopsDefaults(), repo_path: '/srv/gen3-gitops', namespace: 'gen3', release_name: 'gen3' },
    identity: { ...a.identity, name: 'Data Hub', hostname: 'data.example.org', environment, release: '2026.07' },
    services: ['arborist', 'fence', 'indexd', 'revproxy', 'portal'],
  };
}

export function stepFinding(
  step: number,
  code: string,
  key: string | null,
  message: string,
  opts: { severity?: Severity; acknowledgeable?: boolean; acknowledged?: boolean; file?: string | null } = {},
): StepFinding {
  return {
    step,
    ack_id: `${code}@${key ?? ''}`,
    acknowledged: opts.acknowledged ?? false,
    finding: {
      severity: opts.severity ?? 'error',
      code,
      message,
      file: opts.file ?? null,
      key,
      acknowledgeable: opts.acknowledgeable ?? false,
    },
  };
}

export const USER_YAML = 'authz:\n  policies:\n  - id: workspace\n';

export function reviewOf(findings: StepFinding[], files?: FileReview[]): Review {
  return {
    files: files ?? [
      { path: 'data.example.org/values/values.yaml', contents: 'global:\n  hostname: data.example.org\n', change: 'new', diff: '' },
      { path: 'data.example.org/values/user.yaml', contents: USER_YAML, change: 'new', diff: '' },
    ],
    findings,
    blocked: findings.some((f) => f.finding.severity === 'error' && !f.acknowledged),
    root: '/srv/gen3-gitops',
  };
}

/** The default fake review: the hostname check and nothing else, as the Rust side words it. */
export function hostnameReview(a: CommonsAnswers): Review {
  const host = a.identity.hostname.trim();
  const findings = host.includes('.')
    ? []
    : [stepFinding(2, 'bad_hostname', 'identity.hostname', `"${host}" is not a hostname the commons can be served at (for example data.example.org).`)];
  return reviewOf(findings);
}

type Call = { cmd: string; request: unknown };

/** Tauri's `mockIPC`, handed in by the test files: only they (and lib/backend) import Tauri. */
type InstallIpc = (handler: (cmd: string, payload?: unknown) => unknown, options?: { shouldMockEvents?: boolean }) => void;
let installIpc: InstallIpc | null = null;

/** Call once per test file, before the fakes: `useIpcMock(mockIPC)`. */
export function useIpcMock(install: InstallIpc): void {
  installIpc = install;
}
type Override = (request: any) => unknown;

export type FakeOptions = {
  drafts?: Draft[];
  commons?: Commons[];
  review?: (answers: CommonsAnswers) => Review;
  /** Answers by command name; `plugin:dialog|open` stands for the file and folder pickers. */
  overrides?: Partial<Record<CommandName | `plugin:${string}`, Override>>;
};

/**
 * Stands in for the Rust side behind Tauri's IPC (the UI under test uses the real backend.ts):
 * the app's start-up commands, and the wizard's with drafts kept in memory.
 */
export function fakeWizardRust(options: FakeOptions = {}) {
  const calls: Call[] = [];
  /** The options each file or folder dialog was opened with. */
  const dialogs: Record<string, unknown>[] = [];
  const drafts = new Map((options.drafts ?? []).map((d) => [d.id, structuredClone(d)]));
  const commons = options.commons ?? [];
  const review = options.review ?? hostnameReview;
  let nextId = 1;
  let clock = Date.UTC(2026, 11, 12, 14, 5);
  if (!installIpc) throw new Error('call useIpcMock(mockIPC) in the test file before using the fake Rust side');
  installIpc(
    (cmd, payload) => {
      const request = (payload as { request?: unknown } | undefined)?.request ?? null;
      calls.push({ cmd, request: structuredClone(request) });
      if (cmd.startsWith('plugin:dialog|')) dialogs.push(structuredClone((payload as { options: Record<string, unknown> }).options));
      const override = options.overrides?.[cmd as CommandName];
      if (override) return override(request);
      switch (cmd) {
        case 'app_status':
          return STATUS;
        case 'inventory_list':
          return inventoryOf(commons);
        case 'first_paint':
          return null;
        case 'fleet_view':
          return fleetOf(commons.map((c) => healthOf(c)));
        case 'monitor_settings':
          return MONITOR;
        case 'render_settings':
          return { chart_dir: '' };
        case 'team_status':
          return TEAM_ALONE;
        case 'webhook_list':
          return [];
        case 'wizard_catalog':
          return CATALOG;
        case 'wizard_review':
          return review(request as CommonsAnswers);
        case 'wizard_drafts':
          return [...drafts.values()]
            .sort((a, b) => b.updated_at - a.updated_at)
            .map(({ answers: _answers, ...summary }) => summary);
        case 'wizard_draft_get': {
          const found = drafts.get((request as { id: string }).id);
          if (!found) throw { code: 'not_found', message: 'That draft is gone: it was deleted or launched.' };
          return structuredClone(found);
        }
        case 'wizard_draft_save': {
          const draft = request as Draft;
          const saved = { ...draft, id: draft.id || `draft-${nextId++}`, updated_at: (clock += 1000) };
          drafts.set(saved.id, structuredClone(saved));
          return saved;
        }
        case 'wizard_draft_delete':
          drafts.delete((request as { id: string }).id);
          return null;
        case 'wizard_secret_store':
          return null;
        case 'wizard_gitops_status':
          return { branch: 'master', remote_name: 'origin', remote_url: 'git@github.com:example/gen3-gitops.git', clean: true, head: 'c0ffee' };
        case 'wizard_launch_cancel':
          return null;
      }
      throw { code: 'io', message: `unexpected command ${cmd}` };
    },
    { shouldMockEvents: true },
  );
  const named = (cmd: CommandName) => calls.filter((c) => c.cmd === cmd);
  return { calls, named, drafts, dialogs };
}

/** A saved commons draft at `step` (numbered from 1, as the wizard shows it), as the backend hands it back. */
export function draftOf(id: string, answers: CommonsAnswers, step: number, updatedAt = Date.now() - 5 * 60_000): Draft {
  return { id, kind: 'commons', title: answers.identity.hostname, step, answers, updated_at: updatedAt };
}
