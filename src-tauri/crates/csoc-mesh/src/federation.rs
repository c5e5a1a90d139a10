//! The entries that federate a mesh beyond its metadata: the hub's WTS tokens for the members'
//! data (`wts.secrets.external_oidc`), members that log in through the hub's Fence (Fence as
//! IdP), and GUID resolution by prefix (indexd's `DIST` environment variable). Client secrets are never written: each
//! entry that needs one comes with a finding naming where the operator puts it.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};
use ts_rs::TS;

use super::{get_path, section_mut, set_path};
use csoc_deploy::{Finding, Severity};
use csoc_model::error::{CoreError, CoreResult};

/// A member commons as the federation entries need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FederationMember {
    pub name: String,
    /// `https://host[:port]`.
    pub base_url: String,
    /// Its `indexd.defaultPrefix`, e.g. `dg.MD1R/`; none if its GUIDs have no prefix.
    #[serde(default)]
    pub indexd_prefix: Option<String>,
    /// The client id the hub's WTS has at this member's Fence.
    #[serde(default)]
    pub wts_client_id: Option<String>,
    /// The member's identity providers the hub's users may log in with for tokens.
    #[serde(default)]
    pub wts_logins: Vec<WtsLogin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WtsLogin {
    /// The IdP at the member's Fence (`google`, `ras`, `fence`, ...).
    pub idp: String,
    /// With `idp: fence`, the IdP of the Fence behind it (`orcid`, `shibboleth`, ...).
    #[serde(default)]
    pub fence_idp: Option<String>,
    /// The button's label; "<member> <IdP> login" when absent.
    #[serde(default)]
    pub label: Option<String>,
}

/// One WTS `external_oidc` entry (gen3-helm `wts.secrets.external_oidc`, WTS `appcreds.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub(crate) struct ExternalOidc {
    pub base_url: String,
    pub oidc_client_id: String,
    /// Key (the `idp` WTS is asked for) → option.
    pub login_options: IndexMap<String, LoginOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub(crate) struct LoginOption {
    pub name: String,
    pub idp: String,
    pub fence_idp: Option<String>,
}

/// One indexd `dist` entry: GUIDs matching a hint resolve at that commons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DistEntry {
    pub name: String,
    pub host: String,
    pub hints: Vec<String>,
    #[serde(rename = "type")]
    pub dist_type: String,
}

fn finding(severity: Severity, code: &str, key: &str, message: String) -> Finding {
    Finding { severity, code: code.into(), message, file: None, key: Some(key.into()), acknowledgeable: false }
}

fn origin(base_url: &str) -> CoreResult<String> {
    let url = url::Url::parse(base_url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| CoreError::invalid(format!("“{base_url}” is not a commons URL (https://host).")))?;
    Ok(url.origin().ascii_serialization())
}

fn host(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, h)| h)
}

/// Lowercase letters, digits and `-`: the login option keys WTS is called with.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The hub WTS's entries for the members it can get tokens from; a member without a registered
/// client gets a finding saying how to register one instead.
pub(crate) fn wts_external_oidc(
    hub_base_url: &str,
    members: &[FederationMember],
) -> CoreResult<(Vec<ExternalOidc>, Vec<Finding>)> {
    let hub = origin(hub_base_url)?;
    let mut entries = Vec::new();
    let mut findings = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for m in members {
        let base = origin(&m.base_url)?;
        let Some(client_id) = m.wts_client_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) else {
            findings.push(finding(
                Severity::Warning,
                "wts_client_missing",
                "wts.secrets.external_oidc",
                format!(
                    "The hub's WTS has no client at {}'s Fence, so workspaces on the hub cannot get tokens for its \
                     data. On {}, run `fence-create client-create --client wts-{} --urls {hub}/wts/oauth2/authorize \
                     --username <admin>` and enter the client id it prints.",
                    m.name,
                    host(&base),
                    host(&hub),
                ),
            ));
            continue;
        };
        let logins = if m.wts_logins.is_empty() {
            vec![WtsLogin { idp: "google".into(), fence_idp: None, label: None }]
        } else {
            m.wts_logins.clone()
        };
        let mut options = IndexMap::new();
        for l in logins {
            let idp_part = l.fence_idp.as_deref().unwrap_or(&l.idp);
            let key = format!("{}-{}", slug(&m.name), slug(idp_part));
            if !keys.insert(key.clone()) {
                return Err(CoreError::invalid(format!(
                    "Two WTS login options would both be called “{key}”: give the members distinct names, or drop the \
                     repeated identity provider."
                )));
            }
            let name = l.label.clone().unwrap_or_else(|| format!("{} {} login", m.name, idp_title(idp_part)));
            options.insert(key, LoginOption { name, idp: l.idp.clone(), fence_idp: l.fence_idp.clone() });
        }
        entries.push(ExternalOidc { base_url: base, oidc_client_id: client_id.to_string(), login_options: options });
    }
    Ok((entries, findings))
}

