//! The commons inventory: CRUD over the cache, the filtered fleet list, and meshes.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use crate::activity::{self, ActivityKind, Note};
use crate::Store;
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_model::model::{
    now_ms, Commons, CommonsDraft, Deployment, Environment, FieldError, Freshness, InventoryFilter, InventoryView,
    Mesh, Relation, SortKey,
};
use csoc_model::validate::validate_draft;

pub const SOURCE: &str = "inventory";

pub fn list(store: &Store, filter: &InventoryFilter) -> CoreResult<InventoryView> {
    let conn = store.conn();
    let read_at = now_ms();
    let mut commons = query_commons(&conn, filter)?;
    if let Some(limit) = filter.limit {
        commons.truncate(limit as usize);
    }
    let total: u32 = conn.query_row("SELECT count(*) FROM commons", [], |r| r.get(0))?;
    let tags = conn
        .prepare_cached("SELECT DISTINCT tag FROM commons_tags ORDER BY tag")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(InventoryView { commons, total, tags, meshes: meshes(&conn)?, freshness: freshness(&conn, SOURCE)?, read_at })
}

/// The commons with this normalized base URL, if the inventory has it (a URL is listed once).
pub fn find_by_url(store: &Store, base_url: &str) -> CoreResult<Option<Commons>> {
    let conn = store.conn();
    let id: Option<String> =
        conn.query_row("SELECT id FROM commons WHERE base_url = ?1", [base_url], |r| r.get(0)).optional()?;
    id.map(|id| get_in(&conn, &id)).transpose()
}

pub fn get(store: &Store, id: &str) -> CoreResult<Commons> {
    let conn = store.conn();
    get_in(&conn, id)
}

/// Field problems for a draft as the user types, including a base URL already used by another commons.
pub fn validate(store: &Store, id: Option<&str>, draft: &CommonsDraft) -> CoreResult<Vec<FieldError>> {
    let draft = match validate_draft(draft) {
        Ok(d) => d,
        Err(errors) => return Ok(errors),
    };
    let conn = store.conn();
    Ok(duplicate_url(&conn, id, &draft.base_url)?.into_iter().collect())
}

pub fn create(store: &Store, draft: &CommonsDraft) -> CoreResult<Commons> {
    let draft = checked(draft)?;
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    if let Some(e) = duplicate_url(&tx, None, &draft.base_url)? {
        return Err(CoreError::new(ErrorCode::Conflict, e.message));
    }
    let now = now_ms();
    let commons = Commons { id: uuid::Uuid::new_v4().to_string(), draft, created_at: now, updated_at: now };
    upsert(&tx, &commons)?;
    touch(&tx, now)?;
    noted(&tx, &commons, "Added")?;
    tx.commit()?;
    tracing::info!(id = %commons.id, host = commons.host(), "commons added");
    Ok(commons)
}

pub fn update(store: &Store, id: &str, draft: &CommonsDraft) -> CoreResult<Commons> {
    let draft = checked(draft)?;
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    let existing = get_in(&tx, id)?;
    if let Some(e) = duplicate_url(&tx, Some(id), &draft.base_url)? {
        return Err(CoreError::new(ErrorCode::Conflict, e.message));
    }
    let now = now_ms();
    let commons = Commons { id: existing.id, draft, created_at: existing.created_at, updated_at: now };
    upsert(&tx, &commons)?;
    touch(&tx, now)?;
    noted(&tx, &commons, "Edited")?;
    tx.commit()?;
    tracing::info!(id = %commons.id, host = commons.host(), "commons updated");
    Ok(commons)
}

pub fn delete(store: &Store, id: &str) -> CoreResult<()> {
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    let existing = get_in(&tx, id)?;
    tx.execute("DELETE FROM commons WHERE id = ?1", [id])?;
    touch(&tx, now_ms())?;
    noted(&tx, &existing, "Deleted")?;
    tx.commit()?;
    tracing::info!(id, "commons deleted");
    Ok(())
}

