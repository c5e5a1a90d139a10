// Tauri's IPC mocks for the UI tests (src/testing/backend.ts), kept here so that only this folder
// imports @tauri-apps: the fake backend sits behind the same IPC the app uses.
export { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
export { emit } from '@tauri-apps/api/event';
