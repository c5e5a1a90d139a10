//! The cluster-level `<cluster>/cluster-values/cluster-values.yaml` (gen3-helm
//! `cluster-level-resources`) and the add-ons it turns on.

use super::*;

/// The cluster-level `cluster-values.yaml` (gen3-helm `cluster-level-resources`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClusterValues {
    pub cluster: String,
    pub project: String,
    pub account_number: String,
    /// Every top-level block with an `enabled` switch (`karpenter`, `external-secrets`, ...).
    pub addons: Vec<ClusterAddon>,
    /// The file as read, so the settings not modelled here survive a render.
    #[ts(type = "unknown")]
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClusterAddon {
    pub name: String,
    pub enabled: bool,
    /// The add-on's chart version where the file pins one (`external-secrets` `0.16.2`).
    pub target_revision: Option<String>,
}

impl ClusterValues {
    /// Reads a `cluster-values.yaml` file.
    pub fn read(path: &Path) -> CoreResult<Self> {
        let text = read_config_file(path)?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Parses cluster-values YAML; `file` names it in errors.
    pub(crate) fn from_yaml(text: &str, file: &str) -> CoreResult<Self> {
        Self::from_document(parse_yaml_mapping(text, file)?, file)
    }

    fn from_document(document: Value, file: &str) -> CoreResult<Self> {
        let cluster = text_at(&document, "cluster");
        if cluster.is_empty() {
            return Err(CoreError::invalid(format!(
                "{file} has no `cluster` key, so it is not a gen3-gitops cluster-values file (those start with \
                 cluster, project and accountNumber). Check that this is the right file."
            )));
        }
        Ok(Self {
            cluster,
            project: text_at(&document, "project"),
            account_number: text_at(&document, "accountNumber"),
            addons: addons_of(&document),
            document,
        })
    }
}

fn addons_of(document: &Value) -> Vec<ClusterAddon> {
    let Some(map) = document.as_mapping() else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(name, block)| {
            let enabled = block.get("enabled")?.as_bool()?;
            Some(ClusterAddon {
                name: name.as_str()?.to_string(),
                enabled,
                target_revision: block.get("targetRevision").and_then(scalar_text),
            })
        })
        .collect()
}
