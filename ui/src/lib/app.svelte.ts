import { getContext, setContext, tick } from 'svelte';
import { toCoreError } from './backend/backend';
import type {
  AppStatus,
  Commons,
  CoreError,
  FleetView,
  IBackend,
  InventoryFilter,
  InventoryView,
  SweepProgress,
  SweepReport,
  SweepScope,
} from './backend/backend';
import { applyTheme, loadTheme, saveTheme, type ThemeChoice } from './theme';

export type DetailTab = 'overview' | 'services' | 'history' | 'credentials' | 'configuration' | 'activity';

export type Route =
  | { name: 'fleet' }
  | { name: 'commons' }
  | { name: 'detail'; id: string; tab?: DetailTab; from?: 'fleet' | 'commons' }
  | { name: 'meshes' }
  | { name: 'credentials'; focusImport?: boolean }
  | { name: 'wizards' }
  /** The commons wizard: a new commons (`draftId` null) or a saved draft, at `step` (1-9) or the draft's own. */
  | { name: 'commons-wizard'; draftId: string | null; step?: number }
  /** The mesh wizard: a new mesh (`draftId` null) or a saved mesh draft, at `step` (1-5) or the draft's own. */
  | { name: 'mesh-wizard'; draftId: string | null; step?: number }
  /** One mesh, checked live. */
  | { name: 'mesh-detail'; mesh: string }
  | { name: 'activity' }
  | { name: 'settings' };

export type FormState = { mode: 'create' } | { mode: 'edit'; commons: Commons };

export type Toast = { id: number; kind: 'success' | 'error'; text: string };

export function defaultFilter(): InventoryFilter {
  return { search: '', environment: null, relation: null, tag: null, mesh: null, sort: 'environment', problem: null };
}

/** The board opens problems first. */
export function defaultBoardFilter(): InventoryFilter {
  return { ...defaultFilter(), sort: 'problems' };
}

/**
 * Rows read before the first paint: more than a tall screen shows. The rest of a large fleet is read
 * right after it, so the first screen never waits for the whole fleet to cross the IPC.
 */
export const FIRST_SCREEN_ROWS = 60;

const TOAST_MS = 6000;
/** More at once would cover the screen; the oldest goes first. */
const MAX_TOASTS = 4;

/** The state every screen shares; one instance per mounted app, handed down by context. */
export class AppState {
  status = $state<AppStatus | null>(null);
  /** The demo fleet is starting (its simulator, its keys): the shell says so until the board shows it. */
  demoStarting = $state(false);
  /** Settles once the first screen has painted (at once if it never will: a damaged cache). */
  private painted: Promise<void> = Promise.resolve();
  /** A path named with `--import`, waiting for the import panel to read it. */
  pendingImport = $state<string | null>(null);
  storeError = $state<CoreError | null>(null);
  route = $state<Route>({ name: 'commons' });
  filter = $state<InventoryFilter>(defaultFilter());
  /** Replaced whole on every read, never changed in place: raw state, no deep proxies over a large inventory. */
  view = $state.raw<InventoryView | null>(null);
  /** The board's own filter, so searching the board leaves the commons list alone. */
  fleetFilter = $state<InventoryFilter>(defaultBoardFilter());
  /** Replaced whole on every read, like `view`. */
  fleet = $state.raw<FleetView | null>(null);
  /** Bumped after every fleet read, so health pages fetch again after a sweep. */
  fleetVersion = $state(0);
  /** The running sweep's progress (total 0 until the first event); null when none runs. */
  sweep = $state<SweepProgress | null>(null);
  /** Bumped after every inventory read, so screens holding their own reads fetch again. */
  version = $state(0);
  form = $state<FormState | null>(null);
  helpOpen = $state(false);
  paletteOpen = $state(false);
  overlays = $state(0);
  toasts = $state<Toast[]>([]);
  theme = $state<ThemeChoice>(loadTheme());
  searchInput = $state<HTMLInputElement | null>(null);

  private readSeq = 0;
  private fleetSeq = 0;
  private toastSeq = 0;
  private toastTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private unlisten: (() => void)[] = [];
  private listening = false;
  private stopped = false;
  private firstPaintSent = false;
  /** The views hold only the first screen's rows (start-up); the whole read follows the first paint. */
  private firstScreenOnly = false;
  private homeChosen = false;
  /** Set while a sweep the user asked for runs, to report its result (scheduled sweeps stay quiet). */
  private userSweep = false;

  constructor(readonly backend: IBackend) {}

  get overlayOpen(): boolean {
    return this.overlays > 0;
  }

