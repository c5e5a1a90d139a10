//! Export and import of the whole inventory as one JSON file. The file holds only inventory
//! fields (no secrets exist in these types). An import is validated in full before anything is
//! written and is applied in one transaction: all of it lands, or none.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use rusqlite::OptionalExtension;

use crate::activity::{self, ActivityKind, Note};
use crate::inventory;
use crate::Store;
use csoc_model::display_text::shown;
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_model::model::{now_ms, Commons, InventoryFilter, SortKey};
use csoc_model::validate::validate_draft;

pub const FORMAT: &str = "gen3-csoc-inventory";
pub const VERSION: u32 = 1;
/// Inventory files are kilobytes; anything this large is not one.
const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;
/// Characters of a name from the file quoted in a message (a name may be a megabyte long).
const NAME_SHOWN: usize = 80;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct InventoryFile {
    pub format: String,
    pub version: u32,
    pub exported_at: i64,
    pub commons: Vec<Commons>,
    #[serde(default)]
    pub meshes: Vec<MeshEntry>,
}

/// A mesh's own fields; membership travels on each commons (`meshes`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MeshEntry {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportSummary {
    pub path: String,
    pub commons: u32,
    pub meshes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportSummary {
    pub added: u32,
    pub updated: u32,
    pub meshes: u32,
}

pub fn export_json(store: &Store) -> CoreResult<String> {
    let view = inventory::list(store, &InventoryFilter { sort: SortKey::Name, ..Default::default() })?;
    let file = InventoryFile {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: now_ms(),
        commons: view.commons,
        meshes: view.meshes.into_iter().map(|m| MeshEntry { name: m.name, description: m.description }).collect(),
    };
    Ok(serde_json::to_string_pretty(&file).expect("inventory serializes"))
}

/// Writes the export next to `path` and renames it into place, so a crash never leaves half a file.
pub fn export_to(store: &Store, path: &Path) -> CoreResult<ExportSummary> {
    let out = write_export(store, path);
    let what = format!("Exported the inventory to {}", path.display());
    let what = match &out {
        Ok(s) => format!("{what}: {} commons, {} meshes", s.commons, s.meshes),
        Err(_) => what,
    };
    activity::record(store, Note::new(ActivityKind::InventoryExport, what).outcome(&out));
    out
}

fn write_export(store: &Store, path: &Path) -> CoreResult<ExportSummary> {
    let json = export_json(store)?;
    let parsed: InventoryFile = serde_json::from_str(&json).expect("own export parses");
    let tmp = path.with_extension("json.partial");
    std::fs::write(&tmp, json.as_bytes()).map_err(|e| CoreError::io("write", &tmp, &e))?;
    std::fs::rename(&tmp, path).map_err(|e| CoreError::io("write", path, &e))?;
    tracing::info!(path = %path.display(), commons = parsed.commons.len(), "inventory exported");
    Ok(ExportSummary {
        path: path.display().to_string(),
        commons: parsed.commons.len() as u32,
        meshes: parsed.meshes.len() as u32,
    })
}

pub fn import_from(store: &Store, path: &Path) -> CoreResult<ImportSummary> {
    let out = read_and_import(store, path);
    let what = format!("Imported the inventory file {}", path.display());
    let what = match &out {
        Ok(s) => format!("{what}: {} added, {} updated, {} meshes", s.added, s.updated, s.meshes),
        Err(_) => what,
    };
    activity::record(store, Note::new(ActivityKind::InventoryImport, what).outcome(&out));
    out
}

fn read_and_import(store: &Store, path: &Path) -> CoreResult<ImportSummary> {
    let bytes = csoc_model::operator_files::read_bytes(path, MAX_IMPORT_BYTES, "inventory file").map_err(|e| {
        CoreError::new(e.code, format!("{} Your inventory is unchanged: nothing was imported.", e.message))
    })?;
    let summary = import_bytes(store, &bytes)?;
    tracing::info!(path = %path.display(), ?summary, "inventory imported");
    Ok(summary)
}

