import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { FleetView, InventoryFilter } from './lib/backend/backend';
import { fakeBackend, resetBackend } from './testing/backend';
import { commonsOf, fleetOf, healthOf, summaryOf } from './testing/builders';

const LIST = [commonsOf('a', 'Alpha', { environment: 'production' }), commonsOf('b', 'Beta')];

/** The board as the core answers it: `down` narrows to Beta, which is down, its indexd unknown and its metadata unreported. */
function board(filter: InventoryFilter): FleetView {
  const beta = healthOf(LIST[1], { overall: 'down' });
  beta.services = beta.services
    .filter((s) => s.service !== 'metadata')
    .map((s) => (s.service === 'indexd' ? { ...s, state: 'unknown' as const } : s));
  const rows = [healthOf(LIST[0]), beta];
  return fleetOf(filter.problem === 'down' ? [rows[1]] : rows, { summary: summaryOf(2, { commons_down: 1, healthy: 1 }) });
}

function fakeRust() {
  const rust = fakeBackend({ commons: LIST, handlers: { fleet_view: board } });
  return { boards: () => rust.named('fleet_view').map((c) => c.request) };
}

afterEach(resetBackend);

describe('the board leads to the problem', () => {
  it('opens problems first, and a summary item filters the board to its commons and back', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    expect(rust.boards()[0].sort).toBe('problems');
    expect(screen.getByTestId('board-sort')).toHaveValue('problems');
    const link = screen.getByTestId('summary-commons_down');
    expect(link.tagName).toBe('BUTTON');
    await userEvent.click(link);
    await waitFor(() => expect(screen.getAllByTestId('board-row').map((r) => r.dataset.commons)).toEqual(['Beta']));
    expect(rust.boards().at(-1)!.problem).toBe('down');
    expect(screen.getByTestId('summary-commons_down')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('board-state')).toHaveValue('down');
    await userEvent.click(screen.getByTestId('summary-commons_down'));
    await waitFor(() => expect(screen.getAllByTestId('board-row')).toHaveLength(2));
    expect(rust.boards().at(-1)!.problem).toBeNull();
  });

  it('filters by state and changes the order', async () => {
    const rust = fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    await userEvent.selectOptions(screen.getByTestId('board-state'), 'down');
    await waitFor(() => expect(screen.getAllByTestId('board-row')).toHaveLength(1));
    await userEvent.selectOptions(screen.getByTestId('board-state'), '');
    await waitFor(() => expect(rust.boards().at(-1)!.problem).toBeNull());
    await userEvent.selectOptions(screen.getByTestId('board-sort'), 'name');
    await waitFor(() => expect(rust.boards().at(-1)!.sort).toBe('name'));
  });

  it('lets the operator choose the service columns, and remembers the choice', async () => {
    fakeRust();
    const { unmount } = render(App);
    await screen.findByTestId('fleet-board');
    expect(screen.getAllByTestId('cell-indexd')).toHaveLength(2);
    await userEvent.click(within(screen.getByTestId('board-columns')).getByText(/Service columns/));
    await userEvent.click(screen.getByTestId('column-indexd'));
    expect(screen.queryAllByTestId('cell-indexd')).toHaveLength(0);
    expect(screen.getByTestId('board-columns').textContent).toContain('4 of 5');
    unmount();
    render(App);
    await screen.findByTestId('fleet-board');
    expect(screen.queryAllByTestId('cell-indexd')).toHaveLength(0);
    await userEvent.click(within(screen.getByTestId('board-columns')).getByText(/Service columns/));
    await userEvent.click(screen.getByTestId('columns-all'));
    expect(screen.getAllByTestId('cell-indexd')).toHaveLength(2);
  });

  it('draws its state icons as SVG, never as emoji or symbol characters', async () => {
    fakeRust();
    render(App);
    const table = await screen.findByTestId('fleet-board');
    expect(table.querySelectorAll('svg[data-icon="down"]').length).toBeGreaterThan(0);
    expect(table.querySelectorAll('svg[data-icon="ok"]').length).toBeGreaterThan(0);
    expect(table.textContent).not.toMatch(/[✓✕⚠▲⚑⛔⚿]/u);
  });

  it('shows an unknown service, or one the commons did not report, as one question-mark icon and the word for readers', async () => {
    fakeRust();
    render(App);
    await screen.findByTestId('fleet-board');
    const beta = screen.getAllByTestId('board-row').find((r) => r.dataset.commons === 'Beta')!;
    for (const name of ['indexd', 'metadata']) {
      const cell = within(beta).getByTestId(`cell-${name}`);
      expect(cell.dataset.state).toBe('unknown');
      expect([...cell.querySelectorAll('svg')].map((svg) => svg.dataset.icon)).toEqual(['unknown']);
      // Visible text: none beside the icon (the question mark is drawn once); readers hear "Unknown".
      const visible = [...cell.querySelectorAll('span:not(.visually-hidden)')].map((s) => s.textContent).join('');
      expect(visible).toBe('');
      expect(cell.textContent).not.toContain('?');
      expect(cell.textContent?.trim()).toBe('Unknown');
    }
    const alpha = screen.getAllByTestId('board-row').find((r) => r.dataset.commons === 'Alpha')!;
    expect(within(alpha).getByTestId('cell-indexd').textContent?.replace(/\s+/g, ' ').trim()).toBe('OKHealthy');
  });
});
