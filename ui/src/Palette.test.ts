import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { Draft } from './lib/backend/backend';
import { fakeBackend, resetBackend, type FakeOptions } from './testing/backend';
import { commonsOf } from './testing/builders';
import { draftOf, readyAnswers } from './testing/wizard';

const LIST = [
  commonsOf('hub', 'Data Hub', { environment: 'production' }),
  commonsOf('kf', 'Kids First staging', { environment: 'staging' }),
  commonsOf('dev', 'Dev sandbox'),
];
const DRAFT: Draft = draftOf('d1', { ...readyAnswers(), identity: { ...readyAnswers().identity, hostname: 'genomics.example.org' } }, 4, { updated_at: 1 });

function fakeRust(options: FakeOptions = {}) {
  return fakeBackend({
    commons: LIST,
    meshes: [{ name: 'brh', description: 'Biomedical Research Hub', members: ['hub'] }],
    drafts: [DRAFT],
    ...options,
  });
}

async function openPalette() {
  await userEvent.keyboard('{Control>}k{/Control}');
  // The palette's code loads on first use: give it time on a busy machine.
  return screen.findByTestId('palette-input', {}, { timeout: 8000 });
}

const labels = () => screen.getAllByTestId('palette-item').map((i) => i.dataset.id);

afterEach(resetBackend);

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
    const rust = fakeRust({
      dialogs: { save: () => '/home/op/inv.json' },
      handlers: { inventory_export: ({ path }) => ({ path, commons: 3, meshes: 1 }) },
    });
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