/// Merges a file into the inventory: a commons matched by id, or else by base URL, is updated;
/// others are added; nothing is deleted.
pub fn import_bytes(store: &Store, bytes: &[u8]) -> CoreResult<ImportSummary> {
    let file = parse(bytes)?;
    let mut commons = Vec::with_capacity(file.commons.len());
    for (i, c) in file.commons.into_iter().enumerate() {
        let draft = validate_draft(&c.draft).map_err(|errors| {
            let detail: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            CoreError::invalid(format!(
                "Commons #{} (“{}”) in the file is not valid, so nothing was imported. {}",
                i + 1,
                shown(&c.draft.name, NAME_SHOWN),
                shown(&detail.join(" "), 2000)
            ))
        })?;
        if c.id.trim().is_empty() {
            return Err(CoreError::invalid(format!(
                "Commons #{} (“{}”) has no id, so nothing was imported.",
                i + 1,
                shown(&c.draft.name, NAME_SHOWN)
            )));
        }
        commons.push(Commons { draft, ..c });
    }
    // One pass with a map per key: a file of 60,000 commons is checked in linear time.
    let mut by_url = std::collections::HashMap::with_capacity(commons.len());
    let mut by_id = std::collections::HashMap::with_capacity(commons.len());
    for (i, a) in commons.iter().enumerate() {
        let earlier = [by_url.insert(a.draft.base_url.as_str(), i), by_id.insert(a.id.as_str(), i)];
        if let Some(j) = earlier.into_iter().flatten().next() {
            return Err(CoreError::invalid(format!(
                "The file lists {} twice (“{}” and “{}”), so nothing was imported.",
                shown(&a.draft.base_url, NAME_SHOWN),
                shown(&commons[j].draft.name, NAME_SHOWN),
                shown(&a.draft.name, NAME_SHOWN)
            )));
        }
    }

    let mut conn = store.conn();
    let tx = conn.transaction()?;
    let (mut added, mut updated) = (0, 0);
    let now = now_ms();
    let mut written = std::collections::HashSet::new();
    for mut c in commons {
        let by_id: Option<i64> =
            tx.query_row("SELECT created_at FROM commons WHERE id = ?1", [&c.id], |r| r.get(0)).optional()?;
        let by_url: Option<(String, i64)> = tx
            .query_row("SELECT id, created_at FROM commons WHERE base_url = ?1", [&c.draft.base_url], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match (by_id, by_url) {
            (Some(_), Some((other, _))) if other != c.id => {
                return Err(CoreError::new(
                    ErrorCode::Conflict,
                    format!(
                        "“{}” in the file has the URL {} that another commons in your inventory already uses; \
                         nothing was imported. Change one of the two and try again.",
                        shown(&c.draft.name, NAME_SHOWN),
                        c.draft.base_url
                    ),
                ))
            }
            (Some(created_at), _) => {
                c.created_at = created_at;
                updated += 1;
            }
            (None, Some((local_id, created_at))) => {
                c.id = local_id;
                c.created_at = created_at;
                updated += 1;
            }
            (None, None) => added += 1,
        }
        if !written.insert(c.id.clone()) {
            return Err(CoreError::invalid(format!(
                "Two records in the file (one of them “{}”) match the same commons in your inventory (by id and by \
                 URL), so nothing was imported.",
                shown(&c.draft.name, NAME_SHOWN)
            )));
        }
        c.updated_at = now;
        inventory::upsert(&tx, &c).map_err(|e| match e.code {
            ErrorCode::DbUnavailable => e,
            _ => CoreError::invalid(format!(
                "“{}” could not be imported: {}",
                shown(&c.draft.name, NAME_SHOWN),
                e.message
            )),
        })?;
    }
    for m in &file.meshes {
        let name = m.name.trim();
        if name.is_empty() {
            return Err(CoreError::invalid("A mesh in the file has no name, so nothing was imported."));
        }
        tx.execute(
            "INSERT INTO meshes(name, description) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET description = excluded.description",
            rusqlite::params![name, m.description.trim()],
        )?;
    }
    inventory::touch(&tx, now)?;
    tx.commit()?;
    Ok(ImportSummary { added, updated, meshes: file.meshes.len() as u32 })
}

fn parse(bytes: &[u8]) -> CoreResult<InventoryFile> {
    #[derive(Deserialize)]
    struct Header {
        format: Option<String>,
        version: Option<serde_json::Value>,
    }
    let text = csoc_model::operator_files::decode_text(bytes.to_vec(), "The file", "inventory file")
        .map_err(|e| CoreError::invalid(format!("{} Your inventory is unchanged: nothing was imported.", e.message)))?;
    let bytes = text.as_bytes();
    let header: Header = serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => describe_serde(&e),
            serde_json::error::Category::Eof => "it ends before the JSON is complete".to_string(),
            _ => "it is not valid JSON".to_string(),
        };
        CoreError::invalid(format!(
            "The file cannot be read as an inventory export: {what} (line {}, column {}); nothing was imported.",
            e.line(),
            e.column()
        ))
    })?;
    let version = match header.version {
        Some(serde_json::Value::String(s)) => {
            return Err(CoreError::invalid(format!(
                "The file's \"version\" is the text \"{}\"; it must be the number {VERSION} (without quotes). \
                 Nothing was imported.",
                csoc_model::display_text::shown(&s, 40)
            )))
        }
        Some(v) => v.as_u64().map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        None => None,
    };
    if header.format.as_deref() != Some(FORMAT) {
        return Err(CoreError::invalid(
            "The file is not a Gen3 CSOC inventory export (its \"format\" is not gen3-csoc-inventory); nothing was imported.",
        ));
    }
    match version {
        Some(VERSION) => {}
        Some(v) if v > VERSION => {
            return Err(CoreError::new(
                ErrorCode::Invalid,
                format!(
                    "The file was exported by a newer Gen3 CSOC (format version {v}). Update the app to import it."
                ),
            ))
        }
        _ => return Err(CoreError::invalid("The file's format version is missing or unknown; nothing was imported.")),
    }
    serde_json::from_slice(bytes).map_err(|e| {
        CoreError::invalid(format!(
            "The inventory file has a wrong or missing field at line {}, column {} ({}); nothing was imported.",
            e.line(),
            e.column(),
            describe_serde(&e)
        ))
    })
}

/// serde's messages name Rust types; keep only the part a user can act on, in words.
fn describe_serde(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    if let Some(field) = text.strip_prefix("duplicate field `").and_then(|t| t.strip_suffix('`')) {
        return format!("the key \"{}\" appears twice in one record", csoc_model::display_text::shown(field, 60));
    }
    let text = text.replace("variant", "value").replace("u32", "a whole number").replace("i64", "a whole number");
    csoc_model::display_text::shown(&text, 200)
}
