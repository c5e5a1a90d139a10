import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { AppStatus, Commons } from './lib/backend/backend';
import { fail, fakeBackend, resetBackend, type FakeOptions } from './testing/backend';
import { commonsOf, statusOf } from './testing/builders';
import { LAZY, openScreen } from './testing/screens';

const commons = (id: string, name: string, host: string, environment: Commons['environment']) =>
  commonsOf(id, name, {
    created_at: Date.UTC(2026, 11, 1, 9, 0),
    updated_at: Date.UTC(2026, 11, 12, 14, 5),
    base_url: `https://${host}`,
    environment,
    owner: 'Platform team',
    contact: 'ops@example.org',
    tags: ['nih'],
    expected_release: '2026.10',
  });

/** The Rust side with an inventory last changed on 12 Dec 2026, and the save dialog answering /tmp/fleet.json. */
const fakeRust = (options: FakeOptions = {}) =>
  fakeBackend({
    inventory: {
      freshness: { source: 'cache', last_attempted: null, last_successful: Date.UTC(2026, 11, 12, 14, 5), last_error: null },
      read_at: Date.UTC(2026, 11, 12, 14, 5, 12),
    },
    dialogs: { save: () => '/tmp/fleet.json' },
    ...options,
  });

const PROD = commons('p1', 'Data Hub', 'gen3.datahub.org', 'production');
const DEV = commons('d1', 'Dev sandbox', 'dev.example.org', 'dev');
const CORRUPT = statusOf({ store_error: { code: 'db_corrupt', message: 'The cache file is not a database.' } });

/** Renders the app (which opens on the Fleet board when it has commons) and goes to the commons list. */
const renderCommonsList = () => openScreen('commons', 'fleet-list');

afterEach(resetBackend);