fn idp_title(idp: &str) -> String {
    match idp {
        "google" => "Google".into(),
        "ras" => "NIH RAS".into(),
        "orcid" => "ORCID".into(),
        "microsoft" => "Microsoft".into(),
        "shibboleth" => "InCommon".into(),
        "fence" => "Gen3".into(),
        other => other.to_string(),
    }
}

fn yaml_map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Mapping(pairs.into_iter().map(|(k, v)| (Value::from(k), v)).collect::<Mapping>())
}

fn external_oidc_yaml(e: &ExternalOidc) -> Value {
    let options = e
        .login_options
        .iter()
        .map(|(key, o)| {
            let mut params = vec![("idp", Value::from(o.idp.as_str()))];
            if let Some(f) = &o.fence_idp {
                params.push(("fence_idp", Value::from(f.as_str())));
            }
            (
                Value::from(key.as_str()),
                yaml_map(vec![("name", Value::from(o.name.as_str())), ("params", yaml_map(params))]),
            )
        })
        .collect::<Mapping>();
    yaml_map(vec![
        ("base_url", Value::from(e.base_url.as_str())),
        ("oidc_client_id", Value::from(e.oidc_client_id.as_str())),
        ("login_options", Value::Mapping(options)),
    ])
}

/// Whether the chart renders WTS's `appcreds.json` from the values (`wts.secrets.external_oidc`):
/// only without External Secrets, or with `wts.externalSecrets.createK8sWtsSecret`.
fn wts_reads_values(values: &Value) -> bool {
    get_path(values, &["global", "externalSecrets", "deploy"]) != Some(&Value::Bool(true))
        || get_path(values, &["wts", "externalSecrets", "createK8sWtsSecret"]) == Some(&Value::Bool(true))
}

/// The secret-manager entry WTS reads `appcreds.json` from with External Secrets.
fn wts_secret_entry(values: &Value) -> String {
    get_path(values, &["wts", "externalSecrets", "wtsG3auto"])
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or("wts-g3auto")
        .to_string()
}