/// Creates or updates a mesh's description. Membership is edited on the commons.
pub fn save_mesh(store: &Store, mesh: &Mesh) -> CoreResult<()> {
    let name = mesh.name.trim();
    if name.is_empty() {
        return Err(CoreError::invalid("Give the mesh a name."));
    }
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO meshes(name, description) VALUES (?1, ?2)
         ON CONFLICT(name) DO UPDATE SET description = excluded.description",
        params![name, mesh.description.trim()],
    )?;
    touch(&tx, now_ms())?;
    activity::record_on(&tx, &Note::new(ActivityKind::InventoryChange, format!("Saved mesh {name}")))?;
    tx.commit()?;
    Ok(())
}

/// Deletes a mesh; its members stay in the inventory.
pub fn delete_mesh(store: &Store, name: &str) -> CoreResult<()> {
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    if tx.execute("DELETE FROM meshes WHERE name = ?1", [name])? == 0 {
        return Err(CoreError::not_found(format!("There is no mesh named “{name}”. It may have been deleted.")));
    }
    touch(&tx, now_ms())?;
    activity::record_on(&tx, &Note::new(ActivityKind::InventoryChange, format!("Deleted mesh {name}")))?;
    tx.commit()?;
    Ok(())
}

/// The activity entry of a commons write ("Added data.example.org (production)").
fn noted(conn: &Connection, c: &Commons, verb: &str) -> rusqlite::Result<()> {
    let what = format!("{verb} {} ({}, {})", c.draft.name, c.draft.base_url, c.draft.environment.as_str());
    activity::record_on(conn, &Note::new(ActivityKind::InventoryChange, what).about(&c.id, &c.draft.name))
}

fn checked(draft: &CommonsDraft) -> CoreResult<CommonsDraft> {
    validate_draft(draft).map_err(|errors| {
        let text: Vec<String> = errors.into_iter().map(|e| e.message).collect();
        CoreError::invalid(text.join(" "))
    })
}

fn not_found(id: &str) -> CoreError {
    CoreError::not_found(format!("No commons with id {id} is in the inventory. It may have been deleted."))
}

fn duplicate_url(conn: &Connection, id: Option<&str>, base_url: &str) -> CoreResult<Option<FieldError>> {
    let other: Option<String> = conn
        .query_row("SELECT name FROM commons WHERE base_url = ?1 AND id IS NOT ?2", params![base_url, id], |r| r.get(0))
        .optional()?;
    Ok(other.map(|name| FieldError {
        field: "base_url".into(),
        message: format!("“{name}” already has this URL; a commons is listed once."),
    }))
}

/// Writes a commons with its tags and mesh memberships (creating meshes named for the first time).
pub fn upsert(tx: &Transaction<'_>, c: &Commons) -> CoreResult<()> {
    let d = &c.draft;
    let deployment = serde_json::to_string(&d.deployment).expect("deployment serializes");
    let host = c.host();
    let search_text =
        [d.name.as_str(), host, &d.owner, &d.contact, &d.notes, &d.tags.join(" ")].join("\u{1f}").to_lowercase();
    tx.execute(
        "INSERT INTO commons(id, name, base_url, environment, relation, owner, contact, notes, expected_release,
                             deployment, created_at, updated_at, search_text, host, ca_pem)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT(id) DO UPDATE SET name=excluded.name, base_url=excluded.base_url,
            environment=excluded.environment, relation=excluded.relation, owner=excluded.owner,
            contact=excluded.contact, notes=excluded.notes, expected_release=excluded.expected_release,
            deployment=excluded.deployment, updated_at=excluded.updated_at, search_text=excluded.search_text,
            host=excluded.host, ca_pem=excluded.ca_pem",
        params![
            c.id,
            d.name,
            d.base_url,
            d.environment.as_str(),
            d.relation.as_str(),
            d.owner,
            d.contact,
            d.notes,
            d.expected_release,
            deployment,
            c.created_at,
            c.updated_at,
            search_text,
            host,
            d.ca_pem
        ],
    )?;
    tx.execute("DELETE FROM commons_tags WHERE commons_id = ?1", [&c.id])?;
    let mut tag = tx.prepare_cached("INSERT INTO commons_tags(commons_id, tag) VALUES (?1, ?2)")?;
    for t in &d.tags {
        tag.execute(params![c.id, t])?;
    }
    tx.execute("DELETE FROM mesh_members WHERE commons_id = ?1", [&c.id])?;
    let mut mesh = tx.prepare_cached("INSERT OR IGNORE INTO meshes(name) VALUES (?1)")?;
    let mut member = tx.prepare_cached("INSERT INTO mesh_members(mesh, commons_id) VALUES (?1, ?2)")?;
    for m in &d.meshes {
        mesh.execute([m])?;
        member.execute(params![m, c.id])?;
    }
    Ok(())
}