describe('startup', () => {
  it('shows the empty state and "Add a commons" opens the form', async () => {
    fakeRust();
    render(App);
    const empty = await screen.findByTestId('empty-state');
    expect(within(empty).getByText('Import an inventory file')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('add-commons'));
    expect(await screen.findByLabelText('Name', {}, LAZY)).toHaveAttribute('id', 'commons-name');
    expect(document.querySelector('#commons-base-url')).toHaveAttribute('placeholder', 'data.example.org');
  });

  it('tells the backend once that the first list is painted', async () => {
    const rust = fakeRust({ commons: [DEV] });
    await renderCommonsList();
    await waitFor(() => expect(rust.named('first_paint')).toHaveLength(1));
    expect(screen.getByTestId('as-of')).toHaveTextContent(/Inventory as of \d\d:\d\d:\d\d · last changed \d+ Dec 2026, \d\d:\d\d/);
  });

  it('shows the recovery screen for a corrupt database and moves it aside', async () => {
    const rust = fakeRust({ status: CORRUPT });
    render(App);
    await screen.findByTestId('recovery-screen');
    expect(screen.queryByTestId('fleet-list')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Move it aside and start fresh' }));
    expect(rust.named('store_move_aside')).toHaveLength(1);
    await screen.findByTestId('empty-state');
    expect(screen.queryByTestId('recovery-screen')).not.toBeInTheDocument();
  });

  it('asks for the status and the first reads at the same time', async () => {
    let answer: (status: AppStatus) => void = () => {};
    const rust = fakeRust({ handlers: { app_status: () => new Promise<AppStatus>((resolve) => (answer = resolve)) } });
    render(App);
    // Both reads go out while the status is still unanswered; nothing shows until it arrives.
    await waitFor(() => expect(rust.named('inventory_list')).toHaveLength(1));
    await waitFor(() => expect(rust.named('fleet_view')).toHaveLength(1));
    expect(screen.queryByTestId('empty-state')).not.toBeInTheDocument();
    answer(statusOf());
    await screen.findByTestId('empty-state');
    await waitFor(() => expect(rust.named('first_paint')).toHaveLength(1));
  });

  it('ignores the first reads when the status reports a broken store', async () => {
    const rust = fakeRust({ status: CORRUPT, handlers: { inventory_list: () => fail('io', 'could not read the inventory') } });
    render(App);
    await screen.findByTestId('recovery-screen');
    await waitFor(() => expect(rust.named('inventory_list')).toHaveLength(1));
    await waitFor(() => expect(rust.named('fleet_view')).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByText('could not read the inventory')).not.toBeInTheDocument();
    expect(screen.getByTestId('recovery-screen')).toBeInTheDocument();
    expect(rust.named('first_paint')).toHaveLength(0);
  });

  it('explains a too-new database without offering to move it aside', async () => {
    fakeRust({ status: statusOf({ store_error: { code: 'db_too_new', message: 'Schema version 9 is newer than 3.' } }) });
    render(App);
    await screen.findByTestId('recovery-screen');
    expect(screen.getByText('Schema version 9 is newer than 3.')).toBeInTheDocument();
    expect(screen.queryByTestId('move-aside')).not.toBeInTheDocument();
  });

  it('normalizes a non-envelope rejection into a clear message', async () => {
    fakeRust({
      handlers: {
        inventory_list: () => {
          throw new Error('thread panicked at src/store.rs:42\n   0: backtrace');
        },
      },
    });
    render(App);
    await screen.findByText("Something went wrong talking to the app's backend.");
    expect(document.body.textContent).not.toContain('panicked');
  });
});

describe('commons list', () => {
  it('marks production rows with the PROD badge', async () => {
    fakeRust({ commons: [PROD, DEV] });
    await renderCommonsList();
    const rows = screen.getAllByTestId('commons-row');
    const prodRow = rows.find((r) => r.dataset.environment === 'production')!;
    const devRow = rows.find((r) => r.dataset.environment === 'dev')!;
    expect(within(prodRow).getByTestId('prod-badge')).toHaveTextContent('PROD');
    expect(within(devRow).queryByTestId('prod-badge')).not.toBeInTheDocument();
    expect(prodRow).toHaveTextContent('gen3.datahub.org');
    expect(prodRow).not.toHaveTextContent('https://');
    expect(screen.getByTestId('fleet-count')).toHaveTextContent('2 of 2 commons');
  });

  it('sends the search text to inventory_list', async () => {
    const rust = fakeRust({ commons: [PROD, DEV] });
    await renderCommonsList();
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search commons' }), 'hub');
    await waitFor(() => expect(rust.named('inventory_list').at(-1)?.request).toMatchObject({ search: 'hub' }));
    await waitFor(() => expect(screen.getAllByTestId('commons-row')).toHaveLength(1));
  });

  it('focuses the search box when "/" is pressed anywhere', async () => {
    fakeRust({ commons: [DEV] });
    await renderCommonsList();
    expect(document.activeElement?.id).not.toBe('fleet-search');
    await userEvent.keyboard('/');
    expect(document.activeElement?.id).toBe('fleet-search');
    expect((document.activeElement as HTMLInputElement).value).toBe('');
  });
});

describe('add and edit', () => {
  it('creates a commons with the typed draft and re-reads the list', async () => {
    const rust = fakeRust();
    render(App);
    await userEvent.click(await screen.findByTestId('add-commons'));
    await userEvent.type(screen.getByLabelText('Name'), 'Alpha');
    await userEvent.type(document.querySelector<HTMLInputElement>('#commons-base-url')!, 'alpha.example.org');
    await userEvent.type(document.querySelector<HTMLInputElement>('#commons-tags')!, 'nih, pilot');
    const listsBefore = rust.named('inventory_list').length;
    await userEvent.click(screen.getByTestId('save-commons'));

    await waitFor(() => expect(rust.named('commons_create')).toHaveLength(1));
    expect(rust.named('commons_create')[0].request).toEqual({
      name: 'Alpha',
      base_url: 'alpha.example.org',
      environment: 'dev',
      relation: 'we_run_it',
      owner: '',
      contact: '',
      tags: ['nih', 'pilot'],
      notes: '',
      expected_release: null,
      deployment: { kind: 'unknown' },
      meshes: [],
      ca_pem: null,
    });
    await waitFor(() => expect(rust.named('inventory_list').length).toBeGreaterThan(listsBefore));
    expect(await screen.findByTestId('commons-row')).toHaveTextContent('Alpha');
    expect(screen.queryByTestId('commons-form')).not.toBeInTheDocument();
    // Checked at once, not at the next scheduled sweep.
    await waitFor(() => expect(rust.named('sweep_start')).toEqual([{ cmd: 'sweep_start', request: { kind: 'commons', id: 'id-1' } }]));
  });

  it('sends a private CA pasted for the commons', async () => {
    const rust = fakeRust();
    render(App);
    await userEvent.click(await screen.findByTestId('add-commons'));
    await userEvent.type(screen.getByLabelText('Name'), 'Private');
    await userEvent.type(document.querySelector<HTMLInputElement>('#commons-base-url')!, 'private.example.org');
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    await userEvent.click(document.querySelector<HTMLTextAreaElement>('#commons-ca-pem')!);
    await userEvent.paste(pem);
    await userEvent.click(screen.getByTestId('save-commons'));
    await waitFor(() => expect(rust.named('commons_create')).toHaveLength(1));
    expect(rust.named('commons_create')[0].request.ca_pem).toBe(pem);
  });

  it('shows a validation error from commons_validate under the base URL', async () => {
    const rust = fakeRust({
      handlers: {
        commons_validate: (req) =>
          req.draft.base_url.includes(' ')
            ? [
                { field: 'base_url', message: 'A host name cannot contain spaces.' },
                { field: 'name', message: 'Give the commons a name.' },
              ]
            : [],
      },
    });
    render(App);
    await userEvent.click(await screen.findByTestId('add-commons'));
    await userEvent.type(document.querySelector<HTMLInputElement>('#commons-base-url')!, 'data example');
    expect(await screen.findByTestId('error-base_url')).toHaveTextContent('A host name cannot contain spaces.');
    // Untouched fields stay quiet until the user tries to save.
    expect(screen.queryByTestId('error-name')).not.toBeInTheDocument();
    expect(rust.named('commons_validate').at(-1)?.request).toMatchObject({ id: null, draft: { base_url: 'data example' } });
  });

  it('shows a conflict from save on the base URL field', async () => {
    fakeRust({ handlers: { commons_create: () => fail('conflict', 'Dev sandbox already uses dev.example.org.') } });
    render(App);
    await userEvent.click(await screen.findByTestId('add-commons'));
    await userEvent.type(screen.getByLabelText('Name'), 'Copy');
    await userEvent.type(document.querySelector<HTMLInputElement>('#commons-base-url')!, 'dev.example.org');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    expect(await screen.findByTestId('error-base_url')).toHaveTextContent('already uses dev.example.org');
    expect(screen.getByTestId('commons-form')).toBeInTheDocument();
  });
});

describe('delete', () => {
  it('requires typing the hostname to delete a production commons', async () => {
    const rust = fakeRust({ commons: [PROD] });
    await renderCommonsList();
    await userEvent.click(screen.getByTestId('commons-row'));
    await screen.findByRole('heading', { name: /Data Hub/ });
    await userEvent.click(screen.getByTestId('delete-commons'));

    const dialog = screen.getByTestId('confirm-delete');
    expect(within(dialog).getByTestId('prod-badge')).toBeInTheDocument();
    const confirm = within(dialog).getByTestId('confirm-delete-button');
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByRole('textbox'), 'gen3.datahub');
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByRole('textbox'), '.org');
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);

    await waitFor(() => expect(rust.named('commons_delete')).toEqual([{ cmd: 'commons_delete', request: { id: 'p1' } }]));
    await screen.findByTestId('empty-state');
  });

  it('deletes a dev commons without typing', async () => {
    const rust = fakeRust({ commons: [DEV] });
    await renderCommonsList();
    await userEvent.click(screen.getByTestId('commons-row'));
    await userEvent.click(await screen.findByTestId('delete-commons'));
    const dialog = screen.getByTestId('confirm-delete');
    expect(within(dialog).queryByRole('textbox')).not.toBeInTheDocument();
    await userEvent.click(within(dialog).getByTestId('confirm-delete-button'));
    await waitFor(() => expect(rust.named('commons_delete')).toHaveLength(1));
  });
});

