import type {
  CommandName,
  Commons,
  CommonsAnswers,
  Deployment,
  Draft,
  Environment,
  Finding,
  InventoryView,
  MemberPreview,
  MemberReport,
  Mesh,
  MeshAnswers,
  MeshBuild,
  MeshReport,
  Review,
} from '../lib/backend/backend';
import { defaultMeshAnswers, memberFromCommons } from '../lib/mesh/answers';
import { fakeWizardRust, readyAnswers, reviewOf } from './wizard';

/** Shared test data for the mesh screens: what the Rust side would answer. */

export function commonsOf(id: string, name: string, baseUrl: string, environment: Environment = 'other', deployment: Deployment = { kind: 'unknown' }): Commons {
  const at = Date.UTC(2026, 10, 1);
  return {
    id,
    created_at: at,
    updated_at: at,
    name,
    base_url: baseUrl,
    environment,
    relation: 'we_run_it',
    owner: '',
    contact: '',
    tags: [],
    notes: '',
    expected_release: null,
    deployment,
    meshes: [],
    ca_pem: null,
  };
}

export const HUB_FOLDER = '/srv/gen3-gitops/prod/hub.example.org';
export const HUB = commonsOf('c-hub', 'Data Hub', 'https://hub.example.org', 'production', { kind: 'gitops', folder: HUB_FOLDER });
export const MIDRC = commonsOf('c-midrc', 'MIDRC', 'https://data.midrc.org');
export const JCOIN = commonsOf('c-jcoin', 'JCOIN', 'https://jcoin.datacommons.io');
export const FLEET = [HUB, MIDRC, JCOIN];

/** Mesh answers with the hub and the given members, as the wizard builds them. */
export function meshAnswers(members: Commons[] = [MIDRC, JCOIN], extra: Partial<MeshAnswers> = {}): MeshAnswers {
  return {
    ...defaultMeshAnswers(),
    name: 'brh',
    description: 'Biomedical research hub',
    hub: { commons_id: HUB.id, name: HUB.name, base_url: HUB.base_url, gitops_folder: HUB_FOLDER },
    members: members.map(memberFromCommons),
    ...extra,
  };
}

/** A saved mesh draft at `step` (numbered from 1, as the wizard shows it). */
export function meshDraftOf(id: string, answers: MeshAnswers, step: number, updatedAt = Date.now() - 5 * 60_000): Draft {
  return { id, kind: 'mesh', title: answers.name, step, answers, updated_at: updatedAt };
}

/** The hub's commons answers as the build hands them back: the hub's folder, read. */
export function hubAnswers(): CommonsAnswers {
  const a = readyAnswers('production');
  return { ...a, identity: { ...a.identity, name: 'Data Hub', hostname: 'hub.example.org' }, services: [...a.services, 'metadata'] };
}

export const MESH_FINDING: Finding = {
  severity: 'warning',
  code: 'wts_client_missing',
  message: "JCOIN has no client for the hub's WTS yet: register one at its fence, then enter its client id.",
  file: 'values/values.yaml',
  key: 'wts.secrets.external_oidc',
  acknowledgeable: false,
};

/** What `mesh_wizard_build` makes of the answers (the AggMDS names, a snippet per member logging in through the hub). */
export function buildOf(a: MeshAnswers, findings: Finding[] = []): MeshBuild {
  const adapterCommons = Object.fromEntries(a.members.map((m) => [m.adapter.name, { mds_url: `${m.adapter.base_url}/`, adapter: 'gen3' }]));
  return {
    hub: hubAnswers(),
    aggmds_json: JSON.stringify({ adapter_commons: adapterCommons }, null, 2),
    member_snippets: a.members
      .filter((m) => m.login_through_hub)
      .map((m) => ({
        member: m.adapter.name,
        yaml: `fence:\n  FENCE_CONFIG:\n    OPENID_CONNECT:\n      fence:\n        api_base_url: ${a.hub.base_url}/user\n        client_id: ${m.hub_client_id}\n`,
      })),
    findings,
  };
}

