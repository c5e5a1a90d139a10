import { describe, expect, it } from 'vitest';
import { answersFrom, applyProductionDefaults, defaultAnswers, NETWORK_POLICIES, newProvider, redirectUrl } from './answers';

describe('answersFrom', () => {
  it('fills what an older draft lacks from the defaults and keeps what it has', () => {
    const a = answersFrom({
      destination: { kind: 'helm', namespace: 'gen3' },
      identity: { hostname: 'data.example.org' },
      services: ['fence'],
      authorization: { spec: { admins: ['a@example.org'] } },
    });
    expect(a.destination).toEqual({ kind: 'helm', kube_context: '', namespace: 'gen3', release_name: 'gen3', chart_version: '', output_dir: '' });
    expect(a.identity.hostname).toBe('data.example.org');
    expect(a.identity.environment).toBe('dev');
    expect(a.database.port).toBe(5432);
    expect(a.services).toEqual(['fence']);
    expect(a.authorization.spec).toEqual({ admins: ['a@example.org'], programs: [], groups: [], extra_policies: [], extra_resources: [], open_data: false });
    expect(a.authorization.raw).toBeNull();
  });

  it('gives the defaults for something that is not answers', () => {
    expect(answersFrom(null)).toEqual(defaultAnswers());
    expect(answersFrom('x')).toEqual(defaultAnswers());
  });
});

describe('login providers', () => {
  it('names a second generic provider apart from the first', () => {
    expect(newProvider('generic_oidc').idp).toBe('generic_oidc_idp');
    expect(newProvider('generic_oidc', ['generic_oidc_idp']).idp).toBe('generic_oidc_idp2');
    expect(newProvider('ras').discovery_url).toMatch(/^https:\/\/sts\.nih\.gov\//);
  });

  it("builds fence's redirect URL for the provider", () => {
    expect(redirectUrl(' data.example.org ', 'google')).toBe('https://data.example.org/user/login/google/login/');
    expect(redirectUrl('', 'ras')).toBe('https://<hostname>/user/login/ras/login/');
  });
});

describe('production defaults', () => {
  it('start a new production commons with an external database and network policies on', () => {
    const a = defaultAnswers();
    a.services = ['fence'];
    expect(applyProductionDefaults(a)).toBe(false);
    expect(a.database.mode).toBe('dev');
    a.identity.environment = 'production';
    expect(applyProductionDefaults(a)).toBe(true);
    expect(a.database.mode).toBe('external');
    expect(a.services).toEqual(['fence', NETWORK_POLICIES]);
    expect(applyProductionDefaults(a)).toBe(false);
    expect(a.services).toEqual(['fence', NETWORK_POLICIES]);
  });

  it('leave an imported commons as it runs', () => {
    const a = answersFrom({ identity: { environment: 'production' }, base: { folder: 'x' } });
    expect(applyProductionDefaults(a)).toBe(false);
    expect(a.database.mode).toBe('dev');
    expect(a.services).toEqual([]);
  });
});