/// Writes the entries where WTS will read them and says where each client secret goes. Without
/// External Secrets they go into `wts.secrets.external_oidc` (replacing entries for the same
/// `base_url`, keeping others); with it the chart does not render that Secret, so nothing is
/// written and the finding names the secret-manager entry and keys to add.
pub(crate) fn apply_wts(values: &mut Value, entries: &[ExternalOidc]) -> CoreResult<Vec<Finding>> {
    set_path(values, &["wts"], "enabled", Value::Bool(true))?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let hosts: Vec<&str> = entries.iter().map(|e| host(&e.base_url)).collect();
    if !wts_reads_values(values) {
        let listed: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                let mut json = csoc_deploy::yaml::yaml_to_json(&external_oidc_yaml(e));
                json["oidc_client_secret"] = serde_json::Value::from("<the client secret from that commons' Fence>");
                json
            })
            .collect();
        let listed = serde_json::to_string_pretty(&listed).unwrap_or_default();
        return Ok(vec![finding(
            Severity::Warning,
            "wts_external_oidc_secret_manager",
            "wts.secrets.external_oidc",
            format!(
                "With External Secrets (global.externalSecrets.deploy) gen3-helm does not render WTS's secret from the \
                 values: WTS reads appcreds.json from the secret-manager entry `{entry}` (wts.externalSecrets.wtsG3auto). \
                 Add the key `external_oidc` to the JSON in that entry's `appcreds.json` property, with these entries and \
                 each oidc_client_secret filled in from your records: {listed}. Until then WTS cannot get tokens from {hosts}.",
                entry = wts_secret_entry(values),
                hosts = hosts.join(", ")
            ),
        )]);
    }
    let secrets = section_mut(values, &["wts", "secrets"])?;
    let list = secrets.entry(Value::from("external_oidc")).or_insert(Value::Null);
    if list.is_null() {
        *list = Value::Sequence(Vec::new());
    }
    let Value::Sequence(list) = list else {
        return Err(CoreError::invalid(
            "In the values file, wts.secrets.external_oidc is not a list. Fix that key by hand first.",
        ));
    };
    for e in entries {
        list.retain(|old| old.get("base_url").and_then(Value::as_str) != Some(e.base_url.as_str()));
        list.push(external_oidc_yaml(e));
    }
    Ok(vec![finding(
        Severity::Warning,
        "wts_client_secret",
        "wts.secrets.external_oidc",
        format!(
            "The entries for {hosts} are in wts.secrets.external_oidc, without their client secrets (they would be \
             committed in the clear): supply each oidc_client_secret at install time from your secret store (a private \
             values file given to helm after this one). Check the wts-g3auto Secret in the review's Rendered view: \
             gen3-helm up to at least commit 42cc46b (2026-08-21) renders appcreds.json with \"external_oidc\": [] \
             whatever the values say (helm/wts/templates/secret.yaml passes its arguments to `default` in the wrong \
             order). With such a chart WTS only gets these entries from the secret manager: turn on External Secrets \
             and add them to the `{entry}` entry's appcreds.json. WTS cannot log in to a member without them.",
            hosts = hosts.join(", "),
            entry = wts_secret_entry(values),
        ),
    )])
}

/// The Fence-as-IdP settings for a member whose users log in through the hub's Fence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub(crate) struct HubLogin {
    /// The hub's name, shown on the login button and consent screens.
    pub hub_name: String,
    pub hub_base_url: String,
    /// The member Fence's client id at the hub's Fence.
    pub client_id: String,
    /// An IdP of the hub's Fence to use directly (e.g. `google`); the hub's default when absent.
    #[serde(default)]
    pub fence_idp: Option<String>,
    /// Make the hub the member's default login.
    #[serde(default)]
    pub make_default: bool,
}

