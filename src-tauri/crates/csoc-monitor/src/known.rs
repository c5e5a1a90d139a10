//! What the app knows about each commons' services before probing it: the services it was
//! deployed with, and those that answered before. gen3-helm's revproxy answers "service failure"
//! for a service that is down and for one that is not deployed alike; this tells them apart.

use std::collections::{HashMap, HashSet};

use rusqlite::params;

use super::catalog;
use super::checks::MeshMember;
use super::probe::Known;
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::now_ms;
use csoc_store::Store;

/// Records the services a commons was deployed with (catalog ids; others are ignored), replacing
/// what was recorded before. `source` says where the list comes from, in words.
pub fn set_expected(store: &Store, commons_id: &str, services: &[&str], source: &str) -> CoreResult<()> {
    let mut ids: Vec<&str> = services.iter().copied().filter(|s| catalog::find(s).is_some()).collect();
    ids.sort_unstable();
    ids.dedup();
    let json = serde_json::to_string(&ids).map_err(|_| CoreError::invalid("The service list could not be written."))?;
    store.conn().execute(
        "INSERT INTO expected_services(commons_id, services, source, set_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(commons_id) DO UPDATE SET services = ?2, source = ?3, set_at = ?4",
        params![commons_id, json, source, now_ms()],
    )?;
    Ok(())
}

/// What is known of every commons in the cache, by id.
pub fn load(store: &Store) -> CoreResult<HashMap<String, Known>> {
    let conn = store.conn();
    let mut out: HashMap<String, Known> = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT commons_id, services FROM expected_services")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (id, json) = row?;
        // A list that does not parse is treated as unknown rather than as "nothing deployed".
        if let Ok(list) = serde_json::from_str::<Vec<String>>(&json) {
            out.entry(id).or_default().expected = Some(list.into_iter().collect::<HashSet<_>>());
        }
    }
    let mut stmt =
        conn.prepare_cached("SELECT commons_id, service FROM service_status WHERE last_answered IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (id, service) = row?;
        out.entry(id).or_default().answered.insert(service);
    }
    // A mesh hub federates the members of its mesh, under the names its AggMDS lists them by.
    let mut stmt = conn.prepare_cached(
        "SELECT h.hub_id, m.commons_id, c.base_url, h.member_names FROM mesh_hubs h
         JOIN mesh_members m ON m.mesh = h.mesh JOIN commons c ON c.id = m.commons_id
         WHERE h.hub_id IS NOT NULL AND m.commons_id != h.hub_id ORDER BY c.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
    })?;
    for row in rows {
        let (hub, member, base_url, names) = row?;
        let names: HashMap<String, serde_json::Value> = serde_json::from_str(&names).unwrap_or_default();
        let name = names.get(&member).and_then(|v| v.as_str()).map_or_else(|| member.clone(), str::to_string);
        let members = out.entry(hub).or_default().mesh_members.get_or_insert_with(Vec::new);
        members.push(MeshMember { commons_id: member, name, base_url });
    }
    Ok(out)
}

/// The commons whose outside-in checks were recorded at or after `since` (ms).
pub(crate) fn checked_since(store: &Store, since: i64) -> CoreResult<Vec<String>> {
    let conn = store.conn();
    let mut stmt =
        conn.prepare_cached("SELECT commons_id FROM commons_checks GROUP BY commons_id HAVING max(checked_at) >= ?1")?;
    let ids = stmt.query_map([since], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}
