//! The hub's aggregate metadata service (AggMDS) configuration: its model (unknown keys kept, key
//! order kept), import from a file or from the hub's gen3-helm values, generation for a mesh's
//! members, and writing it back into the values (`metadata.aggMdsConfig` is a JSON string there).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value as YamlValue;
use ts_rs::TS;

use super::{get_path, set_path};
use csoc_deploy::{Finding, Severity};
use csoc_model::error::{CoreError, CoreResult};

/// A JSON value whose objects keep their key order. serde_json's own map sorts keys unless the
/// crate-wide `preserve_order` feature is on, which would reorder every other map in the app; an
/// imported configuration must come back out in the order its author wrote it.
pub(crate) type Json = serde_yaml_ng::Value;

/// The adapters the metadata service registers (`src/mds/agg_mds/adapters.py`).
pub(crate) const KNOWN_ADAPTERS: [&str; 15] = [
    "icpsr",
    "clinicaltrials",
    "pdaps",
    "mps",
    "gen3",
    "drs_indexd",
    "harvard_dataverse",
    "icdc",
    "gdc",
    "cidc",
    "pdc",
    "tcia",
    "pdcsubject",
    "pdcstudy",
    "windbersubject",
];

/// The `_guid_type` the gen3 adapter reads when an adapter's `config` does not say.
pub(crate) const DEFAULT_GUID_TYPE: &str = "discovery_metadata";
/// The record object the gen3 adapter maps when an adapter's `config` does not say.
pub(crate) const DEFAULT_STUDY_FIELD: &str = "gen3_discovery";

/// An AggMDS configuration (`aggregate_config.json`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct AggMdsConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Configuration>,
    /// Commons name → adapter, in the file's order (the hub lists commons in this order).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub adapter_commons: IndexMap<String, AdapterConfig>,
    /// Keys this model does not know (e.g. the legacy `gen3_commons`), kept as they were.
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: IndexMap<String, Json>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Configuration {
    /// Field → type, description, default: types the hub's Elasticsearch fields and gives
    /// defaults to mapped fields a record lacks.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub schema: IndexMap<String, SchemaField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: IndexMap<String, Json>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Settings {
    /// Cache the DRS prefix → commons directory of `drs_indexd_server` (dataguids.org).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_drs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drs_indexd_server: Option<String>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: IndexMap<String, Json>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct SchemaField {
    /// `string` (the service's default), `integer`, `number`, `array`, `object`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "unknown")]
    pub default: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<IndexMap<String, SchemaField>>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: IndexMap<String, Json>,
}

/// One source of the aggregate: a member commons (adapter `gen3`) or another metadata API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AdapterConfig {
    /// For `gen3`, the commons' root with a trailing slash: the adapter appends `mds/metadata`.
    pub mds_url: String,
    /// Shown by the portal as where the data lives (host, as in the upstream sample).
    pub commons_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commons_name: Option<String>,
    pub adapter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<AdapterSettings>,
    /// Adapter-specific selection (e.g. ICPSR `study_ids`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "unknown")]
    pub filters: Option<Json>,
    /// Keep the record's own fields beside the mapped ones (the service's default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_original_fields: Option<bool>,
    /// Only records whose (mapped) field equals this value are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_field: Option<SelectField>,
    /// Hub field → where its value comes from, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_mappings: Option<IndexMap<String, FieldMapping>>,
    /// Filters applied to every mapped field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_field_filters: Option<Vec<String>>,
    /// GUID → field → value, overriding fields of single records after mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "Record<string, Record<string, unknown>> | null")]
    pub per_item_values: Option<IndexMap<String, IndexMap<String, Json>>>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: IndexMap<String, Json>,
}

/// An adapter's `config` object; the gen3 adapter also reads `field_name`, `field_value`,
/// `filters` (a query string), `batchSize` and `maxItems` from it (kept in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct AdapterSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid_type: Option<String>,
    /// The record's object holding the study (`gen3_discovery` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub study_field: Option<String>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: IndexMap<String, Json>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelectField {
    pub field_name: String,
    #[ts(type = "unknown")]
    pub field_value: Json,
}

/// Where a hub field's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum FieldMapping {
    /// `"path:<jsonpath>"`, or a literal text every record gets.
    Text(String),
    /// `{path, filters, filterParams, default}`.
    Detailed(DetailedMapping),
    /// A literal number, list or boolean.
    Literal(#[ts(type = "unknown")] Json),
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct DetailedMapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Applied in order: `strip_html`, `strip_email`, `normalize_value`, `normalize_tags`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<String>>,
    /// Filter name → its parameter (e.g. the value map of `normalize_value`).
    #[serde(rename = "filterParams", default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "Record<string, unknown> | null")]
    pub filter_params: Option<IndexMap<String, Json>>,
    /// Used when the path finds nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "unknown")]
    pub default: Option<Json>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: IndexMap<String, Json>,
}

