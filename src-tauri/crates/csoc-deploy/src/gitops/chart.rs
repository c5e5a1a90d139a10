//! The commons folder's `Chart.yaml`: the wrapper chart named after the hostname.

use super::*;

/// `Chart.yaml` of a commons folder (a wrapper chart named after the hostname).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub(crate) struct ChartMeta {
    pub name: String,
    pub description: String,
    pub version: String,
    pub app_version: String,
    /// The file as read, so its other keys (`apiVersion`, `type`, ...) survive a render.
    #[ts(type = "unknown")]
    #[serde(default)]
    pub document: Option<Value>,
}

impl ChartMeta {
    /// The wrapper chart gen3-gitops gives a new commons: named after its hostname, version 0.1.0.
    pub(crate) fn for_hostname(hostname: &str) -> Self {
        Self {
            name: hostname.to_string(),
            description: format!("{hostname} argo application"),
            version: "0.1.0".to_string(),
            app_version: "1.0".to_string(),
            document: None,
        }
    }

    /// Reads a Chart.yaml document; `file` names it in errors.
    pub(crate) fn from_document(doc: &Value, file: &str) -> CoreResult<Self> {
        require_mapping(doc, file)?;
        let name = text_at(doc, "name");
        if name.is_empty() {
            return Err(CoreError::invalid(format!(
                "{file} has no `name`, which Helm requires of a chart. Add it (the commons' hostname) and import again."
            )));
        }
        Ok(Self {
            name,
            description: text_at(doc, "description"),
            version: text_at(doc, "version"),
            app_version: text_at(doc, "appVersion"),
            document: Some(doc.clone()),
        })
    }

    /// The Chart.yaml document: the imported one with changed fields written in, or a new one.
    pub(crate) fn to_document(&self) -> Value {
        let before = self.document.as_ref().and_then(|doc| Self::from_document(doc, "Chart.yaml").ok());
        match (&self.document, before) {
            (Some(Value::Mapping(root)), Some(before)) => {
                let mut root = root.clone();
                put(&mut root, &["name"], string(&self.name), before.name != self.name);
                put(&mut root, &["description"], string(&self.description), before.description != self.description);
                put(&mut root, &["version"], string(&self.version), before.version != self.version);
                put(&mut root, &["appVersion"], string(&self.app_version), before.app_version != self.app_version);
                Value::Mapping(root)
            }
            _ => mapping(vec![
                ("apiVersion", string("v2")),
                ("name", string(&self.name)),
                ("description", string(&self.description)),
                ("type", string("application")),
                ("version", string(&self.version)),
                ("appVersion", string(&self.app_version)),
            ]),
        }
    }
}