/// Writes `OPENID_CONNECT.fence` and its `LOGIN_OPTIONS` entry into a MEMBER's values, in the
/// block that already holds its logins, else in `FENCE_CONFIG_PUBLIC`: gen3-helm always renders
/// that one (ConfigMap `manifest-fence`) and merges it under the private config, with or without
/// External Secrets, whereas `FENCE_CONFIG` is not rendered at all with External Secrets.
pub(crate) fn apply_fence_idp(values: &mut Value, login: &HubLogin) -> CoreResult<Vec<Finding>> {
    let hub = origin(&login.hub_base_url)?;
    let client_id = login.client_id.trim();
    if client_id.is_empty() {
        return Err(CoreError::invalid(format!(
            "Logging in through {} needs the member's client id at the hub's Fence. On the hub, run `fence-create \
             client-create --client <member host> --urls https://<member host>/user/login/fence/login --username \
             <admin>` and enter the client id it prints.",
            login.hub_name
        )));
    }
    let idp = yaml_map(vec![
        ("api_base_url", Value::from(format!("{hub}/user"))),
        ("client_id", Value::from(client_id)),
        (
            "client_kwargs",
            yaml_map(vec![
                ("scope", Value::from("openid")),
                ("redirect_uri", Value::from("{{BASE_URL}}/login/fence/login")),
            ]),
        ),
        ("authorize_url", Value::from("{{api_base_url}}/oauth2/authorize")),
        ("access_token_url", Value::from("{{api_base_url}}/oauth2/token")),
        ("refresh_token_url", Value::from("{{api_base_url}}/oauth2/token")),
        ("name", Value::from(login.hub_name.as_str())),
    ]);
    let private_logins = get_path(values, &["fence", "FENCE_CONFIG", "LOGIN_OPTIONS"]).is_some()
        && get_path(values, &["fence", "FENCE_CONFIG_PUBLIC", "LOGIN_OPTIONS"]).is_none();
    let block = if private_logins { "FENCE_CONFIG" } else { "FENCE_CONFIG_PUBLIC" };
    let config = ["fence", block];
    set_path(values, &["fence", block, "OPENID_CONNECT"], "fence", idp)?;
    let mut option = vec![
        ("name", Value::from(format!("Login through {}", login.hub_name))),
        ("desc", Value::from(format!("Use your {} account", login.hub_name))),
        ("idp", Value::from("fence")),
    ];
    if let Some(f) = login.fence_idp.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        option.push(("fence_idp", Value::from(f)));
    }
    let section = section_mut(values, &config)?;
    let options = section.entry(Value::from("LOGIN_OPTIONS")).or_insert(Value::Null);
    if options.is_null() {
        *options = Value::Sequence(Vec::new());
    }
    let Value::Sequence(options) = options else {
        return Err(CoreError::invalid(format!(
            "In the values file, fence.{block}.LOGIN_OPTIONS is not a list. Fix that key by hand first."
        )));
    };
    options.retain(|o| o.get("idp").and_then(Value::as_str) != Some("fence"));
    options.push(yaml_map(option));
    if login.make_default {
        set_path(values, &config, "DEFAULT_LOGIN_IDP", Value::from("fence"))?;
    }
    let mut findings = vec![finding(
        Severity::Warning,
        "fence_idp_client_secret",
        "fence.FENCE_CONFIG.OPENID_CONNECT.fence.client_secret",
        format!(
            "The client secret this member's Fence uses at {} is not written into the values. Put it under \
             OPENID_CONNECT.fence.client_secret in the member's fence-config secret (with External Secrets, the one \
             named by fence.externalSecrets.fenceConfig); login through the hub fails without it.",
            host(&hub)
        ),
    )];
    let default_idp = get_path(values, &["fence", block, "DEFAULT_LOGIN_IDP"])
        .or_else(|| get_path(values, &["fence", "FENCE_CONFIG", "DEFAULT_LOGIN_IDP"]))
        .and_then(Value::as_str);
    if !login.make_default && default_idp.is_none() {
        findings.push(finding(
            Severity::Warning,
            "fence_default_idp",
            &format!("fence.{block}.DEFAULT_LOGIN_IDP"),
            "The member has no DEFAULT_LOGIN_IDP; Fence's default (google) must then be configured too. Set it to \
             `fence` to send users to the hub by default."
                .into(),
        ));
    }
    Ok(findings)
}

