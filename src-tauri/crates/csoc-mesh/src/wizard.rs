//! The mesh wizard: a hub and its members become the hub's AggMDS configuration, WTS
//! `external_oidc` entries and indexd `dist` entries, written into the hub's gen3-gitops values
//! as a commons-wizard answer set, so the mesh goes through the same review, diff and launch.
//! Fence-as-IdP entries belong in each member's own values and are handed out as snippets.

use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::aggmds::{self, AggMdsConfig, GenerateOptions, MeshMemberSpec};
use crate::federation::{self, FederationMember, HubLogin};
use crate::mapping::{self, MemberPreview, PreviewMember};
use crate::view::{HubTarget, MemberTarget};
use csoc_deploy::answers::CommonsAnswers;
use csoc_deploy::import::import_path;
use csoc_deploy::yaml::{json_to_yaml, to_yaml, yaml_to_json};
use csoc_deploy::Finding;
use csoc_gen3::ClientOptions;
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::{CommonsDraft, Environment, InventoryFilter, Mesh, Relation};
use csoc_monitor::views;
use csoc_store::inventory;
use csoc_store::Store;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct MeshHub {
    /// The hub in the inventory, if it is there.
    pub commons_id: Option<String>,
    pub name: String,
    /// `https://host[:port]`.
    pub base_url: String,
    /// The hub's commons folder in a local gen3-gitops clone: the configuration is written there.
    pub gitops_folder: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MeshMemberAnswer {
    /// The member in the inventory; none for an external commons known only by URL.
    #[serde(default)]
    pub commons_id: Option<String>,
    /// How the hub reads its metadata (name, URL, mappings, select field).
    pub adapter: MeshMemberSpec,
    /// Its `indexd.defaultPrefix` (`dg.XXXX/`), for GUID resolution through the hub.
    #[serde(default)]
    pub indexd_prefix: String,
    /// The client id the hub's WTS has at this member's fence (empty: not registered yet).
    #[serde(default)]
    pub wts_client_id: String,
    /// The member's users log in through the hub's fence.
    #[serde(default)]
    pub login_through_hub: bool,
    /// The member fence's client id at the hub's fence (for `login_through_hub`).
    #[serde(default)]
    pub hub_client_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct MeshAnswers {
    pub name: String,
    pub description: String,
    pub hub: MeshHub,
    pub members: Vec<MeshMemberAnswer>,
    /// The Elasticsearch namespace AggMDS indexes into (`metadata.aggMdsNamespace`).
    pub aggmds_namespace: String,
    /// Elasticsearch the hub's metadata service uses (`metadata.esEndpoint`); empty: the chart's.
    pub es_endpoint: String,
    pub cache_drs: bool,
    /// Write the hub WTS's `external_oidc` entries.
    pub wts: bool,
    /// Write the hub indexd's `dist` entries.
    pub indexd_dist: bool,
    /// A whole AggMDS configuration (JSON) imported or edited by hand; used instead of generating.
    pub aggmds_json: Option<String>,
}

impl Default for MeshAnswers {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            hub: MeshHub::default(),
            members: Vec::new(),
            aggmds_namespace: "default_namespace".into(),
            es_endpoint: String::new(),
            cache_drs: false,
            wts: true,
            indexd_dist: true,
            aggmds_json: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MemberSnippet {
    pub member: String,
    /// Values to merge into that member's own gen3-gitops values.
    pub yaml: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MeshBuild {
    /// The hub's commons-wizard answers with the mesh applied: review and launch them as any commons.
    pub hub: CommonsAnswers,
    /// The AggMDS configuration written into the hub's values, pretty-printed.
    pub aggmds_json: String,
    pub member_snippets: Vec<MemberSnippet>,
    pub findings: Vec<Finding>,
}

/// The AggMDS configuration the answers describe: the operator's own JSON, or generated.
pub(crate) fn aggmds_config(a: &MeshAnswers) -> CoreResult<AggMdsConfig> {
    match a.aggmds_json.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(text) => aggmds::parse_aggmds(text, "the AggMDS configuration"),
        None => {
            let specs: Vec<MeshMemberSpec> = a.members.iter().map(|m| m.adapter.clone()).collect();
            aggmds::generate(&specs, &GenerateOptions { cache_drs: a.cache_drs, schema: None })
        }
    }
}

fn federation_members(a: &MeshAnswers) -> Vec<FederationMember> {
    a.members
        .iter()
        .map(|m| FederationMember {
            name: m.adapter.name.clone(),
            base_url: m.adapter.base_url.clone(),
            indexd_prefix: Some(m.indexd_prefix.trim().to_string()).filter(|p| !p.is_empty()),
            wts_client_id: Some(m.wts_client_id.trim().to_string()).filter(|c| !c.is_empty()),
            wts_logins: Vec::new(),
        })
        .collect()
}

/// Applies the mesh to the hub's imported values and hands back answers for the commons review.
pub fn build(a: &MeshAnswers) -> CoreResult<MeshBuild> {
    if a.members.is_empty() {
        return Err(CoreError::invalid("Add at least one member commons to the mesh."));
    }
    if a.hub.gitops_folder.trim().is_empty() {
        return Err(CoreError::invalid(
            "Choose the hub's commons folder in your gen3-gitops clone: the mesh is written into its values.",
        ));
    }
    let imported = import_path(Path::new(a.hub.gitops_folder.trim()))?;
    let mut hub = imported.answers;
    let base = hub.base.as_mut().ok_or_else(|| CoreError::invalid("The hub's folder holds no Helm values."))?;
    let mut values = json_to_yaml(&base.values);
    let cfg = aggmds_config(a)?;
    // What reading the hub's folder found (an app.yaml that takes its values from another folder,
    // value files Argo CD does not apply) is the mesh's business too: the mesh is written there.
    let mut findings = imported.warnings;
    findings.extend(aggmds::check_aggmds(&cfg));
    let es = Some(a.es_endpoint.trim()).filter(|e| !e.is_empty());
    findings.extend(aggmds::apply_to_values(&mut values, &cfg, a.aggmds_namespace.trim(), es)?);
    let members = federation_members(a);
    if a.wts {
        let (entries, f) = federation::wts_external_oidc(&a.hub.base_url, &members)?;
        findings.extend(f);
        findings.extend(federation::apply_wts(&mut values, &entries)?);
    }
    if a.indexd_dist {
        let (entries, f) = federation::indexd_dist(&members)?;
        findings.extend(f);
        federation::apply_indexd_dist(&mut values, &entries)?;
    }
    base.values = yaml_to_json(&values);
    if !hub.services.iter().any(|s| s == "metadata") {
        hub.services.push("metadata".into());
    }

    let mut member_snippets = Vec::new();
    for m in a.members.iter().filter(|m| m.login_through_hub) {
        let mut snippet = serde_yaml_ng::Value::Mapping(Default::default());
        let login = HubLogin {
            hub_name: if a.hub.name.is_empty() { a.name.clone() } else { a.hub.name.clone() },
            hub_base_url: a.hub.base_url.clone(),
            client_id: m.hub_client_id.trim().to_string(),
            fence_idp: None,
            make_default: true,
        };
        findings.extend(federation::apply_fence_idp(&mut snippet, &login)?);
        member_snippets.push(MemberSnippet { member: m.adapter.name.clone(), yaml: to_yaml(&snippet) });
    }
    Ok(MeshBuild { hub, aggmds_json: aggmds::to_json_pretty(&cfg)?, member_snippets, findings })
}

/// What the hub's adapter would make of a few real records from each member.
pub async fn preview(a: &MeshAnswers, limit: u32) -> CoreResult<Vec<MemberPreview>> {
    let cfg = aggmds_config(a)?;
    let members: Vec<PreviewMember> = cfg
        .adapter_commons
        .iter()
        .map(|(name, adapter)| PreviewMember { name: name.clone(), adapter: adapter.clone(), ca_pem: None })
        .collect();
    Ok(mapping::preview(&members, &cfg.schema(), limit, &ClientOptions::default()).await)
}

/// Records the mesh in the inventory: members (external ones added as associated commons), the
/// hub, and the names the hub lists them under.
pub fn save(store: &Store, a: &MeshAnswers) -> CoreResult<Mesh> {
    let name = a.name.trim();
    if name.is_empty() {
        return Err(CoreError::invalid("Give the mesh a name."));
    }
    inventory::save_mesh(store, &Mesh { name: name.into(), description: a.description.clone(), members: Vec::new() })?;
    let mut names = serde_json::Map::new();
    let mut all =
        a.members.iter().map(|m| (m.commons_id.clone(), &m.adapter.name, &m.adapter.base_url)).collect::<Vec<_>>();
    all.push((a.hub.commons_id.clone(), &a.hub.name, &a.hub.base_url));
    let mut hub_id = None;
    for (i, (id, label, url)) in all.into_iter().enumerate() {
        let is_hub = i == a.members.len();
        let commons = match id {
            Some(id) => inventory::get(store, &id)?,
            None => match inventory::find_by_url(store, url)? {
                Some(c) => c,
                None => {
                    let mut draft = CommonsDraft::new(label.as_str(), url.as_str(), Environment::Other);
                    draft.relation = Relation::Associated;
                    inventory::create(store, &draft)?
                }
            },
        };
        if !commons.draft.meshes.iter().any(|m| m == name) {
            let mut draft = commons.draft.clone();
            draft.meshes.push(name.into());
            inventory::update(store, &commons.id, &draft)?;
        }
        if is_hub {
            hub_id = Some(commons.id.clone());
        } else {
            names.insert(commons.id.clone(), serde_json::Value::String(label.clone()));
        }
    }
    set_hub(store, name, hub_id.as_deref(), &names)?;
    inventory::list(store, &InventoryFilter::default())?
        .meshes
        .into_iter()
        .find(|m| m.name == name)
        .ok_or_else(|| CoreError::not_found("The mesh was not saved."))
}

/// Records a mesh's hub and the names its AggMDS lists members under (commons id -> name).
pub fn set_hub(
    store: &Store,
    mesh: &str,
    hub_id: Option<&str>,
    names: &serde_json::Map<String, serde_json::Value>,
) -> CoreResult<()> {
    store.conn().execute(
        "INSERT INTO mesh_hubs(mesh, hub_id, member_names) VALUES (?1, ?2, ?3)
         ON CONFLICT(mesh) DO UPDATE SET hub_id = excluded.hub_id, member_names = excluded.member_names",
        params![mesh, hub_id, serde_json::Value::Object(names.clone()).to_string()],
    )?;
    Ok(())
}

/// What the mesh view checks: the hub, each member with its cached health, and the names the
/// hub should list.
pub fn targets(store: &Store, mesh: &str) -> CoreResult<(Option<HubTarget>, Vec<MemberTarget>, Vec<String>)> {
    let row: Option<(Option<String>, String)> = store
        .conn()
        .query_row("SELECT hub_id, member_names FROM mesh_hubs WHERE mesh = ?1", [mesh], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (hub_id, names) = match row {
        Some((hub, names)) => {
            (hub, serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&names).unwrap_or_default())
        }
        None => (None, serde_json::Map::new()),
    };
    let board = views::fleet(store, &InventoryFilter { mesh: Some(mesh.to_string()), ..Default::default() })?;
    if board.rows.is_empty()
        && !inventory::list(store, &InventoryFilter::default())?.meshes.iter().any(|m| m.name == mesh)
    {
        return Err(CoreError::not_found(format!("There is no mesh named {mesh}.")));
    }
    let mut hub = None;
    let mut members = Vec::new();
    for row in board.rows {
        let c = row.commons;
        if Some(&c.id) == hub_id.as_ref() {
            hub = Some(HubTarget { base_url: c.draft.base_url.clone(), ca_pem: c.draft.ca_pem.clone() });
            continue;
        }
        let name = names.get(&c.id).and_then(|v| v.as_str()).unwrap_or(&c.draft.name).to_string();
        members.push(MemberTarget {
            commons_id: Some(c.id.clone()),
            name,
            base_url: c.draft.base_url.clone(),
            ca_pem: c.draft.ca_pem.clone(),
            health: Some(row.overall),
            guid_type: None,
        });
    }
    let configured = members.iter().map(|m| m.name.clone()).collect();
    Ok((hub, members, configured))
}
