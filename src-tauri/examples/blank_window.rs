//! The start-up benchmark's baseline: the same build, configuration and window as the app, but the
//! window loads `blank.html` (a page that only reports it painted) instead of the fleet list.

use std::time::Instant;

fn main() {
    let started = Instant::now();
    let mut context = tauri::generate_context!();
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::App("blank.html".into());
    }
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![first_paint])
        .manage(started)
        .run(context)
        .expect("blank window failed");
}

#[tauri::command]
fn first_paint(started: tauri::State<'_, Instant>) {
    gen3_csoc_shell::report_first_paint(*started);
}
