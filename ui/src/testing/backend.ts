import { clearMocks, emit, mockIPC, mockWindows, runCallback } from '../lib/backend/mocks';
import { cleanup } from '@testing-library/svelte';
import type {
  ActivityEntry,
  AppStatus,
  CommandName,
  Commands,
  Commons,
  CoreError,
  CredentialView,
  Draft,
  ErrorCode,
  Events,
  InventoryFilter,
  InventoryView,
  Mesh,
  MonitorSettings,
  RenderSettings,
  TeamStatus,
  VaultStatus,
  WebhookKind,
} from '../lib/backend/backend';
import {
  commonsOf,
  diagnosticsOf,
  fleetOf,
  inventoryFilterOf,
  healthDetailOf,
  healthOf,
  inventoryOf,
  monitorOf,
  statusOf,
  teamOf,
  vaultOf,
} from './builders';
import { buildOf, meshReportFor } from './mesh';
import { CATALOG, gitopsRepoOf, hostnameReview, launchReportOf } from './wizard';

/**
 * One fake of the Rust side for every UI test. It stands behind Tauri's mocked IPC, so the UI under test
 * reaches it through the real `backend.ts` (argument passing, error normalization, events); it answers
 * the commands every screen calls with sensible defaults, keeps what the commands change in `state`,
 * records each call, and lets a test replace any command with a handler typed by `bindings.ts`.
 */

export type RequestOf<K extends CommandName> = Commands[K]['request'];
export type ResponseOf<K extends CommandName> = Commands[K]['response'];
export type Handler<K extends CommandName> = (request: RequestOf<K>) => ResponseOf<K> | Promise<ResponseOf<K>>;
/** Answers by command name: a name that is not a command, or a wrong request or response, fails the type check. */
export type Handlers = Partial<{ [K in CommandName]: Handler<K> }>;

/** A call as the backend received it (the request after the IPC's JSON, as Rust would read it). */
export type CallOf<K extends CommandName> = { cmd: K; request: RequestOf<K> };
export type Call = { [K in CommandName]: CallOf<K> }[CommandName];

/** A file or folder dialog the UI opened, with the options it passed to the dialog plugin. */
export type DialogCall = { kind: 'open' | 'save'; options: Record<string, unknown> };
/** What the user picks in a dialog: a path, or null for Cancel. */
export type DialogAnswer = (options: Record<string, unknown>) => string | null;

/** What the Rust side holds; the defaults read and change it, and a test may too. */
export type FakeState = {
  status: AppStatus;
  commons: Commons[];
  meshes: Mesh[];
  drafts: Map<string, Draft>;
  keys: CredentialView[];
  vault: VaultStatus;
  activity: ActivityEntry[];
  monitor: MonitorSettings;
  render: RenderSettings;
  team: TeamStatus;
  webhooks: WebhookKind[];
};

export type FakeOptions = {
  status?: AppStatus;
  commons?: Commons[];
  meshes?: Mesh[];
  drafts?: Draft[];
  keys?: CredentialView[];
  vault?: VaultStatus;
  activity?: ActivityEntry[];
  team?: TeamStatus;
  /** Fields of every `inventory_list` answer besides the commons (its freshness, its read time). */
  inventory?: Partial<Omit<InventoryView, 'commons' | 'total' | 'meshes'>>;
  /** The commons `demo_start` puts in the inventory. */
  demo?: Commons[];
  /** Commands answered otherwise than by the defaults. */
  handlers?: Handlers;
  /** What the file and folder dialogs answer; a dialog the test did not expect fails. */
  dialogs?: { open?: DialogAnswer; save?: DialogAnswer };
  /** Mock the main window, so that files dropped on it reach the app (see `dragOver` and `drop`). */
  window?: boolean;
  /** Leave commands without a handler unanswered instead of failing them (no error toast). */
  unanswered?: 'pending';
};

/** A rejection in the `{code, message}` envelope every command uses. */
export function coreError(code: ErrorCode, message: string): CoreError {
  return { code, message };
}

/** Fails a command as the Rust side does: `handlers: { commons_get: () => fail('not_found', '…') }`. */
export function fail(code: ErrorCode, message: string): never {
  throw coreError(code, message);
}

/** Unmounts what the test rendered (it unlistens through the IPC, so first), then removes the fake. */
export function resetBackend(): void {
  cleanup();
  clearMocks();
  localStorage.clear();
}

// The IPC carries JSON both ways: what the UI sends and what it gets back are copies, as in the app.
const overJson = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

function matches(c: Commons, search: string): boolean {
  const s = search.trim().toLowerCase();
  return !s || c.name.toLowerCase().includes(s) || c.base_url.toLowerCase().includes(s);
}

