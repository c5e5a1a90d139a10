import { describe, expect, it } from 'vitest';
import type { Commons } from '../backend/backend';
import { commonsOf } from '../../testing/builders';
import { aggmdsCommons, defaultMeshAnswers, externalMember, hubFromCommons, memberFromCommons, meshAnswersFrom, meshStepProblems, normalizeUrl } from './answers';

const commons = (id: string, name: string, base_url: string, deployment: Commons['deployment'] = { kind: 'unknown' }) =>
  commonsOf(id, name, { base_url, deployment });

describe('mesh answers', () => {
  it('fills what an older draft lacks from the defaults and keeps what it has', () => {
    const a = meshAnswersFrom({
      name: 'brh',
      hub: { base_url: 'https://hub.example.org' },
      members: [{ adapter: { name: 'MIDRC', base_url: 'https://data.midrc.org' } }, 'not a member'],
    });
    expect(a.name).toBe('brh');
    expect(a.hub).toEqual({ commons_id: null, name: '', base_url: 'https://hub.example.org', gitops_folder: '' });
    expect(a.members).toHaveLength(1);
    expect(a.members[0]).toMatchObject({ commons_id: null, indexd_prefix: '', login_through_hub: false });
    expect(a.members[0].adapter).toMatchObject({ name: 'MIDRC', field_mappings: null, keep_original_fields: false });
    expect(a.wts).toBe(true);
    expect(a.aggmds_namespace).toBe('default_namespace');
    expect(meshAnswersFrom(null)).toEqual(defaultMeshAnswers());
  });

  it("takes the hub's gitops folder from the inventory when it has one", () => {
    expect(hubFromCommons(commons('h', 'Hub', 'https://hub.example.org', { kind: 'gitops', folder: '/srv/g/hub' }), '').gitops_folder).toBe('/srv/g/hub');
    expect(hubFromCommons(commons('h', 'Hub', 'https://hub.example.org'), '').gitops_folder).toBe('');
  });

  it('normalizes what the operator types to https://host[:port]', () => {
    expect(normalizeUrl('data.midrc.org')).toBe('https://data.midrc.org');
    expect(normalizeUrl('https://data.midrc.org/portal/')).toBe('https://data.midrc.org');
    expect(normalizeUrl('http://localhost:8080/x')).toBe('http://localhost:8080');
    expect(normalizeUrl('midrc')).toBeNull();
    expect(normalizeUrl('ftp://data.midrc.org')).toBeNull();
    expect(normalizeUrl('  ')).toBeNull();
  });

  it('says what keeps each step from going on', () => {
    const a = defaultMeshAnswers();
    expect(meshStepProblems(a, 1)).toEqual([
      'Give the mesh a name.',
      'Choose the hub: the commons whose metadata service aggregates the others.',
      "Choose the hub's commons folder in your gen3-gitops clone: the mesh is written into its values.",
    ]);
    a.name = 'brh';
    a.hub = hubFromCommons(commons('h', 'Hub', 'https://hub.example.org', { kind: 'gitops', folder: '/srv/g/hub' }), '');
    expect(meshStepProblems(a, 1)).toEqual([]);
    expect(meshStepProblems(a, 2)).toEqual(['Add at least one member commons to the mesh.']);
    a.members = [
      memberFromCommons(commons('m', 'MIDRC', 'https://data.midrc.org')),
      externalMember('MIDRC', 'https://midrc.example.org'),
      externalMember('Hub again', 'https://hub.example.org/'),
    ];
    a.members[0].login_through_hub = true;
    expect(meshStepProblems(a, 2)).toEqual([
      "MIDRC logs in through the hub: enter the client id the hub's fence gave it.",
      'Two members are listed as MIDRC: the hub needs a different name for each.',
      'Hub again is the hub itself; the hub aggregates its own records without being a member.',
    ]);
    a.members[0].adapter.select_field = { field_name: '', field_value: 'MIDRC' };
    expect(meshStepProblems(a, 3)).toEqual(['MIDRC: name the field whose value must be MIDRC to keep a record.']);
    a.aggmds_json = '{"adapter_commons": ';
    expect(meshStepProblems(a, 3)[0]).toMatch(/^The AggMDS configuration is not valid JSON: /);
  });

  it("reads the names an AggMDS configuration lists, preferring an adapter's commons_name", () => {
    expect(aggmdsCommons('{"adapter_commons": {"MIDRC": {}, "bdc": {"commons_name": "BioData Catalyst"}}}')).toEqual({ names: ['MIDRC', 'BioData Catalyst'] });
    expect(aggmdsCommons('[]')).toEqual({ error: 'The AggMDS configuration must be a JSON object with an adapter_commons object.' });
  });
});
