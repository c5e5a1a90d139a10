import { getContext, setContext, tick } from 'svelte';
import { toCoreError } from './backend/backend';
import type { AppStatus, Commons, CoreError, IBackend, InventoryFilter, InventoryView } from './backend/backend';
import { applyTheme, loadTheme, saveTheme, type ThemeChoice } from './theme';

export type Route =
  | { name: 'commons' }
  | { name: 'detail'; id: string }
  | { name: 'meshes' }
  | { name: 'credentials'; focusImport?: boolean }
  | { name: 'settings' };

export type FormState = { mode: 'create' } | { mode: 'edit'; commons: Commons };

export type Toast = { id: number; kind: 'success' | 'error'; text: string };

export function defaultFilter(): InventoryFilter {
  return { search: '', environment: null, relation: null, tag: null, mesh: null, sort: 'environment' };
}

const TOAST_MS = 6000;

/** The state every screen shares; one instance per mounted app, handed down by context. */
export class AppState {
  status = $state<AppStatus | null>(null);
  storeError = $state<CoreError | null>(null);
  route = $state<Route>({ name: 'commons' });
  filter = $state<InventoryFilter>(defaultFilter());
  view = $state<InventoryView | null>(null);
  /** Bumped after every inventory read, so screens holding their own reads fetch again. */
  version = $state(0);
  form = $state<FormState | null>(null);
  helpOpen = $state(false);
  overlays = $state(0);
  toasts = $state<Toast[]>([]);
  theme = $state<ThemeChoice>(loadTheme());
  searchInput = $state<HTMLInputElement | null>(null);

  private readSeq = 0;
  private toastSeq = 0;
  private unlisten: (() => void) | null = null;
  private firstPaintSent = false;

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
    try {
      this.status = await this.backend.call('app_status', null);
      this.storeError = this.status.store_error;
    } catch (err) {
      this.storeError = toCoreError(err);
    }
    if (!this.storeError) await this.openInventory();
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
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

  private async openInventory(): Promise<void> {
    if (!this.unlisten) {
      try {
        this.unlisten = await this.backend.on('inventory-changed', () => void this.refresh());
      } catch {
        // Without live events the list still re-reads after the UI's own writes.
      }
    }
    await this.refresh();
    if (this.view && !this.firstPaintSent) {
      this.firstPaintSent = true;
      await tick();
      // The startup benchmark wants the moment the first list is on screen, not just in the DOM.
      const frame = globalThis.requestAnimationFrame ?? ((cb: () => void) => setTimeout(cb, 0));
      frame(() => void this.backend.call('first_paint', null).catch(() => {}));
    }
  }

  async refresh(): Promise<void> {
    const seq = ++this.readSeq;
    try {
      const view = await this.backend.call('inventory_list', $state.snapshot(this.filter));
      // A slower, older read must not overwrite a newer one (fast typing in search).
      if (seq !== this.readSeq) return;
      this.view = view;
      this.version++;
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
    const id = ++this.toastSeq;
    this.toasts.push({ id, kind, text });
    setTimeout(() => this.dismiss(id), TOAST_MS);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  navigate(route: Route): void {
    this.route = route;
  }

  async focusSearch(): Promise<void> {
    if (this.route.name !== 'commons') {
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