impl AggMdsConfig {
    /// The schema, empty when the file has none.
    pub fn schema(&self) -> IndexMap<String, SchemaField> {
        self.configuration.as_ref().map(|c| c.schema.clone()).unwrap_or_default()
    }
}

impl AdapterConfig {
    /// The `_guid_type` the gen3 adapter queries.
    pub fn guid_type(&self) -> &str {
        self.config.as_ref().and_then(|c| c.guid_type.as_deref()).unwrap_or(DEFAULT_GUID_TYPE)
    }

    /// The record's object the adapter maps from.
    pub fn study_field(&self) -> &str {
        self.config.as_ref().and_then(|c| c.study_field.as_deref()).unwrap_or(DEFAULT_STUDY_FIELD)
    }
}

/// Reads an AggMDS configuration; `file` names it in errors (with the line and column).
pub fn parse_aggmds(text: &str, file: &str) -> CoreResult<AggMdsConfig> {
    let cfg: AggMdsConfig = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    if cfg.adapter_commons.is_empty() && !cfg.extra.contains_key("gen3_commons") {
        return Err(CoreError::invalid(format!(
            "{file} has no `adapter_commons` (nor legacy `gen3_commons`) section, so it names no commons to \
             aggregate. Is it an AggMDS configuration (aggregate_config.json)?"
        )));
    }
    Ok(cfg)
}

fn json_error(file: &str, e: &serde_json::Error) -> CoreError {
    use serde_json::error::Category;
    let text = e.to_string();
    let detail = text.rsplit_once(" at line ").map_or(text.as_str(), |(d, _)| d);
    let what = match e.classify() {
        Category::Eof => "ends before the JSON is complete (a missing `}` or `]`?)".to_string(),
        Category::Syntax | Category::Io => format!("is not valid JSON here ({detail})"),
        Category::Data => format!("does not have the shape of an AggMDS configuration here ({detail})"),
    };
    CoreError::invalid(format!(
        "{file}, line {}, column {}: the AggMDS configuration {what}. Fix the file and import it again.",
        e.line(),
        e.column()
    ))
}

/// The configuration as pretty JSON (two-space indent), as it goes into `aggMdsConfig`.
pub fn to_json_pretty(cfg: &AggMdsConfig) -> CoreResult<String> {
    serde_json::to_string_pretty(cfg).map_err(|_| {
        CoreError::invalid(
            "The AggMDS configuration holds a value JSON cannot express (a key that is not text); \
             edit that entry and try again.",
        )
    })
}

/// A member commons as the wizard describes it (from the inventory, or an external URL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MeshMemberSpec {
    /// The name the hub lists this commons under.
    pub name: String,
    /// The commons' URL, `https://host[:port]`.
    pub base_url: String,
    /// Where the gen3 adapter reads metadata; the commons' root (`<base_url>/`) when absent.
    #[serde(default)]
    pub mds_url: Option<String>,
    #[serde(default)]
    pub guid_type: Option<String>,
    #[serde(default)]
    pub study_field: Option<String>,
    /// The mappings; [`default_field_mappings`] when absent.
    #[serde(default)]
    pub field_mappings: Option<IndexMap<String, FieldMapping>>,
    #[serde(default)]
    pub select_field: Option<SelectFieldText>,
    #[serde(default)]
    pub keep_original_fields: bool,
}

/// A `select_field` whose value is text (what the wizard offers; imported files keep any value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SelectFieldText {
    pub field_name: String,
    pub field_value: String,
}

/// Choices for a generated configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct GenerateOptions {
    /// Resolve DRS prefixes through dataguids.org's directory.
    #[serde(default)]
    pub cache_drs: bool,
    /// The schema; [`default_schema`] when absent. Mapped fields it lacks are added untyped.
    #[serde(default)]
    pub schema: Option<IndexMap<String, SchemaField>>,
}

fn typed(t: &str) -> SchemaField {
    SchemaField { field_type: Some(t.to_string()), ..SchemaField::default() }
}

/// The upstream sample's schema: typed counts, tags and file manifest.
pub(crate) fn default_schema() -> IndexMap<String, SchemaField> {
    let manifest = SchemaField {
        field_type: Some("array".into()),
        description: Some("an array of file names (usually DRS ids) and their sizes".into()),
        properties: Some(IndexMap::from([
            ("file_name".to_string(), typed("string")),
            ("file_size".to_string(), typed("integer")),
        ])),
        ..SchemaField::default()
    };
    IndexMap::from([
        ("_subjects_count".to_string(), typed("integer")),
        ("__manifest".to_string(), manifest),
        ("tags".to_string(), typed("array")),
    ])
}

