//! The inventory's records as the UI, the CLI and export files see them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Production,
    Staging,
    Dev,
    Other,
}

impl Environment {
    pub const ALL: [Environment; 4] = [Self::Production, Self::Staging, Self::Dev, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Staging => "staging",
            Self::Dev => "dev",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// Whether this CSOC runs the commons or only works with it (a partner's commons, a mesh member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    WeRunIt,
    Associated,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WeRunIt => "we_run_it",
            Self::Associated => "associated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::WeRunIt, Self::Associated].into_iter().find(|r| r.as_str() == s)
    }
}

/// Where the commons is deployed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deployment {
    /// A commons folder in a gen3-gitops clone, e.g. `~/gen3-gitops/unfunded/aids.diseasedatahub.org`.
    Gitops {
        folder: String,
    },
    /// A Helm release reached through a kube context.
    Kube {
        context: String,
        namespace: String,
    },
    Unknown,
}

/// What the user enters for a commons: everything but identity and timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CommonsDraft {
    pub name: String,
    /// A DNS name or an https URL as typed; stored normalized (`https://host[:port]`).
    pub base_url: String,
    pub environment: Environment,
    pub relation: Relation,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub notes: String,
    /// Expected Gen3 release, `YYYY.MM`.
    #[serde(default)]
    pub expected_release: Option<String>,
    pub deployment: Deployment,
    /// Names of the meshes this commons belongs to.
    #[serde(default)]
    pub meshes: Vec<String>,
    /// A private CA (PEM) the commons' TLS certificate chains to, trusted for this commons only.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

impl CommonsDraft {
    /// A draft with what every commons needs; a commons "we run", deployed from an unknown place,
    /// everything else empty.
    pub fn new(name: impl Into<String>, base_url: impl Into<String>, environment: Environment) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.into(),
            environment,
            relation: Relation::WeRunIt,
            owner: String::new(),
            contact: String::new(),
            tags: Vec::new(),
            notes: String::new(),
            expected_release: None,
            deployment: Deployment::Unknown,
            meshes: Vec::new(),
            ca_pem: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Commons {
    pub id: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub draft: CommonsDraft,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

impl Commons {
    /// Hostname (and port, if any) of the normalized base URL, for display and search.
    pub fn host(&self) -> &str {
        let rest = self.draft.base_url.split_once("://").map_or(self.draft.base_url.as_str(), |(_, r)| r);
        rest.trim_end_matches('/')
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Mesh {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Ids of member commons.
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Production first, then by name: the order an operator scans a fleet in.
    #[default]
    Environment,
    Name,
    Host,
    Updated,
    /// The fleet board's: down, degraded, expired, expiring and drifting commons on top (the
    /// inventory list, which has no health, orders it as `Environment`).
    Problems,
}

/// What the fleet board can be narrowed to: a state, or one of its summary's problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BoardProblem {
    Down,
    Degraded,
    Healthy,
    UnreachableHere,
    NeverChecked,
    ServicesDown,
    CertsExpired,
    CertsExpiring,
    KeysExpired,
    KeysExpiring,
    ChecksFailing,
    Drifting,
}

/// A fleet list query. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct InventoryFilter {
    /// Matches name, host, owner, contact, notes and tags, case-insensitively.
    pub search: String,
    pub environment: Option<Environment>,
    pub relation: Option<Relation>,
    pub tag: Option<String>,
    pub mesh: Option<String>,
    pub sort: SortKey,
    /// The board only: commons in this state or with this problem (the inventory list ignores it).
    pub problem: Option<BoardProblem>,
    /// At most this many rows, the first in the order (the window's first screen at start-up, so
    /// it paints before the whole fleet crosses the IPC); totals and counts still cover every match.
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// A field-level validation problem, shown inline next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// How fresh a view's data is. For the inventory, `last_successful` is the last change saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Freshness {
    pub source: String,
    #[ts(type = "number | null")]
    pub last_attempted: Option<i64>,
    #[ts(type = "number | null")]
    pub last_successful: Option<i64>,
    pub last_error: Option<String>,
}

/// A fleet list with what the UI needs to paint it and its filters in one round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InventoryView {
    pub commons: Vec<Commons>,
    /// How many commons the inventory holds before filtering (for "3 of 12").
    pub total: u32,
    pub tags: Vec<String>,
    pub meshes: Vec<Mesh>,
    pub freshness: Freshness,
    /// Unix ms at which this view was read from the cache.
    #[ts(type = "number")]
    pub read_at: i64,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
