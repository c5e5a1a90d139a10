// No console window on Windows release builds; the headless subcommands still print when run from one.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use csoc_app::cli::Cli;
use csoc_app::paths::AppPaths;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let paths = AppPaths::resolve(cli.data_dir.clone());
    let _log_guard = csoc_app::logging::init(&paths.log_dir);
    match cli.command {
        Some(command) => {
            let mut stdout = std::io::stdout().lock();
            match csoc_app::cli::run(&command, &paths, &mut stdout) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {}", err.message);
                    ExitCode::FAILURE
                }
            }
        }
        None if !gen3_csoc_shell::has_display() => {
            eprintln!(
                "gen3-csoc: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot \
                 open.\nThe headless subcommands work here, e.g. `gen3-csoc inventory list`; see `gen3-csoc --help`.\n\
                 To run the window on a server, start it under Xvfb: `xvfb-run gen3-csoc`."
            );
            ExitCode::from(2)
        }
        None => {
            gen3_csoc_shell::run(paths, cli.demo, cli.import);
            ExitCode::SUCCESS
        }
    }
}
