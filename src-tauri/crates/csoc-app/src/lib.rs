//! Gen3 CSOC Desktop's use cases: the command surface (`api`) the window and the headless CLI both
//! call, the CLI itself, the demo, diagnostics, logging and `serve --metrics`. No dependency on
//! Tauri, so everything is tested without a window.
//!
//! The rooms below this crate are re-exported under their old module names, so the shell (and the
//! modules here) reach every room through one dependency: `csoc_app::inventory` is
//! `csoc_store::inventory`. The layering between the rooms is their own manifests' business.

pub mod api;
pub mod bindings;
pub mod cli;
mod command_names;
pub mod demo;
mod demo_history;
pub mod diagnostics;
mod log_file;
pub mod logging;
pub mod metrics;
pub mod usecases;

pub use csoc_deploy as deploy;
pub use csoc_deploy::path_grants;
pub use csoc_gen3 as gen3;
pub use csoc_mesh as mesh;
pub use csoc_model::{credentials, dates, display_text, error, model, operator_files, paths, secret, validate};
pub use csoc_monitor as monitor;
pub use csoc_monitor::webhooks;
pub use csoc_store as store;
pub use csoc_store::{activity, inventory, transfer};
pub use csoc_team as team;
pub use csoc_vault as vault;
pub use csoc_vault::keys;