/// Records that the inventory changed now: the inventory's "as of".
pub fn touch(conn: &Connection, now: i64) -> CoreResult<()> {
    record_attempt(conn, SOURCE, now, None)
}

/// Records an attempt of `source` at `now`: a success sets its last success and clears the error;
/// a failure keeps the last success and says why.
pub fn record_attempt(conn: &Connection, source: &str, now: i64, error: Option<&str>) -> CoreResult<()> {
    conn.execute(
        "INSERT INTO freshness(source, last_attempted, last_successful, last_error)
         VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, ?3)
         ON CONFLICT(source) DO UPDATE SET last_attempted = ?2,
            last_successful = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_successful END, last_error = ?3",
        params![source, now, error],
    )?;
    Ok(())
}

pub fn freshness(conn: &Connection, source: &str) -> CoreResult<Freshness> {
    let found = conn
        .query_row(
            "SELECT last_attempted, last_successful, last_error FROM freshness WHERE source = ?1",
            [source],
            |r| {
                Ok(Freshness {
                    source: source.to_string(),
                    last_attempted: r.get(0)?,
                    last_successful: r.get(1)?,
                    last_error: r.get(2)?,
                })
            },
        )
        .optional()?;
    Ok(found.unwrap_or(Freshness {
        source: source.to_string(),
        last_attempted: None,
        last_successful: None,
        last_error: None,
    }))
}