/// The regular expression hint for a GUID prefix: `dg.MD1R/` → `.*dg\.MD1R.*`.
pub(crate) fn prefix_hint(prefix: &str) -> Option<String> {
    let p = prefix.trim().trim_end_matches('/');
    if p.is_empty() {
        return None;
    }
    let mut escaped = String::new();
    for c in p.chars() {
        if ".^$*+?()[]{}|\\".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    Some(format!(".*{escaped}.*"))
}

/// The resolver's `dist` entries for these members (as dataguids.org lists its commons).
pub fn indexd_dist(members: &[FederationMember]) -> CoreResult<(Vec<DistEntry>, Vec<Finding>)> {
    let mut entries = Vec::new();
    let mut findings = Vec::new();
    for m in members {
        let base = origin(&m.base_url)?;
        let hint = m.indexd_prefix.as_deref().and_then(prefix_hint);
        if hint.is_none() {
            findings.push(finding(
                Severity::Warning,
                "dist_no_prefix",
                "indexd.env",
                format!(
                    "{} has no indexd prefix, so no GUID hint routes to it: the resolver only asks it after every \
                     hinted commons. Enter its indexd.defaultPrefix (e.g. dg.XXXX/) if it has one.",
                    m.name
                ),
            ));
        }
        entries.push(DistEntry {
            name: m.name.clone(),
            host: format!("{base}/index/"),
            hints: hint.into_iter().collect(),
            dist_type: "indexd".into(),
        });
    }
    Ok((entries, findings))
}

/// indexd's environment as gen3-helm's `indexd/values.yaml` sets it. Helm replaces a list rather
/// than merging it, so writing `indexd.env` must keep these or indexd loses its arborist checks.
const INDEXD_DEFAULT_ENV: [(&str, &str); 2] = [("ARBORIST", "true"), ("GEN3_DEBUG", "False")];

/// Writes the entries into the resolver's `DIST` environment variable (JSON, read by indexd's
/// `local_settings.py`) in `indexd.env`: entries for the same host are replaced, others kept in
/// place, and the rest of the environment (the chart's defaults when the list is new) is kept.
pub(crate) fn apply_indexd_dist(values: &mut Value, entries: &[DistEntry]) -> CoreResult<()> {
    let section = section_mut(values, &["indexd"])?;
    let env = section.entry(Value::from("env")).or_insert(Value::Null);
    if env.is_null() {
        *env = Value::Sequence(
            INDEXD_DEFAULT_ENV
                .iter()
                .map(|(n, v)| yaml_map(vec![("name", Value::from(*n)), ("value", Value::from(*v))]))
                .collect(),
        );
    }
    let Value::Sequence(env) = env else {
        return Err(CoreError::invalid("In the values file, indexd.env is not a list. Fix that key by hand first."));
    };
    let is_dist = |v: &Value| v.get("name").and_then(Value::as_str) == Some("DIST");
    let mut dist: Vec<serde_json::Value> = match env.iter().find(|v| is_dist(v)).and_then(|v| v.get("value")) {
        None => Vec::new(),
        Some(v) => v.as_str().and_then(|t| serde_json::from_str(t).ok()).ok_or_else(|| {
            CoreError::invalid(
                "In the values file, indexd.env's DIST is not a JSON list of resolver entries. Fix it by hand first.",
            )
        })?,
    };
    for e in entries {
        let json = serde_json::to_value(e)
            .map_err(|err| CoreError::invalid(format!("The indexd dist entry could not be written ({err}).")))?;
        match dist.iter_mut().find(|old| old.get("host").and_then(serde_json::Value::as_str) == Some(e.host.as_str())) {
            Some(old) => *old = json,
            None => dist.push(json),
        }
    }
    let text = serde_json::Value::Array(dist).to_string();
    let entry = yaml_map(vec![("name", Value::from("DIST")), ("value", Value::from(text))]);
    match env.iter_mut().find(|v| is_dist(v)) {
        Some(old) => *old = entry,
        None => env.push(entry),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_become_escaped_hints() {
        assert_eq!(prefix_hint("dg.MD1R/").as_deref(), Some(r".*dg\.MD1R.*"));
        assert_eq!(prefix_hint("dg.4503").as_deref(), Some(r".*dg\.4503.*"));
        assert_eq!(prefix_hint("a+b(c)/").as_deref(), Some(r".*a\+b\(c\).*"));
        assert_eq!(prefix_hint(" / "), None);
    }

    #[test]
    fn slugs_are_login_option_keys() {
        assert_eq!(slug("MIDRC Data Commons"), "midrc-data-commons");
        assert_eq!(slug("  Kids First! "), "kids-first");
    }
}