describe('keyboard and settings', () => {
  it('opens the shortcuts help with "?" and closes it with Escape', async () => {
    fakeRust({ commons: [DEV] });
    await renderCommonsList();
    await userEvent.keyboard('?');
    expect(await screen.findByTestId('shortcuts-help')).toHaveTextContent('Go to Meshes');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByTestId('shortcuts-help')).not.toBeInTheDocument();
  });

  it('does not fire shortcuts while typing in the search box', async () => {
    fakeRust({ commons: [DEV] });
    await renderCommonsList();
    await userEvent.keyboard('/');
    await userEvent.keyboard('n');
    expect(screen.queryByTestId('commons-form')).not.toBeInTheDocument();
    expect(screen.getByRole('searchbox')).toHaveValue('n');
  });

  it('navigates with g m and g s', async () => {
    fakeRust({ commons: [DEV] });
    await renderCommonsList();
    await userEvent.keyboard('gm');
    expect(await screen.findByTestId('meshes-empty')).toHaveTextContent('groups commons');
    await userEvent.keyboard('gs');
    expect(await screen.findByTestId('app-version')).toHaveTextContent('0.1.0');
  });

  it('exports through the save dialog and reports the result', async () => {
    fakeRust({
      commons: [DEV],
      handlers: { inventory_export: ({ path }) => ({ path, commons: 1, meshes: 0 }) },
    });
    await renderCommonsList();
    await userEvent.keyboard('gs');
    await userEvent.click(await screen.findByTestId('export-inventory'));
    expect(await screen.findByText('Exported 1 commons to /tmp/fleet.json')).toBeInTheDocument();
  });
});

describe('edit', () => {
  it('edits the open commons with "e" and saves with commons_update', async () => {
    const rust = fakeRust({
      commons: [PROD],
      handlers: { commons_update: (req) => ({ ...PROD, ...req.draft }) },
    });
    await renderCommonsList();
    await userEvent.click(screen.getByTestId('commons-row'));
    await screen.findByRole('heading', { name: /Data Hub/ });
    await userEvent.keyboard('e');
    const form = await screen.findByTestId('commons-form');
    expect(within(form).getByTestId('prod-badge')).toBeInTheDocument();
    const name = within(form).getByLabelText('Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'Data Hub East');
    await userEvent.click(within(form).getByTestId('save-commons'));
    await waitFor(() => expect(rust.named('commons_update')).toHaveLength(1));
    expect(rust.named('commons_update')[0].request).toMatchObject({
      id: 'p1',
      draft: { name: 'Data Hub East', base_url: 'https://gen3.datahub.org', environment: 'production', tags: ['nih'] },
    });
    await waitFor(() => expect(screen.queryByTestId('commons-form')).not.toBeInTheDocument());
  });
});
