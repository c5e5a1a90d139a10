//! Gen3 CSOC Desktop core: everything the app does, with no dependency on Tauri, so it is tested
//! without a window and shared by the window and the headless subcommands.

pub mod api;
pub mod bindings;
pub mod cli;
mod command_names;
pub mod error;
pub mod inventory;
pub mod logging;
pub mod model;
pub mod paths;
pub mod store;
pub mod transfer;
pub mod validate;
