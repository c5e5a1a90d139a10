import type {
  CommonsAnswers,
  Database,
  GitopsDestination,
  HelmDestination,
  Identity,
  Login,
  LoginProvider,
  ProviderKind,
  ServiceSettings,
} from '../backend/backend';

/** The wizard's steps in order; the review's findings name steps 1-7 by these numbers. */
export const STEPS = [
  { n: 1, id: 'destination', name: 'Destination' },
  { n: 2, id: 'identity', name: 'Identity' },
  { n: 3, id: 'database', name: 'Database and secrets' },
  { n: 4, id: 'services', name: 'Services' },
  { n: 5, id: 'login', name: 'Login' },
  { n: 6, id: 'authorization', name: 'Authorization' },
  { n: 7, id: 'settings', name: 'Service settings' },
  { n: 8, id: 'review', name: 'Review' },
  { n: 9, id: 'launch', name: 'Launch' },
] as const;

export const STEP_REVIEW = 8;
export const STEP_LAUNCH = 9;
export const LAST_STEP = STEPS.length;

export function stepName(n: number): string {
  return STEPS.find((s) => s.n === n)?.name ?? `Step ${n}`;
}

// The defaults below mirror the Rust `Default` impls in deploy/answers.rs, so a new wizard shows
// what a `commons render` answers file without those keys would produce.

/** gen3-helm's default `global.dictionaryUrl`. */
export const DEFAULT_DICTIONARY_URL = 'https://s3.amazonaws.com/dictionary-artifacts/datadictionary/develop/schema.json';

export function gitopsDefaults(): GitopsDestination {
  return {
    repo_path: '',
    cluster_folder: '',
    argo_project: 'default',
    namespace: '',
    release_name: '',
    values_repo_url: '',
    chart_revision: '',
  };
}

export function helmDefaults(): HelmDestination {
  return { kube_context: '', namespace: '', release_name: 'gen3', chart_version: '', output_dir: '' };
}

function identityDefaults(): Identity {
  return { name: '', hostname: '', environment: 'dev', release: '', revproxy_arn: '' };
}

function databaseDefaults(): Database {
  return {
    mode: 'dev',
    host: '',
    port: 5432,
    username: 'postgres',
    password_secret_name: '',
    external_secrets: false,
    aws_region: 'us-east-1',
  };
}

function loginDefaults(): Login {
  return { providers: [], default_idp: '', mock_login: false };
}

function settingsDefaults(): ServiceSettings {
  return {
    indexd_prefix: '',
    dictionary_url: DEFAULT_DICTIONARY_URL,
    portal_app: 'gitops',
    guppy_indices: [],
    guppy_config_index: '',
  };
}

export function defaultAnswers(): CommonsAnswers {
  return {
    destination: { kind: 'gitops', ...gitopsDefaults() },
    identity: identityDefaults(),
    database: databaseDefaults(),
    services: [],
    login: loginDefaults(),
    authorization: {
      spec: { admins: [], programs: [], groups: [], extra_policies: [], extra_resources: [], open_data: false },
      raw: null,
    },
    settings: settingsDefaults(),
    legacy_manifest: false,
    acknowledged: [],
    base: null,
  };
}

/** The gen3-helm service that turns `global.netPolicy.enabled` on. */
export const NETWORK_POLICIES = 'gen3-network-policies';

/**
 * A new production commons starts from production's defaults, an external database and network
 * policies on, so the review has nothing of them to acknowledge. An imported commons keeps what
 * it runs with. Returns whether anything changed.
 */
export function applyProductionDefaults(a: CommonsAnswers): boolean {
  if (a.identity.environment !== 'production' || a.base) return false;
  let changed = false;
  if (a.database.mode !== 'external') {
    a.database.mode = 'external';
    changed = true;
  }
  if (!a.services.includes(NETWORK_POLICIES)) {
    a.services.push(NETWORK_POLICIES);
    changed = true;
  }
  return changed;
}

