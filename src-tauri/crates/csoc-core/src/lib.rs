//! Gen3 CSOC Desktop core: everything the app does, with no dependency on Tauri, so it is tested
//! without a window and shared by the window and the headless subcommands.

pub mod activity;
pub mod api;
pub mod bindings;
pub mod cli;
mod command_names;
pub mod credentials;
pub mod dates;
pub mod demo;
mod demo_history;
pub mod deploy;
pub mod diagnostics;
pub mod display_text;
pub mod error;
pub mod gen3;
pub mod inventory;
pub mod keys;
mod log_file;
pub mod logging;
pub mod mesh;
pub mod metrics;
pub mod model;
pub mod monitor;
pub mod operator_files;
pub mod path_grants;
pub mod paths;
pub mod secret;
pub mod store;
pub mod team;
pub mod transfer;
pub mod usecases;
pub mod validate;
pub mod vault;
pub mod webhooks;
