import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { FIRST_SCREEN_ROWS } from './lib/app.svelte';
import { fakeBackend, resetBackend } from './testing/backend';
import { commonsOf } from './testing/builders';

/** Long lists render only a window of rows around the viewport (800 px in jsdom, which has no layout). */

const COUNT = 1000;
const nameOf = (i: number) => `Commons ${String(i).padStart(4, '0')}`;

const many = () =>
  Array.from({ length: COUNT }, (_, i) =>
    commonsOf(`c${i}`, nameOf(i), { environment: i % 10 === 0 ? 'production' : 'staging', tags: ['nih'], expected_release: '2026.10' }),
  );

/** The rows (by testid) in the DOM when first_paint arrives. */
function fakeRust(rowTestId: string) {
  const paintedRows: number[] = [];
  const first_paint = () => {
    paintedRows.push(document.querySelectorAll(`[data-testid="${rowTestId}"]`).length);
    return null;
  };
  const rust = fakeBackend({ commons: many(), handlers: { first_paint } });
  return { paintedRows, rust };
}

function scrollTo(scroller: HTMLElement, top: number) {
  scroller.scrollTop = top;
  scroller.dispatchEvent(new Event('scroll'));
}

/** Presses `key` n times where the user would: on the focused element, bubbling to the window. */
async function press(key: string, n: number) {
  for (let i = 0; i < n; i++) await fireEvent.keyDown(document.activeElement ?? document.body, { key });
}

afterEach(resetBackend);

describe('fleet board with 1,000 commons', { timeout: 20_000 }, () => {
  it('renders only the rows near the viewport, and tells first_paint once they are there', async () => {
    const rust = fakeRust('board-row');
    render(App);
    const board = await screen.findByTestId('fleet-board');
    const rows = screen.getAllByTestId('board-row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(200);
    expect(rows[0].dataset.commons).toBe(nameOf(0));
    expect(rows[0].querySelectorAll('[data-testid^="cell-"]')).toHaveLength(5);
    expect(board).toHaveAttribute('aria-rowcount', String(COUNT + 1));
    await waitFor(() => expect(rust.paintedRows).toHaveLength(1));
    expect(rust.paintedRows[0]).toBeGreaterThan(0);
    expect(screen.getByText(`${COUNT} commons`)).toBeInTheDocument();
  });

  it('reads the first screen before it paints, and the rest of the fleet after', async () => {
    const { rust } = fakeRust('board-row');
    render(App);
    await screen.findByTestId('fleet-board');
    await waitFor(() => expect(rust.named('fleet_view').map((c) => c.request.limit)).toEqual([FIRST_SCREEN_ROWS, undefined]));
    expect(rust.named('inventory_list').map((c) => c.request.limit)).toEqual([FIRST_SCREEN_ROWS, undefined]);
    const reads = [...rust.named('fleet_view'), ...rust.named('inventory_list')];
    const order = rust.calls.map((c) => {
      const read = reads.find((r) => r === c);
      return read ? `${read.cmd} ${read.request.limit ?? 'all'}` : c.cmd;
    });
    expect(order.indexOf('first_paint')).toBeGreaterThan(order.indexOf(`fleet_view ${FIRST_SCREEN_ROWS}`));
    expect(order.indexOf('first_paint')).toBeLessThan(order.indexOf('fleet_view all'));
    expect(order.indexOf('first_paint')).toBeLessThan(order.indexOf('inventory_list all'));
    // Once the rest has arrived, the last commons is there to scroll to.
    scrollTo(screen.getByTestId('fleet-board').parentElement!, COUNT * 48);
    await waitFor(() => expect(document.querySelector(`[data-commons="${nameOf(COUNT - 1)}"]`)).not.toBeNull());
  });

  it('renders rows further down when scrolled, with spacers keeping the full height', async () => {
    fakeRust('board-row');
    render(App);
    const board = await screen.findByTestId('fleet-board');
    const scroller = board.parentElement!;
    expect(document.querySelector(`[data-commons="${nameOf(500)}"]`)).toBeNull();

    scrollTo(scroller, 500 * 48);
    await waitFor(() => expect(document.querySelector(`[data-commons="${nameOf(500)}"]`)).not.toBeNull());
    const rows = screen.getAllByTestId('board-row');
    expect(rows.length).toBeLessThan(200);
    expect(document.querySelector(`[data-commons="${nameOf(0)}"]`)).toBeNull();
    const spacers = [...board.querySelectorAll<HTMLElement>('tbody tr.spacer')];
    const total = spacers.reduce((sum, s) => sum + parseFloat(s.style.height), 0) + rows.length * 48;
    expect(total).toBe(COUNT * 48);

    scrollTo(scroller, COUNT * 48);
    await waitFor(() => expect(document.querySelector(`[data-commons="${nameOf(COUNT - 1)}"]`)).not.toBeNull());
  });

  it('keeps the selected row rendered and focused when j moves past the window', async () => {
    fakeRust('board-row');
    render(App);
    const board = await screen.findByTestId('fleet-board');
    await press('j', 45);
    await waitFor(() => expect(document.activeElement).toHaveAttribute('data-commons', nameOf(45)));
    expect(board.parentElement!.scrollTop).toBeGreaterThan(0);
    expect(screen.getAllByTestId('board-row').length).toBeLessThan(200);
    await press('k', 3);
    await waitFor(() => expect(document.activeElement).toHaveAttribute('data-commons', nameOf(42)));
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: nameOf(42) })).toBeInTheDocument();
  });
});

describe('commons list with 1,000 commons', { timeout: 20_000 }, () => {
  async function renderList() {
    const rust = fakeRust('commons-row');
    render(App);
    await userEvent.click(await screen.findByTestId('nav-commons'));
    return { rust, list: await screen.findByTestId('fleet-list') };
  }

  it('renders only the rows near the viewport', async () => {
    const { list } = await renderList();
    const rows = screen.getAllByTestId('commons-row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(200);
    expect(rows[0]).toHaveTextContent(nameOf(0));
    expect(rows[0]).toHaveAttribute('aria-posinset', '1');
    expect(rows[0]).toHaveAttribute('aria-setsize', String(COUNT));
    expect(rows[0]).toHaveAttribute('data-environment', 'production');
    expect(list.style.paddingBottom).toBe(`${(COUNT - rows.length) * 40}px`);
    expect(screen.getByTestId('fleet-count')).toHaveTextContent(`${COUNT} of ${COUNT} commons`);
  });

  it('renders rows further down when scrolled', async () => {
    const { list } = await renderList();
    expect(screen.queryByText(nameOf(500))).toBeNull();
    scrollTo(list.parentElement!, 500 * 40);
    expect(await screen.findByText(nameOf(500))).toBeInTheDocument();
    expect(screen.queryByText(nameOf(0))).toBeNull();
    expect(screen.getAllByTestId('commons-row').length).toBeLessThan(200);
  });

  it('keeps the selected row rendered and focused when ArrowDown moves past the window, and Enter opens it', async () => {
    const { list } = await renderList();
    await press('ArrowDown', 50);
    await waitFor(() => expect(document.activeElement).toHaveTextContent(nameOf(50)));
    expect(document.activeElement).toHaveAttribute('aria-selected', 'true');
    expect(list.parentElement!.scrollTop).toBeGreaterThan(0);
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: new RegExp(nameOf(50)) })).toBeInTheDocument();
  });
});
