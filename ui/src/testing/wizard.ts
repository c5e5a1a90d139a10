import type {
  Category,
  CommonsAnswers,
  Draft,
  FileReview,
  GitopsRepo,
  LaunchReport,
  MeshAnswers,
  Requirement,
  Review,
  ServiceInfo,
  Severity,
  StepFinding,
} from '../lib/backend/backend';
import { defaultAnswers, gitopsDefaults } from '../lib/wizard/answers';

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

/** `wizard_gitops_status` of a clean clone on master. */
export function gitopsRepoOf(overrides: Partial<GitopsRepo> = {}): GitopsRepo {
  return { branch: 'master', remote_name: 'origin', remote_url: 'git@github.com:example/gen3-gitops.git', clean: true, head: 'c0ffee', ...overrides };
}

/** `wizard_launch` that wrote the files and did nothing else (no push, no helm, no watch, no inventory record). */
export function launchReportOf(overrides: Partial<LaunchReport> = {}): LaunchReport {
  return { commons_id: null, git: null, helm: null, merge: null, watch: null, files: [], notes: [], ...overrides };
}

/**
 * A saved draft of the commons or the mesh wizard (by its answers) at `step` (numbered from 1, as the
 * wizard shows it), as the backend hands it back, saved five minutes ago.
 */
export function draftOf(id: string, answers: CommonsAnswers | MeshAnswers, step: number, overrides: Partial<Draft> = {}): Draft {
  const commons = 'identity' in answers;
  return {
    id,
    kind: commons ? 'commons' : 'mesh',
    title: commons ? answers.identity.hostname : answers.name,
    step,
    answers,
    updated_at: Date.now() - 5 * 60_000,
    ...overrides,
  };
}