pub(crate) fn meshes(conn: &Connection) -> CoreResult<Vec<Mesh>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.name, m.description, group_concat(mm.commons_id, char(31))
         FROM meshes m LEFT JOIN mesh_members mm ON mm.mesh = m.name
         GROUP BY m.name ORDER BY m.name",
    )?;
    let rows =
        stmt.query_map([], |r| Ok(Mesh { name: r.get(0)?, description: r.get(1)?, members: split_list(r.get(2)?) }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const SELECT_COMMONS: &str = "SELECT c.id, c.name, c.base_url, c.environment, c.relation, c.owner, c.contact,
        c.notes, c.expected_release, c.deployment, c.created_at, c.updated_at, c.ca_pem
    FROM commons c";

fn get_in(conn: &Connection, id: &str) -> CoreResult<Commons> {
    let mut c = conn
        .query_row(&format!("{SELECT_COMMONS} WHERE c.id = ?1"), [id], row_to_commons)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    let mut labels = labels(conn, Some(std::slice::from_ref(&c.id)))?;
    (c.draft.tags, c.draft.meshes) = labels.remove(id).unwrap_or_default();
    Ok(c)
}

/// Tags and meshes (sorted) of the given commons (`None`: all), in two queries however many.
fn labels(conn: &Connection, ids: Option<&[String]>) -> CoreResult<HashMap<String, (Vec<String>, Vec<String>)>> {
    let mut out: HashMap<String, (Vec<String>, Vec<String>)> = HashMap::new();
    if ids.is_some_and(<[String]>::is_empty) {
        return Ok(out);
    }
    let ids = ids.map(|ids| serde_json::to_string(ids).expect("ids serialize"));
    let mut tags = conn.prepare_cached(
        "SELECT commons_id, tag FROM commons_tags
         WHERE ?1 IS NULL OR commons_id IN (SELECT value FROM json_each(?1)) ORDER BY commons_id, tag",
    )?;
    for row in tags.query_map([&ids], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (id, tag) = row?;
        out.entry(id).or_default().0.push(tag);
    }
    let mut meshes = conn.prepare_cached(
        "SELECT commons_id, mesh FROM mesh_members
         WHERE ?1 IS NULL OR commons_id IN (SELECT value FROM json_each(?1)) ORDER BY commons_id, mesh",
    )?;
    for row in meshes.query_map([&ids], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (id, mesh) = row?;
        out.entry(id).or_default().1.push(mesh);
    }
    Ok(out)
}

pub fn query_commons(conn: &Connection, f: &InventoryFilter) -> CoreResult<Vec<Commons>> {
    let mut sql = format!("{SELECT_COMMONS} WHERE 1=1");
    let mut args: Vec<String> = Vec::new();
    let search = f.search.trim().to_lowercase();
    if !search.is_empty() {
        let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        args.push(format!("%{escaped}%"));
        sql.push_str(&format!(" AND c.search_text LIKE ?{} ESCAPE '\\'", args.len()));
    }
    if let Some(env) = f.environment {
        args.push(env.as_str().into());
        sql.push_str(&format!(" AND c.environment = ?{}", args.len()));
    }
    if let Some(rel) = f.relation {
        args.push(rel.as_str().into());
        sql.push_str(&format!(" AND c.relation = ?{}", args.len()));
    }
    if let Some(tag) = f.tag.as_deref().filter(|t| !t.is_empty()) {
        args.push(tag.to_lowercase());
        sql.push_str(&format!(" AND c.id IN (SELECT commons_id FROM commons_tags WHERE tag = ?{})", args.len()));
    }
    if let Some(mesh) = f.mesh.as_deref().filter(|m| !m.is_empty()) {
        args.push(mesh.into());
        sql.push_str(&format!(" AND c.id IN (SELECT commons_id FROM mesh_members WHERE mesh = ?{})", args.len()));
    }
    sql.push_str(match f.sort {
        SortKey::Environment | SortKey::Problems => {
            " ORDER BY CASE c.environment WHEN 'production' THEN 0 WHEN 'staging' THEN 1 WHEN 'dev' THEN 2 ELSE 3 END,
              lower(c.name), c.host"
        }
        SortKey::Name => " ORDER BY lower(c.name), c.host",
        SortKey::Host => " ORDER BY c.host",
        SortKey::Updated => " ORDER BY c.updated_at DESC, lower(c.name)",
    });
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut commons: Vec<Commons> =
        stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_commons)?.collect::<Result<_, _>>()?;
    // Unfiltered, every commons is listed: reading all labels is cheaper than naming 10,000 ids.
    let ids: Vec<String> = commons.iter().map(|c| c.id.clone()).collect();
    let mut labels = labels(conn, (!args.is_empty()).then_some(ids.as_slice()))?;
    for c in &mut commons {
        (c.draft.tags, c.draft.meshes) = labels.remove(&c.id).unwrap_or_default();
    }
    Ok(commons)
}

fn row_to_commons(r: &Row<'_>) -> rusqlite::Result<Commons> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("bad {what}").into())
    };
    let environment = Environment::parse(&text(3)?).ok_or_else(|| bad(3, "environment"))?;
    let relation = Relation::parse(&text(4)?).ok_or_else(|| bad(4, "relation"))?;
    let deployment: Deployment = serde_json::from_str(&text(9)?).map_err(|_| bad(9, "deployment"))?;
    Ok(Commons {
        id: text(0)?,
        draft: CommonsDraft {
            name: text(1)?,
            base_url: text(2)?,
            environment,
            relation,
            owner: text(5)?,
            contact: text(6)?,
            notes: text(7)?,
            expected_release: r.get(8)?,
            deployment,
            tags: Vec::new(),
            meshes: Vec::new(),
            ca_pem: r.get(12)?,
        },
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

fn split_list(joined: Option<String>) -> Vec<String> {
    joined.map(|s| s.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default()
}
