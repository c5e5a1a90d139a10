import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { CredentialView, KeyPreview, VaultStatus } from './lib/backend/backend';
import { fail, fakeBackend, resetBackend } from './testing/backend';
import { commonsOf, credentialOf as credential, keyInfoOf as keyInfo } from './testing/builders';
import { LAZY, openScreen } from './testing/screens';

const HUB = commonsOf('p1', 'Data Hub', { base_url: 'https://gen3.datahub.org', environment: 'production' });
const SECRET = 'eyJhbGciOiJSUzI1NiJ9.SECRET-PAYLOAD.signature7f3a';
const PASTED = JSON.stringify({ api_key: SECRET, key_id: 'jti-7f3a' });

const openCredentials = () => openScreen('credentials', 'credentials-view');

const UNKNOWN_PREVIEW: KeyPreview = { info: keyInfo('new.example.org', '7f3a', 29), commons: null, replaces: null };

/** Renders the app (which opens on the Fleet board when it has commons) and goes to the commons list. */
const renderCommonsList = () => openScreen('commons', 'fleet-list');

afterEach(resetBackend);

describe('navigation', () => {
  it('g k opens the Credentials view and the help lists it', async () => {
    fakeBackend({ commons: [HUB] });
    await renderCommonsList();
    expect(screen.queryByTestId('credentials-view')).not.toBeInTheDocument();
    await userEvent.keyboard('gk');
    expect(await screen.findByTestId('credentials-view', {}, LAZY)).toBeInTheDocument();
    expect(screen.getByTestId('nav-credentials')).toHaveAttribute('aria-current', 'page');
    await userEvent.keyboard('?');
    expect(await screen.findByTestId('shortcuts-help')).toHaveTextContent('Go to Credentials');
  });

  it('orders the sidebar Fleet, Commons, Credentials, Meshes, Wizards, Activity, Settings', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('empty-state');
    const ids = [...document.querySelectorAll('[data-testid^="nav-"]')].map((e) => e.getAttribute('data-testid'));
    expect(ids).toEqual(['nav-fleet', 'nav-commons', 'nav-credentials', 'nav-meshes', 'nav-wizards', 'nav-activity', 'nav-settings']);
  });
});