/** A member's preview: its records mapped, or its error. */
export function previewOf(name: string, url: string, records: MemberPreview['records'], error: MemberPreview['error'] = null): MemberPreview {
  return { name, url: `${url}/mds/metadata?data=True&_guid_type=discovery_metadata&limit=3&offset=0`, records, error };
}

// ts-rs types u64 as bigint; the IPC's JSON carries a plain number, as here.
export const count = (n: number) => n as unknown as bigint;

export function memberReport(m: Commons, extra: Partial<MemberReport> = {}): MemberReport {
  return {
    commons_id: m.id,
    name: m.name,
    base_url: m.base_url,
    health: 'healthy',
    mds_reachable: true,
    records: count(120),
    records_at_least: false,
    in_hub: true,
    error: null,
    ...extra,
  };
}

export function meshReportOf(extra: Partial<MeshReport> = {}): MeshReport {
  return {
    hub: {
      base_url: HUB.base_url,
      aggregate_enabled: true,
      commons: [MIDRC.name, JCOIN.name],
      confirmed: [],
      unconfirmed: [],
      missing: [],
      extra: [],
      total_records: count(240),
      error: null,
    },
    members: [memberReport(MIDRC), memberReport(JCOIN)],
    problems: [],
    checked_at: Date.now() - 60_000,
    ...extra,
  };
}

type Override = (request: any) => unknown;

export type MeshFakeOptions = {
  drafts?: Draft[];
  meshes?: Mesh[];
  /** The hub's review (the commons review of the built hub answers). */
  review?: (answers: CommonsAnswers) => Review;
  build?: (answers: MeshAnswers) => MeshBuild;
  preview?: (answers: MeshAnswers) => MemberPreview[];
  report?: (name: string) => MeshReport | Promise<MeshReport>;
  /** Answers by command name; `plugin:dialog|open` stands for the file and folder pickers. */
  overrides?: Partial<Record<string, Override>>;
};

/**
 * The commons wizard's fake Rust side with the fleet above in the inventory and the mesh commands:
 * `mesh_wizard_save` records the mesh so the meshes list shows it.
 */
export function fakeMeshRust(options: MeshFakeOptions = {}) {
  const meshes = [...(options.meshes ?? [])];
  const view = (): InventoryView => ({
    commons: FLEET,
    total: FLEET.length,
    tags: [],
    meshes,
    freshness: { source: 'cache', last_attempted: null, last_successful: null, last_error: null },
    read_at: Date.now(),
  });
  const overrides: Record<string, Override> = {
    inventory_list: view,
    mesh_wizard_build: (a: MeshAnswers) => (options.build ?? ((x: MeshAnswers) => buildOf(x)))(a),
    mesh_wizard_preview: (a: MeshAnswers) => (options.preview ?? (() => []))(a),
    mesh_wizard_save: (a: MeshAnswers) => {
      const ids = a.members.map((m) => m.commons_id ?? `c-${m.adapter.name}`);
      const mesh: Mesh = { name: a.name, description: a.description, members: [...ids, a.hub.commons_id ?? 'c-hub'] };
      const at = meshes.findIndex((m) => m.name === mesh.name);
      if (at >= 0) meshes[at] = mesh;
      else meshes.push(mesh);
      return mesh;
    },
    mesh_view: (r: { name: string }) => (options.report ?? (() => meshReportOf()))(r.name),
    wizard_launch: () => ({ commons_id: HUB.id, git: null, helm: null, watch: null, files: [`${HUB_FOLDER}/values/values.yaml`], notes: [] }),
    wizard_launch_cancel: () => null,
    ...options.overrides,
  };
  return fakeWizardRust({
    drafts: options.drafts,
    commons: FLEET,
    review: options.review ?? (() => reviewOf([])),
    // The pickers' plugin command is not a backend command; the fake answers it all the same.
    overrides: overrides as Partial<Record<CommandName, Override>>,
  });
}
