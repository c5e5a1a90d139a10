import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { emptyDraft } from './lib/format';
import { MONITOR, STATUS, fleetOf, healthOf, inventoryOf } from './testing/fleet';
import type { CommandName, Commons, DraftSummary } from './lib/backend/backend';

function commons(id: string, name: string, environment: Commons['environment']): Commons {
  return { ...emptyDraft(), id, created_at: 1, updated_at: 1, name, base_url: `https://${id}.example.org`, environment };
}

const LIST = [commons('hub', 'Data Hub', 'production'), commons('kf', 'Kids First staging', 'staging'), commons('dev', 'Dev sandbox', 'dev')];
const DRAFTS: DraftSummary[] = [{ id: 'd1', kind: 'commons', title: 'genomics.example.org', step: 3, updated_at: 1 }];

function fakeRust(overrides: Partial<Record<CommandName | `plugin:${string}`, (r: any) => unknown>> = {}) {
  const calls: { cmd: string; request: unknown }[] = [];
  mockIPC(
    (cmd, payload) => {
      const request = (payload as { request?: unknown } | undefined)?.request ?? null;
      calls.push({ cmd, request });
      const override = overrides[cmd as CommandName];
      if (override) return override(request);
      switch (cmd) {
        case 'app_status':
          return STATUS;
        case 'inventory_list':
          return inventoryOf(LIST, { meshes: [{ name: 'brh', description: 'Biomedical Research Hub', members: ['hub'] }] });
        case 'first_paint':
        case 'sweep_start':
          return null;
        case 'fleet_view':
          return fleetOf(LIST.map((c) => healthOf(c)));
        case 'commons_get':
          return LIST.find((c) => c.id === (request as { id: string }).id);
        case 'credentials_list':
          return [];
        case 'wizard_drafts':
          return DRAFTS;
        case 'monitor_settings':
          return MONITOR;
      }
      throw { code: 'io', message: `unexpected command ${cmd}` };
    },
    { shouldMockEvents: true },
  );
  return { calls, named: (cmd: string) => calls.filter((c) => c.cmd === cmd) };
}

async function openPalette() {
  await userEvent.keyboard('{Control>}k{/Control}');
  // The palette's code loads on first use: give it time on a busy machine.
  return screen.findByTestId('palette-input', {}, { timeout: 8000 });
}

const labels = () => screen.getAllByTestId('palette-item').map((i) => i.dataset.id);

afterEach(() => {
  cleanup();
  clearMocks();
});

// Screens and the palette load on first use; on a busy machine that takes seconds.
describe('command palette', { timeout: 30_000 }, () => {
  it('jumps to a commons by a fuzzy name, then checks that commons now, keyboard only', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await openPalette();
    await userEvent.keyboard('kids stg');
    expect(labels()[0]).toBe('commons-kf');
    await userEvent.keyboard('{Enter}');
    expect(screen.queryByTestId('command-palette')).toBeNull();
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('Kids First staging'), { timeout: 8000 });

    await openPalette();
    await userEvent.keyboard('check now');
    // The open commons' own check comes before the whole fleet's.
    expect(labels().slice(0, 2)).toEqual(['check-open', 'check-all']);
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(rust.named('sweep_start')).toHaveLength(1));
    expect(rust.named('sweep_start')[0].request).toEqual({ kind: 'commons', id: 'kf' });
  });

  it('moves with the arrow keys, closes with Escape, and opens over a focused input', async () => {
    fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    const input = await openPalette();
    await userEvent.type(input, 'go to');
    expect(screen.getAllByTestId('palette-item')[0]).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getAllByTestId('palette-item')[2]).toHaveAttribute('aria-selected', 'true');
    expect(input).toHaveAttribute('aria-activedescendant', 'palette-2');
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('command-palette')).toBeNull());

    // From the board's search box: Ctrl+K still opens it.
    await userEvent.click(screen.getByRole('searchbox'));
    await openPalette();
    await userEvent.keyboard('{Control>}k{/Control}');
    await waitFor(() => expect(screen.queryByTestId('command-palette')).toBeNull());
  });

  it('lists meshes, drafts and screens, and runs actions', async () => {
    const rust = fakeRust({ 'plugin:dialog|save': () => '/home/op/inv.json', inventory_export: () => ({ path: '/home/op/inv.json', commons: 3, meshes: 1 }) });
    render(App);
    await screen.findByTestId('fleet-board');
    await openPalette();
    await userEvent.keyboard('brh');
    expect(labels()[0]).toBe('mesh-brh');
    await userEvent.clear(screen.getByTestId('palette-input'));
    await userEvent.keyboard('genomics');
    await waitFor(() => expect(labels()[0]).toBe('draft-d1'));
    await userEvent.clear(screen.getByTestId('palette-input'));
    await userEvent.keyboard('zzzz');
    expect(screen.getByTestId('palette-empty').textContent).toContain('Nothing matches');
    await userEvent.clear(screen.getByTestId('palette-input'));
    await userEvent.keyboard('export inv{Enter}');
    await screen.findByText('Exported 3 commons to /home/op/inv.json');
    expect(rust.named('inventory_export')[0].request).toEqual({ path: '/home/op/inv.json' });

    await openPalette();
    await userEvent.keyboard('import cred{Enter}');
    expect(await screen.findByTestId('credentials-view', {}, { timeout: 8000 })).toBeInTheDocument();
    await openPalette();
    await userEvent.keyboard('go activity{Enter}');
    expect(await screen.findByTestId('activity-view', {}, { timeout: 8000 })).toBeInTheDocument();
  });

  it('marks production commons with the PROD label', async () => {
    fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await openPalette();
    await userEvent.keyboard('data hub');
    const first = screen.getAllByTestId('palette-item')[0];
    expect(first.dataset.id).toBe('commons-hub');
    expect(first.querySelector('[data-testid="prod-badge"]')).not.toBeNull();
  });
});
