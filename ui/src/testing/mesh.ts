import type {
  Commons,
  CommonsAnswers,
  Finding,
  MemberPreview,
  MemberReport,
  Mesh,
  MeshAnswers,
  MeshBuild,
  MeshReport,
} from '../lib/backend/backend';
import { defaultMeshAnswers, memberFromCommons } from '../lib/mesh/answers';
import { commonsOf } from './builders';
import { readyAnswers } from './wizard';

/** Shared test data for the mesh screens: what the Rust side would answer. */

export const HUB_FOLDER = '/srv/gen3-gitops/prod/hub.example.org';
export const HUB = commonsOf('c-hub', 'Data Hub', {
  base_url: 'https://hub.example.org',
  environment: 'production',
  deployment: { kind: 'gitops', folder: HUB_FOLDER },
});
export const MIDRC = commonsOf('c-midrc', 'MIDRC', { base_url: 'https://data.midrc.org', environment: 'other' });
export const JCOIN = commonsOf('c-jcoin', 'JCOIN', { base_url: 'https://jcoin.datacommons.io', environment: 'other' });
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

/** The hub's commons answers as the build hands them back: the hub's folder, read. */
export function hubAnswers(hub: MeshAnswers['hub'] = meshAnswers().hub): CommonsAnswers {
  const a = readyAnswers('production');
  const hostname = hub.base_url.replace(/^https?:\/\//, '').replace(/[:/].*$/, '');
  return { ...a, identity: { ...a.identity, name: hub.name, hostname }, services: [...a.services, 'metadata'] };
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
    hub: hubAnswers(a.hub),
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

/** `mesh_view` of a mesh whose members all answer, with no hub report. */
export function meshReportFor(mesh: Mesh, inventory: Commons[]): MeshReport {
  const members = inventory.filter((c) => mesh.members.includes(c.id));
  return meshReportOf({ hub: null, members: members.map((m) => memberReport(m)) });
}
