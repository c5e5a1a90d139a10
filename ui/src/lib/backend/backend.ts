import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { CommandName, Commands, CoreError, ErrorCode, Events } from './bindings';

export type * from './bindings';

/** Everything the UI may ask of the Rust side. The UI talks to nothing else. */
export interface IBackend {
  call<K extends CommandName>(name: K, request: Commands[K]['request']): Promise<Commands[K]['response']>;
  on<E extends keyof Events>(event: E, handler: (payload: Events[E]) => void): Promise<() => void>;
  /**
   * A file to open: an inventory file, a credentials.json with `kind: 'credentials'`, or a commons'
   * manifest.json / values.yaml with `kind: 'deployment'`, an AggMDS configuration with `kind: 'aggmds'`.
   */
  pickOpenFile(kind?: FileKind): Promise<string | null>;
  /** Where to save a file: an inventory export by default, or the activity log or a diagnostics zip. */
  pickSaveFile(defaultName: string, kind?: SaveKind): Promise<string | null>;
  /**
   * A folder on disk (a gen3-gitops clone, an output folder, a commons folder to import), the dialog
   * opening at `defaultPath` when given (a typed path the backend will read only once it is chosen).
   */
  pickFolder(title?: string, defaultPath?: string): Promise<string | null>;
  /**
   * Files dropped onto the window (paths on disk). `onHover` hears whether something is being dragged
   * over the window, for a drop overlay. Resolves to the unlisten function.
   */
  onFileDrop(handler: (paths: string[]) => void, onHover?: (over: boolean) => void): Promise<() => void>;
  /** Opens an https address (a pull request) in the desktop's browser; the capability allows nothing else. */
  openInBrowser(url: string): Promise<void>;
}

export type FileKind = 'inventory' | 'credentials' | 'deployment' | 'aggmds';
export type SaveKind = 'inventory' | 'activity' | 'diagnostics';

// A record, not a list, so adding a code in Rust fails the type check here until it is listed:
// an unlisted code would be shown as the generic error.
const KNOWN_CODES: Record<ErrorCode, true> = {
  invalid: true,
  not_found: true,
  conflict: true,
  db_too_new: true,
  db_corrupt: true,
  db_unavailable: true,
  io: true,
  keyring_unavailable: true,
  vault_locked: true,
  unreachable: true,
  tls: true,
  unauthorized: true,
  key_expired: true,
  key_rejected: true,
  key_set_aside: true,
  not_gen3: true,
  malformed_response: true,
  tool_missing: true,
  tool_failed: true,
};
const ERROR_CODES = Object.keys(KNOWN_CODES) as readonly string[];

export const GENERIC_ERROR: CoreError = {
  code: 'io',
  message: "Something went wrong talking to the app's backend.",
};

function isCoreError(value: unknown): value is CoreError {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && ERROR_CODES.includes(code as ErrorCode);
}

/** Raw rejections (plugin strings, JS errors with stacks) must never reach the screen. */
export function toCoreError(value: unknown): CoreError {
  return isCoreError(value) ? { code: value.code, message: value.message } : GENERIC_ERROR;
}

const FILTERS: Record<FileKind, { name: string; extensions: string[] }[]> = {
  inventory: [{ name: 'Inventory (JSON)', extensions: ['json'] }],
  credentials: [{ name: 'credentials.json', extensions: ['json'] }],
  deployment: [{ name: 'manifest.json or values.yaml', extensions: ['json', 'yaml', 'yml'] }],
  aggmds: [{ name: 'AggMDS configuration (JSON)', extensions: ['json'] }],
};
const SAVE_FILTERS: Record<SaveKind, { name: string; extensions: string[] }[]> = {
  inventory: FILTERS.inventory,
  activity: [{ name: 'Activity log (JSON Lines)', extensions: ['jsonl'] }],
  diagnostics: [{ name: 'Diagnostics (zip)', extensions: ['zip'] }],
};

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toCoreError(err);
  }
}

export const tauriBackend: IBackend = {
  call(name, request) {
    // Every Rust command takes one argument named `request`, or none when its request type is null.
    return guarded(() => invoke(name, request === null ? {} : { request }));
  },
  on(event, handler) {
    return guarded(() => listen<Events[typeof event]>(event, (e) => handler(e.payload)));
  },
  pickOpenFile(kind = 'inventory') {
    return guarded(async () => {
      // The dialog plugin and the webview API load on first use, outside the start-up bundle.
      const { open } = await import('@tauri-apps/plugin-dialog');
      const picked = await open({ multiple: false, directory: false, filters: FILTERS[kind] });
      return typeof picked === 'string' ? picked : null;
    });
  },
  pickSaveFile(defaultName, kind = 'inventory') {
    return guarded(async () => {
      const { save } = await import('@tauri-apps/plugin-dialog');
      return save({ defaultPath: defaultName, filters: SAVE_FILTERS[kind] });
    });
  },
  pickFolder(title, defaultPath) {
    return guarded(async () => {
      const { open } = await import('@tauri-apps/plugin-dialog');
      const picked = await open({ multiple: false, directory: true, title, defaultPath: defaultPath?.trim() || undefined });
      return typeof picked === 'string' ? picked : null;
    });
  },
  onFileDrop(handler, onHover) {
    return guarded(async () => {
      const { getCurrentWebview } = await import('@tauri-apps/api/webview');
      const unlisten = await getCurrentWebview().onDragDropEvent((event) => {
        const p = event.payload;
        if (p.type === 'enter' || p.type === 'over') onHover?.(true);
        else if (p.type === 'leave') onHover?.(false);
        else if (p.type === 'drop') {
          onHover?.(false);
          if (p.paths.length > 0) handler(p.paths);
        }
      });
      return () => void unlisten();
    });
  },
  openInBrowser(url) {
    // The opener plugin's own command (its JS wrapper would add a package for one call).
    return guarded(() => invoke('plugin:opener|open_url', { url }));
  },
};
