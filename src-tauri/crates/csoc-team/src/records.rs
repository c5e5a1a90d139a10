//! The inventory as the team repository holds it: one readable YAML file per commons
//! (`commons/<host>.yaml`) and per mesh (`meshes/<name>.yaml`), inventory fields only (the same
//! records an export holds; secrets live in the vault and are not inventory fields).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::merge::Fields;
use csoc_model::display_text::shown;
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::{CommonsDraft, InventoryFilter};
use csoc_model::validate::validate_draft;
use csoc_store::Store;

/// A commons file is a few kilobytes (a private CA is the largest field).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Commons,
    Mesh,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Commons => "commons",
            Kind::Mesh => "mesh",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Kind> {
        [Kind::Commons, Kind::Mesh].into_iter().find(|k| k.as_str() == s)
    }

    fn folder(self) -> &'static str {
        match self {
            Kind::Commons => "commons",
            Kind::Mesh => "meshes",
        }
    }
}

/// Records of one side by kind and key (a commons' id, a mesh's name).
pub(crate) type Records = BTreeMap<(Kind, String), Fields>;
/// The file each record of the repository came from, relative to the inventory folder.
pub(crate) type Files = BTreeMap<(Kind, String), PathBuf>;

#[derive(Serialize, Deserialize)]
struct CommonsFile {
    id: String,
    #[serde(flatten)]
    draft: CommonsDraft,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeshFile {
    name: String,
    #[serde(default)]
    description: String,
}

/// This inventory's records.
pub(crate) fn local(store: &Store) -> CoreResult<Records> {
    let view = csoc_store::inventory::list(store, &InventoryFilter::default())?;
    let mut out = Records::new();
    for c in view.commons {
        out.insert((Kind::Commons, c.id), commons_fields(&c.draft));
    }
    for m in view.meshes {
        out.insert((Kind::Mesh, m.name), mesh_fields(&m.description));
    }
    Ok(out)
}

pub(crate) fn commons_fields(draft: &CommonsDraft) -> Fields {
    match serde_json::to_value(draft).expect("draft serializes") {
        serde_json::Value::Object(map) => map.into_iter().collect(),
        _ => unreachable!("a struct serializes as an object"),
    }
}

fn mesh_fields(description: &str) -> Fields {
    [("description".to_string(), serde_json::Value::String(description.to_string()))].into()
}

/// A commons draft from merged fields, validated (and normalized) as any write is.
pub(crate) fn commons_draft(fields: &Fields, file: &str) -> CoreResult<CommonsDraft> {
    let value = serde_json::Value::Object(fields.clone().into_iter().collect());
    let draft: CommonsDraft = serde_json::from_value(value)
        .map_err(|e| CoreError::invalid(format!("{file} is not a commons record: {}", shown(&e.to_string(), 300))))?;
    validate_draft(&draft).map_err(|errors| {
        let text: Vec<String> = errors.into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        CoreError::invalid(format!("{file} does not hold a valid commons: {}", shown(&text.join(" "), 1000)))
    })
}

pub(crate) fn mesh_description(fields: &Fields) -> String {
    fields.get("description").and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

/// A record's name for people: the commons' name and host, or the mesh's name.
pub(crate) fn label(kind: Kind, key: &str, fields: Option<&Fields>) -> String {
    let text = |f: &str| fields.and_then(|r| r.get(f)).and_then(|v| v.as_str()).map(str::to_string);
    match (kind, text("name"), text("base_url")) {
        (Kind::Commons, Some(name), Some(url)) => {
            format!("{name} ({})", url.split_once("://").map_or(url.as_str(), |(_, h)| h))
        }
        (Kind::Commons, Some(name), None) => name,
        (Kind::Commons, None, _) => format!("commons {key}"),
        (Kind::Mesh, ..) => format!("mesh {key}"),
    }
}

/// The records in the repository's inventory folder, with the file each came from (relative to it).
pub(crate) fn read_folder(folder: &Path) -> CoreResult<(Records, Files)> {
    let mut records = Records::new();
    let mut paths = BTreeMap::new();
    for kind in [Kind::Commons, Kind::Mesh] {
        let dir = folder.join(kind.folder());
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(CoreError::io("read", &dir, &e)),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        for path in files {
            let rel = PathBuf::from(kind.folder()).join(path.file_name().expect("a file name"));
            let shown_name = rel.display().to_string();
            let text = csoc_model::operator_files::read_text(&path, MAX_FILE_BYTES, "team inventory file")?;
            csoc_model::operator_files::check_nesting(&text, &shown_name)?;
            let bad = |e: serde_yaml_ng::Error| {
                CoreError::invalid(format!(
                    "{shown_name} in the team repository cannot be read: {}. Fix it there (or revert the commit \
                     that changed it) and sync again; nothing was changed here.",
                    shown(&e.to_string(), 300)
                ))
            };
            let (key, fields) = match kind {
                Kind::Commons => {
                    let file: CommonsFile = serde_yaml_ng::from_str(&text).map_err(bad)?;
                    let draft = commons_draft(&commons_fields(&file.draft), &shown_name)?;
                    (file.id, commons_fields(&draft))
                }
                Kind::Mesh => {
                    let file: MeshFile = serde_yaml_ng::from_str(&text).map_err(bad)?;
                    (file.name, mesh_fields(&file.description))
                }
            };
            if key.trim().is_empty() {
                return Err(CoreError::invalid(format!("{shown_name} in the team repository has no id.")));
            }
            if records.insert((kind, key.clone()), fields).is_some() {
                return Err(CoreError::invalid(format!(
                    "Two files in the team repository hold the same {} “{}” ({shown_name} is the second); remove \
                     one and sync again.",
                    kind.as_str(),
                    shown(&key, 80)
                )));
            }
            paths.insert((kind, key), rel);
        }
    }
    Ok((records, paths))
}

/// The file a record is written to, relative to the inventory folder: named for the commons' host
/// or the mesh's name, with the id's start added when two records would share a name.
pub(crate) fn file_for(kind: Kind, key: &str, fields: &Fields, taken: &std::collections::BTreeSet<PathBuf>) -> PathBuf {
    let stem = match kind {
        Kind::Commons => {
            let url = fields.get("base_url").and_then(|v| v.as_str()).unwrap_or(key);
            url.split_once("://").map_or(url, |(_, h)| h).trim_end_matches('/').to_string()
        }
        Kind::Mesh => key.to_string(),
    };
    let safe: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let safe = safe.trim_start_matches('.').to_string();
    let plain = PathBuf::from(kind.folder()).join(format!("{safe}.yaml"));
    if !taken.contains(&plain) {
        return plain;
    }
    let id: String = key.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    PathBuf::from(kind.folder()).join(format!("{safe}-{id}.yaml"))
}

/// The file's text: a header saying what it is, then the record's fields in the form's order.
pub(crate) fn file_text(kind: Kind, key: &str, fields: &Fields) -> CoreResult<String> {
    let body = match kind {
        Kind::Commons => {
            let draft = commons_draft(fields, key)?;
            serde_yaml_ng::to_string(&CommonsFile { id: key.to_string(), draft })
        }
        Kind::Mesh => {
            serde_yaml_ng::to_string(&MeshFile { name: key.to_string(), description: mesh_description(fields) })
        }
    }
    .expect("a record serializes as YAML");
    let what = match kind {
        Kind::Commons => "one commons",
        Kind::Mesh => "one data mesh (members are listed on each commons, under `meshes`)",
    };
    Ok(format!(
        "# Gen3 CSOC team inventory: {what}. Written by `gen3-csoc team sync`; inventory fields only,\n# never a \
         secret (API keys and webhook URLs stay in each operator's vault).\n{body}"
    ))
}
