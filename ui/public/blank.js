// The start-up benchmark's baseline page (src-tauri/examples/blank_window.rs): report the first
// frame and nothing else. Uses Tauri's internal IPC directly so no bundle is loaded.
requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("first_paint"));