/// Mappings for a Gen3 member whose records follow the discovery conventions: the study's id,
/// title, description (HTML removed), tags, authz and subject count, and the member's name.
pub(crate) fn default_field_mappings(member_name: &str) -> IndexMap<String, FieldMapping> {
    let text = |s: &str| FieldMapping::Text(s.to_string());
    IndexMap::from([
        ("_unique_id".to_string(), text("path:_unique_id")),
        ("full_name".to_string(), text("path:project_title")),
        (
            "study_description".to_string(),
            FieldMapping::Detailed(DetailedMapping {
                path: Some("study_description".into()),
                filters: Some(vec!["strip_html".into()]),
                ..DetailedMapping::default()
            }),
        ),
        ("tags".to_string(), text("path:tags")),
        ("authz".to_string(), text("path:authz")),
        (
            "_subjects_count".to_string(),
            FieldMapping::Detailed(DetailedMapping {
                path: Some("_subjects_count".into()),
                default: Some(Json::from(0)),
                ..DetailedMapping::default()
            }),
        ),
        ("commons".to_string(), text(member_name)),
    ])
}

/// The host (and port) of a commons URL, as `commons_url` is written.
fn host_of(base_url: &str) -> CoreResult<String> {
    let url = url::Url::parse(base_url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| CoreError::invalid(format!("“{base_url}” is not a commons URL (https://host).")))?;
    let host = url.host_str().unwrap_or_default();
    Ok(url.port().map_or_else(|| host.to_string(), |p| format!("{host}:{p}")))
}

/// A configuration aggregating these members with the gen3 adapter, in the given order.
pub fn generate(members: &[MeshMemberSpec], opts: &GenerateOptions) -> CoreResult<AggMdsConfig> {
    if members.is_empty() {
        return Err(CoreError::invalid("A mesh needs at least one member commons to aggregate."));
    }
    let mut adapters = IndexMap::new();
    for m in members {
        let name = m.name.trim();
        if name.is_empty() {
            return Err(CoreError::invalid(format!("The member at {} needs a name for the hub to list.", m.base_url)));
        }
        let host = host_of(&m.base_url)?;
        let mds_url = match &m.mds_url {
            Some(u) => {
                host_of(u)?;
                if u.ends_with('/') {
                    u.clone()
                } else {
                    format!("{u}/")
                }
            }
            None => format!("{}/", m.base_url.trim().trim_end_matches('/')),
        };
        let config = AdapterSettings {
            guid_type: Some(m.guid_type.clone().unwrap_or_else(|| DEFAULT_GUID_TYPE.into())),
            study_field: Some(m.study_field.clone().unwrap_or_else(|| DEFAULT_STUDY_FIELD.into())),
            extra: IndexMap::new(),
        };
        let adapter = AdapterConfig {
            mds_url,
            commons_url: host,
            commons_name: None,
            adapter: "gen3".into(),
            config: Some(config),
            filters: None,
            keep_original_fields: Some(m.keep_original_fields),
            select_field: m.select_field.as_ref().map(|s| SelectField {
                field_name: s.field_name.clone(),
                field_value: Json::from(s.field_value.clone()),
            }),
            field_mappings: Some(m.field_mappings.clone().unwrap_or_else(|| default_field_mappings(name))),
            global_field_filters: None,
            per_item_values: None,
            extra: IndexMap::new(),
        };
        if adapters.insert(name.to_string(), adapter).is_some() {
            return Err(CoreError::invalid(format!(
                "Two members are named “{name}”: the hub lists commons by name, so each needs its own."
            )));
        }
    }
    let mut schema = opts.schema.clone().unwrap_or_else(default_schema);
    for field in adapters.values().flat_map(|a| a.field_mappings.iter().flat_map(|m| m.keys())) {
        if !schema.contains_key(field) {
            schema.insert(field.clone(), SchemaField::default());
        }
    }
    Ok(AggMdsConfig {
        configuration: Some(Configuration {
            schema,
            settings: Some(Settings { cache_drs: Some(opts.cache_drs), ..Settings::default() }),
            extra: IndexMap::new(),
        }),
        adapter_commons: adapters,
        extra: IndexMap::new(),
    })
}