describe('import', () => {
  it('previews a pasted key with its URL, expiry and last four characters', async () => {
    const rust = fakeBackend({ handlers: { credentials_preview: () => UNKNOWN_PREVIEW } });
    await openCredentials();
    await userEvent.click(screen.getByLabelText("Paste the credentials.json from the portal's Profile page"));
    await userEvent.paste(PASTED);
    await userEvent.click(screen.getByTestId('preview-key'));

    const card = await screen.findByTestId('key-preview');
    expect(rust.named('credentials_preview')[0].request).toEqual({ kind: 'text', text: PASTED });
    expect(card).toHaveTextContent('https://new.example.org');
    expect(card).toHaveTextContent('Not in your inventory');
    expect(card).toHaveTextContent(/\d+ [A-Z][a-z]{2} \d{4}, \d\d:\d\d/);
    expect(card).toHaveTextContent('expires in 29 days');
    expect(card).toHaveTextContent('•••• ends in 7f3a');
    expect(card).toHaveTextContent('data, user');
    expect(within(card).getByTestId('store-key')).toHaveTextContent('Add commons and store key');
    expect(within(card).queryByTestId('key-replaces')).not.toBeInTheDocument();
  });

  it('stores a key for an unknown commons with the typed name and environment, then forgets the secret', async () => {
    const rust = fakeBackend({
      handlers: {
        credentials_preview: () => UNKNOWN_PREVIEW,
        credentials_import: () => credential('n1', 'New Commons', 'new.example.org', 'valid'),
      },
    });
    await openCredentials();
    const paste = screen.getByLabelText<HTMLTextAreaElement>("Paste the credentials.json from the portal's Profile page");
    await userEvent.click(paste);
    await userEvent.paste(PASTED);
    await userEvent.click(screen.getByTestId('preview-key'));
    await screen.findByTestId('key-preview');

    const name = document.querySelector<HTMLInputElement>('#new-commons-name')!;
    expect(name).toHaveValue('new.example.org');
    expect(document.querySelector('#new-commons-environment')).toHaveValue('dev');
    await userEvent.clear(name);
    await userEvent.type(name, 'New Commons');
    await userEvent.selectOptions(document.querySelector<HTMLSelectElement>('#new-commons-environment')!, 'staging');
    await userEvent.click(screen.getByTestId('store-key'));

    await waitFor(() => expect(rust.named('credentials_import')).toHaveLength(1));
    expect(rust.named('credentials_import')[0].request).toEqual({
      source: { kind: 'text', text: PASTED },
      add_commons: { name: 'New Commons', environment: 'staging' },
    });
    expect(await screen.findByText('Key stored for New Commons')).toBeInTheDocument();
    expect(screen.queryByTestId('key-preview')).not.toBeInTheDocument();
    expect(paste.value).toBe('');
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(document.body.innerHTML).not.toContain('SECRET-PAYLOAD');
  });

  it('sends no add_commons for a known commons and warns about the key it replaces', async () => {
    const rust = fakeBackend({
      commons: [HUB],
      handlers: {
        credentials_preview: () => ({ info: keyInfo('gen3.datahub.org', '9b2c', 60), commons: HUB, replaces: keyInfo('gen3.datahub.org', '1d4e', 2) }),
        credentials_import: () => credential('p1', 'Data Hub', 'gen3.datahub.org', 'valid'),
      },
    });
    await openCredentials();
    await userEvent.click(screen.getByLabelText("Paste the credentials.json from the portal's Profile page"));
    await userEvent.paste(PASTED);
    await userEvent.click(screen.getByTestId('preview-key'));
    const card = await screen.findByTestId('key-preview');
    expect(within(card).getByTestId('preview-commons')).toHaveTextContent('PROD Data Hub');
    expect(within(card).getByTestId('key-replaces')).toHaveTextContent('Replaces the key ending in 1d4e');
    expect(document.querySelector('#new-commons-name')).toBeNull();
    await userEvent.click(within(card).getByTestId('store-key'));
    await waitFor(() => expect(rust.named('credentials_import')).toHaveLength(1));
    expect(rust.named('credentials_import')[0].request).toMatchObject({ add_commons: null });
  });

  it('cancel clears the pasted key and the preview', async () => {
    fakeBackend({ handlers: { credentials_preview: () => UNKNOWN_PREVIEW } });
    await openCredentials();
    const paste = screen.getByLabelText<HTMLTextAreaElement>("Paste the credentials.json from the portal's Profile page");
    await userEvent.click(paste);
    await userEvent.paste(PASTED);
    await userEvent.click(screen.getByTestId('preview-key'));
    await userEvent.click(await screen.findByTestId('cancel-key'));
    expect(screen.queryByTestId('key-preview')).not.toBeInTheDocument();
    expect(paste.value).toBe('');
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('shows why a pasted text is not a key', async () => {
    fakeBackend({
      handlers: {
        credentials_preview: () => fail('invalid', 'This is not a credentials.json: it has no api_key.'),
      },
    });
    await openCredentials();
    await userEvent.click(screen.getByLabelText("Paste the credentials.json from the portal's Profile page"));
    await userEvent.paste('{"hello": 1}');
    await userEvent.click(screen.getByTestId('preview-key'));
    expect(await screen.findByTestId('import-error')).toHaveTextContent('This is not a credentials.json: it has no api_key.');
    expect(screen.queryByTestId('key-preview')).not.toBeInTheDocument();
  });

  it('previews a chosen file and a file dropped onto the window', async () => {
    const rust = fakeBackend({
      window: true,
      handlers: { credentials_preview: () => UNKNOWN_PREVIEW },
      dialogs: { open: () => '/home/op/Downloads/credentials.json' },
    });
    await openCredentials();
    await userEvent.click(screen.getByTestId('choose-key-file'));
    await screen.findByTestId('key-preview');
    expect(rust.named('credentials_preview')[0].request).toEqual({ kind: 'file', path: '/home/op/Downloads/credentials.json' });
    await userEvent.click(screen.getByTestId('cancel-key'));

    expect(screen.queryByTestId('key-preview')).not.toBeInTheDocument();

    await rust.dragOver();
    expect(await screen.findByTestId('drop-overlay')).toHaveTextContent('Drop credentials.json');
    await rust.drop(['/tmp/dropped.json']);
    await screen.findByTestId('key-preview');
    expect(screen.queryByTestId('drop-overlay')).not.toBeInTheDocument();
    expect(rust.named('credentials_preview')[1].request).toEqual({ kind: 'file', path: '/tmp/dropped.json' });
  });

  it('imports a key found in ~/.gen3 and shows profiles that cannot be imported', async () => {
    const rust = fakeBackend({
      handlers: {
        credentials_profiles: () => [
          { source: 'gen3sdk: crdc', info: keyInfo('new.example.org', '7f3a', 29), problem: null, commons_name: null },
          { source: 'gen3-client: default', info: null, problem: 'The profile has no api_key.', commons_name: null },
        ],
        credentials_preview: () => UNKNOWN_PREVIEW,
      },
    });
    await openCredentials();
    const details = screen.getByTestId('key-profiles') as HTMLDetailsElement;
    await userEvent.click(within(details).getByText('Import from ~/.gen3'));
    const rows = await screen.findAllByTestId('profile-row');
    expect(rows[1]).toHaveTextContent('The profile has no api_key.');
    expect(within(rows[1]).queryByTestId('import-profile')).not.toBeInTheDocument();
    await userEvent.click(within(rows[0]).getByTestId('import-profile'));
    await screen.findByTestId('key-preview');
    expect(rust.named('credentials_preview')[0].request).toEqual({ kind: 'profile', source: 'gen3sdk: crdc' });
  });
});

describe('key list', () => {
  it('renders every status with an icon and a word', async () => {
    fakeBackend({
      keys: [
        credential('a', 'Alpha', 'alpha.org', 'expired'),
        credential('b', 'Beta', 'beta.org', 'rejected'),
        credential('c', 'Gamma', 'gamma.org', 'expiring'),
        credential('d', 'Delta', 'delta.org', 'valid', { user_name: 'op@example.org', last_test_at: Date.now() - 120_000 }),
      ],
    });
    await openCredentials();
    const rows = await screen.findAllByTestId('credential-row');
    expect(rows.map((r) => r.dataset.status)).toEqual(['expired', 'rejected', 'expiring', 'valid']);
    const words = rows.map((r) => within(r).getByTestId('key-status').textContent?.replace(/\s+/g, ' ').trim());
    expect(words).toEqual(['Expired', 'Rejected by the commons', 'Expires soon', 'Valid']);
    const icons = rows.map((r) => within(r).getByTestId('key-status').querySelector('svg')?.dataset.icon);
    expect(icons).toEqual(['down', 'blocked', 'warn', 'ok']);
    expect(rows[0]).toHaveTextContent('expired 3 days ago');
    expect(rows[3]).toHaveTextContent('expires in 3 months');
    expect(rows[3]).toHaveTextContent('ends in df3a');
    expect(rows[3]).toHaveTextContent('op@example.org');
    expect(rows[3]).toHaveTextContent('2 minutes ago');
  });

  it('teaches where keys come from when none are stored', async () => {
    fakeBackend();
    await openCredentials();
    expect(await screen.findByTestId('credentials-empty')).toHaveTextContent('Create API key');
    expect(screen.queryByTestId('credential-list')).not.toBeInTheDocument();
  });

  it('tests a connection and shows who the key acts as', async () => {
    const key = credential('a', 'Alpha', 'alpha.org', 'valid');
    let finish: (v: CredentialView) => void = () => {};
    const rust = fakeBackend({
      keys: [key],
      handlers: {
        credentials_test: () => new Promise<CredentialView>((resolve) => (finish = resolve)),
      },
    });
    await openCredentials();
    const row = await screen.findByTestId('credential-row');
    await userEvent.click(within(row).getByTestId('test-connection'));
    expect(within(row).getByTestId('test-connection')).toHaveTextContent('Testing…');
    expect(within(row).getByTestId('test-connection')).toBeDisabled();
    expect(rust.named('credentials_test')[0].request).toEqual({ id: 'a' });
    finish({ ...key, user_name: 'alice@example.org', last_test_at: Date.now() });
    expect(await within(row).findByTestId('test-result')).toHaveTextContent('Connected as alice@example.org');
    expect(within(row).getByTestId('test-connection')).toBeEnabled();
  });

  it('shows a key set aside after a URL change and sends it there only when confirmed', async () => {
    const setAside = 'This key belongs to https://old.org, but the commons\' URL is now https://alpha.org: it is not sent.';
    const rust = fakeBackend({
      keys: [credential('a', 'Alpha', 'alpha.org', 'valid', { set_aside: setAside })],
      handlers: { credentials_confirm_url: () => credential('a', 'Alpha', 'alpha.org', 'valid') },
    });
    await openCredentials();
    const row = await screen.findByTestId('credential-row');
    expect(within(row).getByTestId('key-set-aside')).toHaveTextContent('it is not sent');
    expect(rust.named('credentials_confirm_url')).toHaveLength(0);
    await userEvent.click(within(row).getByTestId('confirm-key-url'));
    await waitFor(() => expect(within(row).queryByTestId('key-set-aside')).toBeNull());
    expect(rust.named('credentials_confirm_url')[0].request).toEqual({ id: 'a' });
  });

  it('explains a rejected key and offers to import a new one', async () => {
    fakeBackend({
      keys: [credential('a', 'Alpha', 'alpha.org', 'valid')],
      handlers: {
        credentials_test: () => fail('key_rejected', 'fence at alpha.org rejected the API key.'),
      },
    });
    await openCredentials();
    const row = await screen.findByTestId('credential-row');
    await userEvent.click(within(row).getByTestId('test-connection'));
    const error = await within(row).findByTestId('test-error');
    expect(error).toHaveTextContent('fence at alpha.org rejected the API key.');
    expect(error).toHaveTextContent("Import a new credentials.json from the portal's Profile page.");
    expect(error).not.toHaveTextContent('{');
    await userEvent.click(within(error).getByTestId('reimport-key'));
    expect(document.activeElement?.id).toBe('credentials-paste');
  });

  it('explains a certificate problem', async () => {
    fakeBackend({
      keys: [credential('a', 'Alpha', 'alpha.org', 'valid')],
      handlers: {
        credentials_test: () => fail('tls', 'The certificate of alpha.org is not trusted.'),
      },
    });
    await openCredentials();
    await userEvent.click(await screen.findByTestId('test-connection'));
    const error = await screen.findByTestId('test-error');
    expect(error).toHaveTextContent('The certificate of alpha.org is not trusted.');
    expect(error).toHaveTextContent('private certificate authority');
    expect(screen.queryByTestId('reimport-key')).not.toBeInTheDocument();
  });

  it('asks before deleting a key and then calls credentials_delete', async () => {
    const rust = fakeBackend({ keys: [credential('a', 'Alpha', 'alpha.org', 'valid')] });
    await openCredentials();
    await userEvent.click(await screen.findByTestId('delete-key'));
    const dialog = screen.getByTestId('confirm-delete-key');
    expect(dialog).toHaveTextContent('the API key ending in af3a for Alpha');
    expect(rust.named('credentials_delete')).toHaveLength(0);
    await userEvent.click(within(dialog).getByTestId('confirm-delete-key-button'));
    await waitFor(() => expect(rust.named('credentials_delete')).toEqual([{ cmd: 'credentials_delete', request: { id: 'a' } }]));
    expect(await screen.findByTestId('credentials-empty')).toBeInTheDocument();
    expect(screen.queryByTestId('confirm-delete-key')).not.toBeInTheDocument();
  });

  it('requires the hostname to delete a production key', async () => {
    const rust = fakeBackend({ keys: [credential('p1', 'Data Hub', 'gen3.datahub.org', 'valid', { production: true })] });
    await openCredentials();
    const row = await screen.findByTestId('credential-row');
    expect(within(row).getByTestId('prod-badge')).toHaveTextContent('PROD');
    await userEvent.click(within(row).getByTestId('delete-key'));
    const dialog = screen.getByTestId('confirm-delete-key');
    const confirm = within(dialog).getByTestId('confirm-delete-key-button');
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByRole('textbox'), 'gen3.datahub.org');
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    await waitFor(() => expect(rust.named('credentials_delete')).toHaveLength(1));
  });
});

describe('vault', () => {
  it('offers a passphrase vault when no keyring is reachable', async () => {
    let vault: VaultStatus = { mode: 'unset', unlocked: false, keyring_problem: 'The Secret Service is not running.' };
    const rust = fakeBackend({
      handlers: {
        vault_status: () => vault,
        vault_use_passphrase: () => (vault = { mode: 'passphrase', unlocked: true, keyring_problem: vault.keyring_problem }),
      },
    });
    await openCredentials();
    const banner = await screen.findByTestId('vault-banner');
    expect(banner).toHaveTextContent('No system keyring is reachable');
    expect(banner).toHaveTextContent('never stored in the clear');
    const pass = document.querySelector<HTMLInputElement>('#vault-passphrase')!;
    const again = document.querySelector<HTMLInputElement>('#vault-passphrase-confirm')!;

    await userEvent.type(pass, 'too short');
    await userEvent.type(again, 'too short');
    await userEvent.click(screen.getByTestId('use-passphrase'));
    expect(await screen.findByTestId('vault-error')).toHaveTextContent('at least 12 characters');

    await userEvent.clear(pass);
    await userEvent.clear(again);
    await userEvent.type(pass, 'correct horse battery');
    await userEvent.type(again, 'correct horse battery!');
    await userEvent.click(screen.getByTestId('use-passphrase'));
    expect(await screen.findByTestId('vault-error')).toHaveTextContent('do not match');
    expect(rust.named('vault_use_passphrase')).toHaveLength(0);

    await userEvent.clear(pass);
    await userEvent.clear(again);
    await userEvent.type(pass, 'correct horse battery');
    await userEvent.type(again, 'correct horse battery');
    await userEvent.click(screen.getByTestId('use-passphrase'));
    await waitFor(() => expect(rust.named('vault_use_passphrase')).toEqual([{ cmd: 'vault_use_passphrase', request: { passphrase: 'correct horse battery' } }]));
    await waitFor(() => expect(screen.queryByTestId('vault-banner')).not.toBeInTheDocument());
    expect(document.body.innerHTML).not.toContain('correct horse');
  });

  it('asks to unlock a locked passphrase vault', async () => {
    const rust = fakeBackend({
      vault: { mode: 'passphrase', unlocked: false, keyring_problem: null },
      handlers: {
        credentials_list: () => fail('vault_locked', 'The credential vault is locked.'),
        vault_use_passphrase: () => fail('unauthorized', 'That passphrase does not open the vault.'),
      },
    });
    await openCredentials();
    await screen.findByTestId('vault-banner');
    expect(document.querySelector('#vault-passphrase-confirm')).toBeNull();
    const pass = document.querySelector<HTMLInputElement>('#vault-passphrase')!;
    await userEvent.type(pass, 'wrong passphrase');
    await userEvent.click(screen.getByTestId('unlock-vault'));
    expect(await screen.findByTestId('vault-error')).toHaveTextContent('That passphrase does not open the vault.');
    expect(pass).toHaveValue('');
    expect(rust.named('vault_use_passphrase')[0].request).toEqual({ passphrase: 'wrong passphrase' });
  });
});

describe('commons detail', () => {
  it("shows the commons' key with a test button", async () => {
    fakeBackend({
      commons: [HUB],
      keys: [credential('p1', 'Data Hub', 'gen3.datahub.org', 'expiring', { production: true })],
      handlers: { credentials_test: () => ({ ...credential('p1', 'Data Hub', 'gen3.datahub.org', 'expiring'), user_name: 'op' }) },
    });
    await renderCommonsList();
    await userEvent.click(screen.getByTestId('commons-row'));
    await userEvent.click(await screen.findByTestId('tab-credentials'));
    const section = await screen.findByTestId('commons-credentials');
    const key = await within(section).findByTestId('commons-key');
    expect(key).toHaveTextContent('Expires soon');
    expect(key).toHaveTextContent('ends in 1f3a');
    await userEvent.click(within(section).getByTestId('test-connection'));
    expect(await within(section).findByTestId('test-result')).toHaveTextContent('Connected as op');
  });

  it('links to the import when the commons has no key', async () => {
    fakeBackend({ commons: [HUB] });
    await renderCommonsList();
    await userEvent.click(screen.getByTestId('commons-row'));
    await userEvent.click(await screen.findByTestId('tab-credentials'));
    await userEvent.click(await screen.findByTestId('import-credentials-link'));
    await screen.findByTestId('credentials-view');
    await waitFor(() => expect(document.activeElement?.id).toBe('credentials-paste'));
  });
});
