//! Configure and launch a commons: the wizard's answers, the gen3-helm / gen3-gitops / legacy
//! cloud-automation files they become, the checks those files must pass, and the launch paths
//! (a GitOps commit or the operator's own `helm`). `path_grants` holds the paths and destination
//! folders the window may pass to them.

pub mod answers;
pub mod catalog;
pub mod chart_model;
pub mod check;
pub mod cli;
pub mod dictionary;
pub mod drafts;
pub mod findings;
pub mod generate;
pub mod git_launch;
pub mod gitops;
pub mod helm_launch;
pub mod import;
pub mod import_report;
pub(crate) mod in_place;
pub(crate) mod landing;
pub mod launch;
pub mod manifest;
pub mod output;
pub mod path_grants;
pub mod rendered;
pub mod rendered_view;
pub(crate) mod repo_apps;
pub mod review;
pub mod user_yaml;
pub(crate) mod values_model;
pub mod watch;
pub mod yaml;
pub(crate) mod yaml_edit;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One file the wizard writes, with its path relative to the destination root (the gitops clone,
/// or the output folder of `commons render`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Shown in the review list; does not block a launch.
    Warning,
    /// Blocks a launch unless `acknowledgeable` and acknowledged by the operator.
    Error,
}

/// One problem found in generated or imported configuration, in words for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier (`mock_auth`, `unknown_key`, `policy_missing_role`, ...), used to
    /// acknowledge a finding and by tests.
    pub code: String,
    /// What is wrong, why it matters and what to do.
    pub message: String,
    /// The file (relative path, e.g. `values/values.yaml`, `user.yaml`) the finding is about.
    pub file: Option<String>,
    /// Dotted key path within that file (`global.dev`, `fence.FENCE_CONFIG.MOCK_AUTH`).
    pub key: Option<String>,
    /// Production security findings are errors the operator may acknowledge to go on; other
    /// errors must be fixed.
    pub acknowledgeable: bool,
}

// Tests of the formats, checks and launch paths that reach into this crate's own modules.
#[cfg(test)]
mod tests;
