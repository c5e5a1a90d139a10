//! What the operator answers in the commons wizard, one struct per step. The same struct is the
//! draft saved after every step, the answers file of `gen3-csoc commons render`, and what an
//! imported commons becomes, so every path into the wizard ends in the same generator.
//! It holds secret *names* and never secret values: client secrets go to the vault.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::user_yaml::UserYamlSpec;
use csoc_model::model::Environment;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CommonsAnswers {
    pub destination: Destination,
    pub identity: Identity,
    pub database: Database,
    /// gen3-helm subchart names to enable (the catalog's names, e.g. `fence`, `guppy`).
    pub services: Vec<String>,
    pub login: Login,
    pub authorization: Authorization,
    pub settings: ServiceSettings,
    /// Also write a legacy cloud-automation `manifest.json` beside the values.
    pub legacy_manifest: bool,
    /// Codes of production security findings the operator acknowledged in the review.
    pub acknowledged: Vec<String>,
    /// What an imported commons carried beyond these answers; the generator starts from it so a
    /// re-launch changes only what the operator edited.
    pub base: Option<ImportedBase>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// A local clone of the operator's gen3-gitops repository; Argo CD deploys what is pushed.
    Gitops(GitopsDestination),
    /// The operator's own `helm upgrade --install` against a kube context.
    Helm(HelmDestination),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct GitopsDestination {
    /// Path of the local clone.
    pub repo_path: String,
    /// Folder of the cluster inside the repository (`unfunded`, `bihprod`); the commons folder is
    /// `<cluster_folder>/<hostname>`.
    pub cluster_folder: String,
    /// Argo CD project of the Application.
    pub argo_project: String,
    /// Destination namespace in the cluster.
    pub namespace: String,
    pub release_name: String,
    /// URL Argo CD reads the values from (the `ref: values` source).
    pub values_repo_url: String,
    /// gen3-helm branch or tag Argo CD renders; empty: what the repository's other Applications
    /// track (`master`, upstream's, when there are none).
    pub chart_revision: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HelmDestination {
    /// Empty: helm's current context.
    pub kube_context: String,
    pub namespace: String,
    pub release_name: String,
    /// Empty: the newest gen3 chart.
    pub chart_version: String,
    /// Folder the values and user.yaml are written to before helm reads them.
    pub output_dir: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Identity {
    /// Name in the inventory.
    pub name: String,
    pub hostname: String,
    pub environment: Environment,
    /// `YYYY.MM`: every service image follows this monthly release tag.
    pub release: String,
    /// AWS ACM certificate ARN for revproxy's load balancer; empty when TLS is set up otherwise.
    pub revproxy_arn: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseMode {
    /// In-chart PostgreSQL and Elasticsearch (`global.dev: true`).
    Dev,
    /// An external PostgreSQL (e.g. Aurora); credentials come from a named secret.
    External,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Database {
    pub mode: DatabaseMode,
    pub host: String,
    pub port: u16,
    pub username: String,
    /// Name of the secret (AWS Secrets Manager / External Secret) holding the master password.
    pub password_secret_name: String,
    /// Render ExternalSecret resources (`global.externalSecrets.deploy`).
    pub external_secrets: bool,
    pub aws_region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Google,
    /// Any OpenID Connect provider, configured from its discovery URL.
    GenericOidc,
    /// Another Fence (a hub commons) as the identity provider.
    Fence,
    /// NIH Researcher Auth Service.
    Ras,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct LoginProvider {
    pub kind: ProviderKind,
    /// Key under `OPENID_CONNECT` and in the login options (`google`, `fence`, `ras`, or a name for
    /// a generic provider).
    pub idp: String,
    /// Label on the login button.
    pub label: String,
    pub client_id: String,
    /// Generic OIDC and RAS: the provider's `.well-known/openid-configuration` URL.
    pub discovery_url: String,
    /// Fence as IdP: the hub's `https://<hub>/user`.
    pub api_base_url: String,
    /// A client secret for this provider is in the vault (the value never leaves it).
    pub secret_stored: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Login {
    pub providers: Vec<LoginProvider>,
    /// `idp` of the default login option; empty: the first provider.
    pub default_idp: String,
    /// Mock login (`MOCK_AUTH`/`MOCK_GOOGLE_AUTH`): for dev commons only.
    pub mock_login: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Authorization {
    pub spec: UserYamlSpec,
    /// The operator's own user.yaml text; when set it is used instead of the structured spec.
    pub raw: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GuppyIndex {
    pub index: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ServiceSettings {
    /// GUID prefix indexd mints (`dg.XXXX/`).
    pub indexd_prefix: String,
    pub dictionary_url: String,
    /// `gitops` for a configured portal, `dev` for the default.
    pub portal_app: String,
    pub guppy_indices: Vec<GuppyIndex>,
    pub guppy_config_index: String,
}

/// The parts of an imported commons the answers do not model: the merged values and how they were
/// split across files, the Argo CD Application and chart metadata, and what a legacy manifest
/// carried that Helm values do not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportedBase {
    /// Merged Helm values, as JSON (YAML values are JSON-compatible here).
    #[ts(type = "unknown")]
    pub values: serde_json::Value,
    /// Names of the split values files in the order Argo CD reads them (`values.yaml` first).
    pub split_files: Vec<String>,
    /// Repo-relative folder the commons came from.
    pub folder: String,
    #[ts(type = "unknown")]
    pub app: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub chart: Option<serde_json::Value>,
    /// Legacy manifest blocks with no Helm home (sower, hatchery, canary...), kept for manifest.json.
    #[ts(type = "unknown")]
    pub legacy: Option<serde_json::Value>,
    /// Every file as it was read, so that writing the commons again edits these texts in place:
    /// unchanged files keep every byte, and an edit changes only its own lines.
    #[serde(default)]
    pub sources: Vec<SourceFile>,
}

/// A file of an imported commons as it was read; `path` is relative to the destination root, as
/// the generated file that replaces it will be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl ImportedBase {
    /// The text `path` had when it was imported.
    pub(crate) fn source(&self, path: &str) -> Option<&str> {
        self.sources.iter().find(|s| s.path == path).map(|s| s.text.as_str())
    }
}

impl Default for Destination {
    fn default() -> Self {
        Destination::Gitops(GitopsDestination::default())
    }
}

impl Default for GitopsDestination {
    fn default() -> Self {
        Self {
            repo_path: String::new(),
            cluster_folder: String::new(),
            argo_project: "default".into(),
            namespace: String::new(),
            release_name: String::new(),
            values_repo_url: String::new(),
            chart_revision: String::new(),
        }
    }
}

impl Default for HelmDestination {
    fn default() -> Self {
        Self {
            kube_context: String::new(),
            namespace: String::new(),
            release_name: "gen3".into(),
            chart_version: String::new(),
            output_dir: String::new(),
        }
    }
}

impl Default for Identity {
    fn default() -> Self {
        Self {
            name: String::new(),
            hostname: String::new(),
            environment: Environment::Dev,
            release: String::new(),
            revproxy_arn: String::new(),
        }
    }
}

impl Default for Database {
    fn default() -> Self {
        Self {
            mode: DatabaseMode::Dev,
            host: String::new(),
            port: 5432,
            username: "postgres".into(),
            password_secret_name: String::new(),
            external_secrets: false,
            aws_region: "us-east-1".into(),
        }
    }
}

impl Default for LoginProvider {
    fn default() -> Self {
        Self {
            kind: ProviderKind::Google,
            idp: "google".into(),
            label: "Google".into(),
            client_id: String::new(),
            discovery_url: String::new(),
            api_base_url: String::new(),
            secret_stored: false,
        }
    }
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            indexd_prefix: String::new(),
            dictionary_url: DEFAULT_DICTIONARY_URL.into(),
            portal_app: "gitops".into(),
            guppy_indices: Vec::new(),
            guppy_config_index: String::new(),
        }
    }
}

/// The values file a Helm destination writes (and a lone imported values file is kept as).
pub(crate) const HELM_VALUES_FILE: &str = "values.yaml";

/// gen3-helm's default `global.dictionaryUrl`.
pub(crate) const DEFAULT_DICTIONARY_URL: &str =
    "https://s3.amazonaws.com/dictionary-artifacts/datadictionary/develop/schema.json";

impl CommonsAnswers {
    /// The repo-relative folder a GitOps destination writes the commons into.
    pub fn gitops_folder(&self) -> Option<String> {
        match &self.destination {
            Destination::Gitops(g) => {
                let host = self.identity.hostname.trim();
                // An imported folder stays where it is (its name need not be the hostname) until
                // the hostname changes.
                let imported = self.base.as_ref().filter(|b| {
                    !b.folder.is_empty()
                        && b.values.pointer("/global/hostname").and_then(|h| h.as_str()).unwrap_or("").trim() == host
                });
                if let Some(base) = imported {
                    return Some(base.folder.clone());
                }
                let cluster = g.cluster_folder.trim().trim_matches('/');
                Some(if cluster.is_empty() { host.to_string() } else { format!("{cluster}/{host}") })
            }
            Destination::Helm(_) => None,
        }
    }
}