  /** Single-key shortcuts: never while typing, with a dialog open, or with modifiers held. */
  shortcutAllowed(e: KeyboardEvent): boolean {
    if (this.overlayOpen || e.ctrlKey || e.metaKey || e.altKey) return false;
    const t = e.target as HTMLElement | null;
    return !(t?.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t?.tagName ?? ''));
  }

  async start(): Promise<void> {
    // Start-up's round trips all go out at once: the status, the event listeners and the first reads.
    // The reads' results (or errors) are used only once the status says the store is healthy.
    const healthy = this.backend.call('app_status', null).then(
      (status) => {
        this.status = status;
        this.storeError = status.store_error;
        if (status.import_path && !this.storeError) {
          this.pendingImport = status.import_path;
          this.navigate({ name: 'wizards' });
        }
        return !this.storeError;
      },
      (err: unknown) => {
        this.storeError = toCoreError(err);
        return false;
      },
    );
    await this.openInventory(healthy);
    // `--demo`: started only once the first screen has painted (see AppStatus.demo_on_start).
    await this.painted;
    if (this.status?.demo_on_start && !this.stopped) await this.startDemo();
  }

  stop(): void {
    this.stopped = true;
    for (const off of this.unlisten) off();
    this.unlisten = [];
    this.listening = false;
    for (const timer of this.toastTimers.values()) clearTimeout(timer);
    this.toastTimers.clear();
  }

  async moveAside(): Promise<void> {
    try {
      this.status = await this.backend.call('store_move_aside', null);
      this.storeError = this.status.store_error;
      if (this.status.moved_aside_to) this.toast('success', `Moved the damaged database to ${this.status.moved_aside_to}.`);
      if (!this.storeError) await this.openInventory();
    } catch (err) {
      this.storeError = toCoreError(err);
    }
  }

  /** Registers the event listeners and reads the inventory, side by side; `healthy` gates using the reads. */
  private async openInventory(healthy: Promise<boolean> = Promise.resolve(true)): Promise<void> {
    const listening = this.listen();
    // No read lands (and so no screen a write can start from) before the listeners are in place.
    const ready = Promise.all([healthy, listening]).then(([ok]) => ok);
    await this.refresh(ready, this.firstPaintSent ? undefined : FIRST_SCREEN_ROWS);
    if (!(await ready)) return;
    if (this.view && !this.firstPaintSent) {
      this.firstPaintSent = true;
      // refresh() has read both the inventory and (when it is home) the fleet, so the home view has its rows.
      await tick();
      // The startup benchmark wants the moment the first rows are on screen, not just in the DOM:
      // a frame callback runs before that frame paints, so report from a task queued after it.
      const frame = globalThis.requestAnimationFrame ?? ((cb: () => void) => setTimeout(cb, 0));
      this.painted = new Promise<void>((painted) =>
        frame(() =>
          setTimeout(() => {
            if (!this.stopped) void this.backend.call('first_paint', null).catch(() => {});
            painted();
          }, 0),
        ),
      );
      await this.painted;
    }
    if (this.firstScreenOnly && !this.stopped) {
      this.firstScreenOnly = false;
      await this.refresh();
    }
  }

  private async listen(): Promise<void> {
    if (this.listening) return;
    this.listening = true;
    try {
      // Registered together: each is an IPC round trip.
      const offs = await Promise.all([
        this.backend.on('inventory-changed', () => void this.refresh()),
        this.backend.on('sweep-progress', (p) => (this.sweep = p)),
        this.backend.on('fleet-updated', (r) => void this.fleetUpdated(r)),
      ]);
      if (this.stopped) for (const off of offs) off();
      else this.unlisten.push(...offs);
    } catch {
      // Without live events the list still re-reads after the UI's own writes.
    }
  }

  /**
   * Reads the inventory (and at start-up the board); with `ready`, a result or error counts only if it
   * resolves true; with `limit`, only that many rows of each (the first screen).
   */
  async refresh(ready?: Promise<boolean>, limit?: number): Promise<void> {
    const seq = ++this.readSeq;
    // At start-up the board is the likely home: read it alongside the inventory, not after it.
    const fleetAlongside = this.homeChosen ? null : this.refreshFleet(ready, limit);
    let view: InventoryView;
    try {
      view = await this.backend.call('inventory_list', { ...$state.snapshot(this.filter), limit });
    } catch (err) {
      if (!ready || (await ready)) this.fail(err, false);
      return;
    }
    if (ready && !(await ready)) return;
    // A slower, older read must not overwrite a newer one (fast typing in search).
    if (seq !== this.readSeq) return;
    this.view = view;
    this.version++;
    if (limit !== undefined && view.commons.length >= limit) this.firstScreenOnly = true;
    if (!this.homeChosen) {
      // The board is home once there is something on it; an empty inventory keeps its teaching empty state.
      this.homeChosen = true;
      if (view.total > 0 && this.route.name === 'commons') this.route = { name: 'fleet' };
    }
    if (fleetAlongside) await fleetAlongside;
    else if (this.view && this.view.total > 0) await this.refreshFleet();
  }

  async refreshFleet(ready?: Promise<boolean>, limit?: number): Promise<void> {
    const seq = ++this.fleetSeq;
    try {
      const fleet = await this.backend.call('fleet_view', { ...$state.snapshot(this.fleetFilter), limit });
      if (ready && !(await ready)) return;
      if (seq !== this.fleetSeq) return;
      if (fleet.rows.length < fleet.matched) this.firstScreenOnly = true;
      this.fleet = fleet;
      this.fleetVersion++;
    } catch (err) {
      if (!ready || (await ready)) this.fail(err, false);
    }
  }

  async startSweep(scope: SweepScope): Promise<void> {
    try {
      await this.backend.call('sweep_start', scope);
      this.userSweep = true;
      // Progress events fill in the numbers; until then the bar shows the sweep has started.
      this.sweep ??= { done: 0, total: 0 };
    } catch (err) {
      this.fail(err, false);
    }
  }

  async cancelSweep(): Promise<void> {
    try {
      await this.backend.call('sweep_cancel', null);
    } catch (err) {
      this.fail(err, false);
    }
  }

  private async fleetUpdated(report: SweepReport): Promise<void> {
    this.sweep = null;
    const asked = this.userSweep;
    this.userSweep = false;
    await this.refreshFleet();
    if (report.cancelled) this.toast('success', 'Sweep cancelled');
    else if (asked) {
      // A check that reached nothing is not a success: say so, and why it may be this computer.
      const missed = report.probed - report.reachable;
      if (report.probed > 0 && report.reachable === 0) {
        this.toast('error', `Could not reach ${report.probed === 1 ? 'the commons' : `any of ${report.probed} commons`} from here.`);
      } else if (missed > 0) {
        this.toast('error', `Checked ${report.probed} commons; ${missed} could not be reached.`);
      } else {
        this.toast('success', `Checked ${report.probed} commons`);
      }
    }
  }

  /** Switches to the simulated demo fleet (its own cache) and shows it. */
  async startDemo(): Promise<void> {
    if (this.demoStarting) return;
    this.demoStarting = true;
    try {
      this.status = await this.backend.call('demo_start', null);
      this.storeError = this.status.store_error;
      if (this.storeError) return;
      this.fleet = null;
      this.route = { name: 'fleet' };
      await this.refresh();
    } catch (err) {
      this.fail(err, false);
    } finally {
      this.demoStarting = false;
    }
  }

  /** Leaves the demo fleet for the user's own inventory, without a restart. */
  async stopDemo(): Promise<void> {
    try {
      this.status = await this.backend.call('demo_stop', null);
      this.storeError = this.status.store_error;
      this.fleet = null;
      this.sweep = null;
      if (this.storeError) return;
      await this.refresh();
      this.route = { name: this.view && this.view.total > 0 ? 'fleet' : 'commons' };
    } catch (err) {
      this.fail(err, false);
    }
  }

  /** The shared answer to a failed call, by error code. */
  fail(err: unknown, refreshOnNotFound = true): void {
    const e = toCoreError(err);
    if (e.code === 'db_corrupt' || e.code === 'db_too_new') {
      this.storeError = e;
      return;
    }
    if (e.code === 'not_found' && refreshOnNotFound) void this.refresh();
    this.toast('error', e.message);
  }

  toast(kind: Toast['kind'], text: string): void {
    // The same words again (a failure repeated at every sweep) keep one toast up longer, not a pile of them.
    const same = this.toasts.find((t) => t.kind === kind && t.text === text);
    const id = same?.id ?? ++this.toastSeq;
    if (!same) this.toasts.push({ id, kind, text });
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.set(id, setTimeout(() => this.dismiss(id), TOAST_MS));
    if (this.toasts.length > MAX_TOASTS) this.dismiss(this.toasts[0].id);
  }

  dismiss(id: number): void {
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.delete(id);
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  navigate(route: Route): void {
    this.homeChosen = true;
    this.route = route;
  }

  async focusSearch(): Promise<void> {
    if (this.route.name !== 'commons' && this.route.name !== 'fleet') {
      this.route = { name: 'commons' };
      await tick();
    }
    this.searchInput?.focus();
  }

  setTheme(choice: ThemeChoice): void {
    this.theme = choice;
    saveTheme(choice);
  }

  followTheme(): () => void {
    return applyTheme(this.theme);
  }

  async exportInventory(): Promise<void> {
    try {
      const path = await this.backend.pickSaveFile('gen3-inventory.json');
      if (!path) return;
      const summary = await this.backend.call('inventory_export', { path });
      this.toast('success', `Exported ${summary.commons} commons to ${summary.path}`);
    } catch (err) {
      this.fail(err);
    }
  }

  async importInventory(): Promise<void> {
    try {
      const path = await this.backend.pickOpenFile();
      if (!path) return;
      const summary = await this.backend.call('inventory_import', { path });
      this.toast('success', `${summary.added} added, ${summary.updated} updated`);
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }
}

const KEY = Symbol('app');

export function setApp(app: AppState): void {
  setContext(KEY, app);
}

export function getApp(): AppState {
  return getContext<AppState>(KEY);
}
