import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { GENERIC_ERROR, tauriBackend, toCoreError } from './backend';

afterEach(() => clearMocks());

describe('tauriBackend', () => {
  it('passes the request as `request`, and no arguments for null requests', async () => {
    const seen: { cmd: string; payload: unknown }[] = [];
    mockIPC((cmd, payload) => {
      seen.push({ cmd, payload });
      return null;
    });
    await tauriBackend.call('commons_delete', { id: 'c1' });
    await tauriBackend.call('first_paint', null);
    expect(seen).toEqual([
      { cmd: 'commons_delete', payload: { request: { id: 'c1' } } },
      { cmd: 'first_paint', payload: {} },
    ]);
  });

  it('passes a CoreError rejection through unchanged', async () => {
    mockIPC(() => {
      throw { code: 'conflict', message: 'Already in the inventory.' };
    });
    await expect(tauriBackend.call('commons_get', { id: 'x' })).rejects.toEqual({
      code: 'conflict',
      message: 'Already in the inventory.',
    });
  });

  it('normalizes any other rejection to a generic io error', async () => {
    mockIPC(() => {
      throw 'called `Result::unwrap()` on an `Err` value';
    });
    await expect(tauriBackend.call('app_status', null)).rejects.toEqual(GENERIC_ERROR);
    expect(GENERIC_ERROR.message).toBe("Something went wrong talking to the app's backend.");
  });

  it('asks the dialog plugin for a JSON file to save to', async () => {
    let options: unknown;
    mockIPC((cmd, payload) => {
      if (cmd === 'plugin:dialog|save') {
        options = (payload as { options: unknown }).options;
        return '/tmp/fleet.json';
      }
      return null;
    });
    await expect(tauriBackend.pickSaveFile('gen3-inventory.json')).resolves.toBe('/tmp/fleet.json');
    expect(options).toMatchObject({ defaultPath: 'gen3-inventory.json', filters: [{ extensions: ['json'] }] });
  });

  it('asks the dialog plugin for a folder, and for a manifest.json or values file', async () => {
    const asked: Record<string, unknown>[] = [];
    mockIPC((cmd, payload) => {
      if (cmd === 'plugin:dialog|open') {
        asked.push((payload as { options: Record<string, unknown> }).options);
        return asked.length === 1 ? '/srv/gen3-gitops' : '/srv/manifest.json';
      }
      return null;
    });
    await expect(tauriBackend.pickFolder('Choose your gen3-gitops clone')).resolves.toBe('/srv/gen3-gitops');
    await expect(tauriBackend.pickOpenFile('deployment')).resolves.toBe('/srv/manifest.json');
    expect(asked[0]).toMatchObject({ directory: true, multiple: false, title: 'Choose your gen3-gitops clone' });
    expect(asked[0].defaultPath).toBeUndefined();
    expect(asked[1]).toMatchObject({ directory: false, filters: [{ extensions: ['json', 'yaml', 'yml'] }] });
    // A typed path opens the dialog there, so choosing it is one click.
    await tauriBackend.pickFolder('Choose your gen3-gitops clone', ' /srv/typed-clone ');
    expect(asked[2]).toMatchObject({ directory: true, defaultPath: '/srv/typed-clone' });
  });
});

describe('toCoreError', () => {
  it('rejects look-alikes with an unknown code or a non-string message', () => {
    expect(toCoreError({ code: 'teapot', message: 'short and stout' })).toEqual(GENERIC_ERROR);
    expect(toCoreError({ code: 'io', message: 42 })).toEqual(GENERIC_ERROR);
    expect(toCoreError(new Error('boom'))).toEqual(GENERIC_ERROR);
    expect(toCoreError({ code: 'not_found', message: 'Gone.', extra: 1 })).toEqual({ code: 'not_found', message: 'Gone.' });
  });

  it('keeps the credential and vault error codes, so screens can branch on them', () => {
    for (const code of ['keyring_unavailable', 'vault_locked', 'key_expired', 'key_rejected', 'tls', 'unreachable', 'not_gen3', 'malformed_response', 'unauthorized'] as const) {
      expect(toCoreError({ code, message: 'Words.' })).toEqual({ code, message: 'Words.' });
    }
  });
});
