import { afterEach, describe, expect, it } from 'vitest';
import { tauriBackend } from '../lib/backend/backend';
import { emptyDraft } from '../lib/format';
import { coreError, fail, fakeBackend, resetBackend, type Handlers } from './backend';
import { commonsOf, inventoryFilterOf, statusOf } from './builders';

afterEach(resetBackend);

describe('the fake backend', () => {
  it('answers the start-up reads by default, from the commons it was given', async () => {
    const hub = commonsOf('hub', 'Data Hub', { tags: ['nih'] });
    fakeBackend({ commons: [hub] });
    await expect(tauriBackend.call('app_status', null)).resolves.toEqual(statusOf());
    const view = await tauriBackend.call('inventory_list', inventoryFilterOf({ search: 'data' }));
    expect(view).toMatchObject({ commons: [hub], total: 1, tags: ['nih'] });
    await expect(tauriBackend.call('inventory_list', inventoryFilterOf({ search: 'beta' }))).resolves.toMatchObject({ commons: [], total: 1 });
    const board = await tauriBackend.call('fleet_view', inventoryFilterOf());
    expect(board.rows.map((r) => [r.commons.id, r.overall])).toEqual([['hub', 'healthy']]);
  });

  it('records each call with its request as JSON carried it, typed by command', async () => {
    const rust = fakeBackend({ commons: [commonsOf('a', 'Alpha')] });
    await tauriBackend.call('commons_get', { id: 'a' });
    await tauriBackend.call('first_paint', null);
    expect(rust.calls.map((c) => c.cmd)).toEqual(['commons_get', 'first_paint']);
    const [get] = rust.named('commons_get');
    expect(get.request.id).toBe('a');
  });

  it('lets a handler replace a default and keeps what the defaults change', async () => {
    const rust = fakeBackend({ handlers: { commons_validate: () => [{ field: 'name', message: 'Give it a name.' }] } });
    await expect(tauriBackend.call('commons_validate', { id: null, draft: emptyDraft() })).resolves.toEqual([
      { field: 'name', message: 'Give it a name.' },
    ]);
    const created = await tauriBackend.call('commons_create', { ...emptyDraft(), name: 'Beta', base_url: 'beta.example.org' });
    expect(rust.state.commons.map((c) => c.id)).toEqual([created.id]);
  });

  it('rejects in the error envelope, for a handler that fails and for a command nobody answers', async () => {
    fakeBackend({ handlers: { commons_get: () => fail('not_found', 'No such commons.') } });
    await expect(tauriBackend.call('commons_get', { id: 'x' })).rejects.toEqual(coreError('not_found', 'No such commons.'));
    await expect(tauriBackend.call('mesh_aggmds_import', { path: '/x' })).rejects.toEqual(coreError('io', 'unexpected command mesh_aggmds_import'));
  });

  it('delivers the events a test emits to the subscriptions made through backend.ts', async () => {
    const rust = fakeBackend();
    const seen: number[] = [];
    const off = await tauriBackend.on('sweep-progress', (p) => seen.push(p.done));
    await rust.emit('sweep-progress', { done: 3, total: 4 });
    off();
    await rust.emit('sweep-progress', { done: 4, total: 4 });
    expect(seen).toEqual([3]);
  });

  it('answers the file dialogs as told, and records how they were opened', async () => {
    const rust = fakeBackend({ dialogs: { save: () => '/tmp/x.jsonl' } });
    await expect(tauriBackend.pickSaveFile('activity.jsonl', 'activity')).resolves.toBe('/tmp/x.jsonl');
    await expect(tauriBackend.pickFolder('Choose')).rejects.toEqual(coreError('io', 'unexpected open dialog'));
    expect(rust.dialogs.map((d) => [d.kind, d.options.defaultPath ?? null])).toEqual([
      ['save', 'activity.jsonl'],
      ['open', null],
    ]);
  });
});

// Type-level checks: `npm run check` fails when one of these stops being an error (an unused @ts-expect-error).
export const WRONG: Handlers[] = [
  // @ts-expect-error a command that does not exist
  { commons_fetch: () => null },
  // @ts-expect-error a response of the wrong shape
  { app_status: () => ({ version: 1 }) },
  // @ts-expect-error a request read as something it is not
  { commons_get: (request: { name: string }) => commonsOf(request.name, request.name) },
  // @ts-expect-error an error code the UI does not know
  { commons_get: () => fail('teapot', 'short and stout') },
];