export function fakeBackend(options: FakeOptions = {}) {
  const state: FakeState = {
    status: options.status ?? statusOf(),
    commons: [...(options.commons ?? [])],
    meshes: [...(options.meshes ?? [])],
    drafts: new Map((options.drafts ?? []).map((d) => [d.id, overJson(d)])),
    keys: [...(options.keys ?? [])],
    vault: options.vault ?? vaultOf(),
    activity: options.activity ?? [],
    monitor: monitorOf(),
    render: { chart_dir: '' },
    team: options.team ?? teamOf(),
    webhooks: [],
  };
  const calls: Call[] = [];
  const dialogs: DialogCall[] = [];
  const opened: string[] = [];
  let nextDraft = 1;
  let clock = Date.UTC(2026, 11, 12, 14, 5);

  // Searched as the Rust side does (by name and host here); the total and the tags stay the whole inventory's.
  const inventory = ({ search, limit }: InventoryFilter): InventoryView => {
    const all = inventoryOf(state.commons, { meshes: state.meshes, ...options.inventory });
    return { ...all, commons: all.commons.filter((c) => matches(c, search)).slice(0, limit) };
  };
  const commonsById = (id: string) => state.commons.find((c) => c.id === id) ?? fail('not_found', 'No such commons in the inventory.');

  const defaults: Handlers = {
    app_status: () => state.status,
    store_move_aside: () => (state.status = { ...state.status, store_error: null, moved_aside_to: `${state.status.db_path}.broken` }),
    first_paint: () => null,
    inventory_list: inventory,
    commons_get: ({ id }) => commonsById(id),
    commons_validate: () => [],
    commons_create: (draft) => {
      const created: Commons = { ...draft, id: `id-${state.commons.length + 1}`, created_at: clock, updated_at: clock };
      state.commons.push(created);
      return created;
    },
    commons_update: ({ id, draft }) => {
      const updated: Commons = { ...commonsById(id), ...draft, updated_at: (clock += 1000) };
      state.commons = state.commons.map((c) => (c.id === id ? updated : c));
      return updated;
    },
    commons_delete: ({ id }) => {
      state.commons = state.commons.filter((c) => c.id !== id);
      return null;
    },
    // Rows beyond a `limit` are left out, the counts kept, as the Rust side does.
    fleet_view: ({ limit }) => {
      const board = fleetOf(state.commons.map((c) => healthOf(c)));
      return { ...board, rows: board.rows.slice(0, limit) };
    },
    // The commons' row of the board, whatever answers the board.
    commons_health: async ({ id, range }) => {
      const board = await answer('fleet_view', inventoryFilterOf());
      return healthDetailOf(board.rows.find((r) => r.commons.id === id) ?? healthOf(commonsById(id)), { range });
    },
    sweep_start: () => null,
    sweep_cancel: () => null,
    monitor_settings: () => state.monitor,
    monitor_settings_save: (settings) => (state.monitor = settings),
    render_settings: () => state.render,
    render_settings_save: (settings) => (state.render = settings),
    demo_start: () => {
      state.commons = [...(options.demo ?? [])];
      return (state.status = { ...state.status, demo: true, demo_on_start: false, data_dir: '/tmp/demo' });
    },
    demo_stop: () => (state.status = { ...state.status, demo: false, demo_on_start: false }),
    vault_status: () => state.vault,
    credentials_list: () => state.keys,
    credentials_delete: ({ id }) => {
      state.keys = state.keys.filter((k) => k.commons_id !== id);
      return null;
    },
    team_status: () => state.team,
    webhook_list: () => state.webhooks,
    webhook_set: ({ kind, url }) => (state.webhooks = url ? [...state.webhooks.filter((k) => k !== kind), kind] : state.webhooks.filter((k) => k !== kind)),
    activity_list: (f) =>
      state.activity.filter((e) => (!f.commons_id || e.commons_id === f.commons_id) && (!f.kind || e.kind === f.kind)).slice(0, f.limit ?? undefined),
    diagnostics_gather: () => diagnosticsOf(),
    wizard_catalog: () => CATALOG,
    wizard_review: hostnameReview,
    wizard_drafts: () =>
      [...state.drafts.values()].sort((a, b) => b.updated_at - a.updated_at).map(({ answers: _answers, ...summary }) => summary),
    wizard_draft_get: ({ id }) => state.drafts.get(id) ?? fail('not_found', 'That draft is gone: it was deleted or launched.'),
    wizard_draft_save: (draft) => {
      const saved = { ...draft, id: draft.id || `draft-${nextDraft++}`, updated_at: (clock += 1000) };
      state.drafts.set(saved.id, saved);
      return saved;
    },
    wizard_draft_delete: ({ id }) => {
      state.drafts.delete(id);
      return null;
    },
    wizard_secret_store: () => null,
    wizard_gitops_status: () => gitopsRepoOf(),
    // A launch ends by adding the commons to the inventory, or finding it there by its URL.
    wizard_launch: ({ answers: { identity } }) => {
      const base_url = `https://${identity.hostname}`;
      let launched = state.commons.find((c) => c.base_url === base_url);
      if (!launched) {
        launched = commonsOf(`id-${state.commons.length + 1}`, identity.name, { base_url, environment: identity.environment });
        state.commons.push(launched);
      }
      return launchReportOf({ commons_id: launched.id, files: [`${identity.hostname}/values/values.yaml`] });
    },
    wizard_launch_cancel: () => null,
    wizard_launch_merged: () => null,
    mesh_wizard_build: (answers) => buildOf(answers),
    mesh_wizard_preview: () => [],
    mesh_wizard_save: (answers) => {
      const members = answers.members.map((m) => m.commons_id ?? `c-${m.adapter.name}`);
      const mesh: Mesh = { name: answers.name, description: answers.description, members: [...members, answers.hub.commons_id ?? 'c-hub'] };
      state.meshes = [...state.meshes.filter((m) => m.name !== mesh.name), mesh];
      return mesh;
    },
    mesh_view: ({ name }) => meshReportFor(state.meshes.find((m) => m.name === name) ?? fail('not_found', `No mesh ${name}.`), state.commons),
  };
  const handlers: Handlers = { ...defaults, ...options.handlers };
  const answer = <K extends CommandName>(cmd: K, request: RequestOf<K>) => {
    const handler = handlers[cmd] as Handler<K> | undefined;
    if (!handler && options.unanswered === 'pending') return new Promise<never>(() => {});
    if (!handler) fail('io', `unexpected command ${cmd}`);
    return handler(request);
  };

  // The event plugin as Tauri's runs it, kept here so a test can count the app's live listeners and
  // hold a registration in flight (`holdListens`).
  const listeners = new Map<string, Set<number>>();
  let held: (() => void)[] | null = null;
  const events = async (cmd: string, args: { event: string; handler?: number; eventId?: number; payload?: unknown }) => {
    const set = listeners.get(args.event) ?? new Set<number>();
    listeners.set(args.event, set);
    if (cmd === 'plugin:event|listen') {
      if (held) await new Promise<void>((resolve) => held!.push(resolve));
      set.add(args.handler!);
      return args.handler;
    }
    if (cmd === 'plugin:event|unlisten') {
      set.delete(args.eventId!);
      return null;
    }
    for (const id of [...set]) runCallback(id, { event: args.event, payload: args.payload, id });
    return null;
  };

  if (options.window) mockWindows('main');
  mockIPC(
    async (cmd, payload) => {
      const args = (payload ?? {}) as { request?: unknown; options?: Record<string, unknown> };
      if (cmd === 'plugin:dialog|open' || cmd === 'plugin:dialog|save') {
        const kind = cmd === 'plugin:dialog|open' ? 'open' : 'save';
        const opts = overJson(args.options ?? {});
        dialogs.push({ kind, options: opts });
        const pick = options.dialogs?.[kind];
        return pick ? pick(opts) : fail('io', `unexpected ${kind} dialog`);
      }
      if (cmd === 'plugin:opener|open_url') {
        opened.push((payload as { url: string }).url);
        return null;
      }
      if (cmd.startsWith('plugin:event|')) return events(cmd, payload as Parameters<typeof events>[1]);
      const request = overJson(args.request ?? null);
      const call = { cmd, request } as Call;
      calls.push(call);
      return overJson(await answer(call.cmd, call.request));
    },
  );

  return {
    state,
    /** Every command call, in order. */
    calls,
    /** The calls of one command, their requests typed. */
    named: <K extends CommandName>(cmd: K) => calls.filter((c): c is CallOf<K> & Call => c.cmd === cmd),
    /** Every file or folder dialog opened, in order. */
    dialogs,
    /** The addresses opened in the browser, in order. */
    opened,
    /** How many event listeners the app has registered and not removed. */
    liveListeners: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
    /** Holds every listener registration from now until `release()` is called. */
    holdListens: () => {
      const waiting: (() => void)[] = (held = []);
      return {
        waiting: () => waiting.length,
        release: () => {
          held = null;
          waiting.forEach((go) => go());
        },
      };
    },
    /** Emits a backend event to the app's subscriptions. */
    emit: <E extends keyof Events>(event: E, payload: Events[E]) => emit(event, payload),
    /** Something is dragged over the window (needs `window: true`). */
    dragOver: () => emit('tauri://drag-over', { position: { x: 1, y: 1 } }),
    /** Files are dropped on the window (needs `window: true`). */
    drop: (paths: string[]) => emit('tauri://drag-drop', { paths, position: { x: 1, y: 1 } }),
  };
}

export type FakeBackend = ReturnType<typeof fakeBackend>;
