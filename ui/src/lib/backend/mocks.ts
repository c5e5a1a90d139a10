// Tauri's IPC mocks for the UI tests (src/testing/backend.ts), kept here so that only this folder
// imports @tauri-apps: the fake backend sits behind the same IPC the app uses.
export { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
export { emit } from '@tauri-apps/api/event';

/** Runs a callback the IPC registered (what Tauri does to deliver an event to a listener). */
export function runCallback(id: number, data: unknown): void {
  (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } }).__TAURI_INTERNALS__.runCallback(id, data);
}