type Loose = Record<string, unknown>;

function isObject(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merged<T extends object>(defaults: T, saved: unknown): T {
  return isObject(saved) ? ({ ...defaults, ...saved } as T) : defaults;
}

/**
 * A draft's saved answers over today's defaults: a draft saved by an older version (or an answers
 * file written by hand) may lack keys, and every step reads its section whole.
 */
export function answersFrom(saved: unknown): CommonsAnswers {
  const d = defaultAnswers();
  if (!isObject(saved)) return d;
  const dest = isObject(saved.destination) ? saved.destination : {};
  const authorization = merged(d.authorization, saved.authorization);
  return {
    ...d,
    ...saved,
    destination:
      dest.kind === 'helm'
        ? { ...merged(helmDefaults(), dest), kind: 'helm' }
        : { ...merged(gitopsDefaults(), dest), kind: 'gitops' },
    identity: merged(d.identity, saved.identity),
    database: merged(d.database, saved.database),
    services: Array.isArray(saved.services) ? (saved.services as string[]) : [],
    login: merged(d.login, saved.login),
    authorization: { ...authorization, spec: merged(d.authorization.spec, authorization.spec) },
    settings: merged(d.settings, saved.settings),
    acknowledged: Array.isArray(saved.acknowledged) ? (saved.acknowledged as string[]) : [],
  } as CommonsAnswers;
}

export const PROVIDER_KINDS: { value: ProviderKind; label: string; help: string }[] = [
  { value: 'google', label: 'Google', help: 'Google accounts; register an OAuth client in the Google Cloud console.' },
  {
    value: 'generic_oidc',
    label: 'Generic OIDC',
    help: "Any OpenID Connect provider (an institution's login, Okta, Keycloak), configured from its discovery URL.",
  },
  {
    value: 'fence',
    label: 'Fence as IdP',
    help: "Another commons' fence (the hub of a mesh) logs users in; register this commons as a client there.",
  },
  { value: 'ras', label: 'NIH RAS', help: 'NIH Researcher Auth Service; the client is registered with NIH.' },
];

/** NIH's production RAS discovery document. */
const RAS_DISCOVERY_URL = 'https://sts.nih.gov/.well-known/openid-configuration';

/** A new provider of `kind`, with the `idp` name fence expects for it. */
export function newProvider(kind: ProviderKind, taken: string[] = []): LoginProvider {
  const base: LoginProvider = {
    kind,
    idp: kind,
    label: PROVIDER_KINDS.find((k) => k.value === kind)?.label ?? kind,
    client_id: '',
    discovery_url: '',
    api_base_url: '',
    secret_stored: false,
  };
  switch (kind) {
    case 'generic_oidc': {
      // fence's generic providers are free-form keys under OPENID_CONNECT; keep them unique.
      let idp = 'generic_oidc_idp';
      for (let i = 2; taken.includes(idp); i++) idp = `generic_oidc_idp${i}`;
      return { ...base, idp, label: 'Institution login' };
    }
    case 'ras':
      return { ...base, discovery_url: RAS_DISCOVERY_URL, label: 'NIH Login (RAS)' };
    case 'fence':
      return { ...base, label: 'Login through the hub' };
    default:
      return base;
  }
}

/** The redirect URL fence registers with the provider: `https://<hostname>/user/login/<idp>/login/`. */
export function redirectUrl(hostname: string, idp: string): string {
  return `https://${hostname.trim() || '<hostname>'}/user/login/${idp.trim() || '<idp>'}/login/`;
}

/** What the drafts list shows for a commons draft. */
export function draftTitle(a: CommonsAnswers): string {
  return a.identity.hostname.trim() || a.identity.name.trim();
}

/** The input id and test id of the field a finding key (`identity.hostname`) belongs to. */
export function fieldId(key: string): string {
  return `field-${key.replace(/[^A-Za-z0-9_]+/g, '-')}`;
}