/// Problems an operator should see before launching this configuration.
pub(crate) fn check_aggmds(cfg: &AggMdsConfig) -> Vec<Finding> {
    let warn = |code: &str, key: String, message: String| Finding {
        severity: Severity::Warning,
        code: code.into(),
        message,
        file: None,
        key: Some(key),
        acknowledgeable: false,
    };
    let mut out = Vec::new();
    for (name, a) in &cfg.adapter_commons {
        let key = |k: &str| format!("adapter_commons.{name}.{k}");
        if !KNOWN_ADAPTERS.contains(&a.adapter.as_str()) {
            out.push(warn(
                "aggmds_unknown_adapter",
                key("adapter"),
                format!(
                    "“{name}” uses adapter “{}”, which the metadata service does not have: the hub will log an error and \
                     load nothing from it. Known adapters: {}.",
                    a.adapter,
                    KNOWN_ADAPTERS.join(", ")
                ),
            ));
        }
        if a.adapter == "gen3" && a.mds_url.trim_end_matches('/').ends_with("/mds") {
            out.push(warn(
                "aggmds_mds_url_path",
                key("mds_url"),
                format!(
                    "The gen3 adapter appends `mds/metadata` to mds_url, so “{}” would be read at …/mds/mds/metadata. \
                     Give “{name}” the commons' root URL instead.",
                    a.mds_url
                ),
            ));
        }
        if let (Some(select), Some(mappings), Some(false)) =
            (&a.select_field, &a.field_mappings, a.keep_original_fields)
        {
            if !mappings.contains_key(&select.field_name) {
                out.push(warn(
                    "aggmds_select_unmapped",
                    key("select_field"),
                    format!(
                        "“{name}” selects records by `{}`, but that field is not mapped and original fields are not kept, \
                         so no record has it and the hub keeps none.",
                        select.field_name
                    ),
                ));
            }
        }
    }
    out
}

/// The hub's values path of each AggMDS setting.
const METADATA: &str = "metadata";

/// Writes the configuration into the hub's gen3-helm values: the metadata service on, with
/// AggMDS, its namespace, the configuration as JSON text, and `esEndpoint` when given.
pub(crate) fn apply_to_values(
    values: &mut YamlValue,
    cfg: &AggMdsConfig,
    namespace: &str,
    es_endpoint: Option<&str>,
) -> CoreResult<Vec<Finding>> {
    check_namespace(namespace)?;
    let text = to_json_pretty(cfg)?;
    set_path(values, &[METADATA], "enabled", YamlValue::Bool(true))?;
    set_path(values, &[METADATA], "useAggMds", YamlValue::Bool(true))?;
    set_path(values, &[METADATA], "aggMdsNamespace", YamlValue::from(namespace))?;
    set_path(values, &[METADATA], "aggMdsConfig", YamlValue::from(text))?;
    if let Some(es) = es_endpoint.map(str::trim).filter(|e| !e.is_empty()) {
        set_path(values, &[METADATA], "esEndpoint", YamlValue::from(es))?;
    }
    let mut findings = Vec::new();
    let dev = get_path(values, &["global", "dev"]).and_then(YamlValue::as_bool) == Some(true);
    if get_path(values, &[METADATA, "esEndpoint"]).is_none() && !dev {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "aggmds_es_endpoint".into(),
            message: "AggMDS stores the mesh's records in Elasticsearch, and metadata.esEndpoint is not set: the \
                      chart then uses the in-cluster gen3-elasticsearch-master, which only exists with global.dev. \
                      Set the hub's Elasticsearch endpoint (e.g. the aws-es-proxy service)."
                .into(),
            file: None,
            key: Some("metadata.esEndpoint".into()),
            acknowledgeable: false,
        });
    }
    if cfg.adapter_commons.is_empty() {
        findings.push(Finding {
            severity: Severity::Error,
            code: "aggmds_no_members".into(),
            message: "The AggMDS configuration names no commons in adapter_commons: the hub would aggregate nothing. \
                      Add the mesh's members."
                .into(),
            file: None,
            key: Some("metadata.aggMdsConfig".into()),
            acknowledgeable: false,
        });
    }
    findings.extend(check_aggmds(cfg));
    Ok(findings)
}

/// The namespace prefixes the hub's Elasticsearch indices (`<namespace>-commons-index`), so it
/// must be a valid lowercase index name.
fn check_namespace(namespace: &str) -> CoreResult<()> {
    let ok = !namespace.is_empty()
        && namespace.len() <= 200
        && !namespace.starts_with(['-', '_', '+', '.'])
        && namespace.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(format!(
            "“{namespace}” cannot be an AggMDS namespace: it names the hub's Elasticsearch indices, so use lowercase \
             letters, digits, `-`, `_` or `.`, not starting with `-`, `_`, `+` or `.`."
        )))
    }
}
