//! user.yaml: fence's users and arborist's policies (GEN3.md 3.4). A serde model that keeps keys it
//! does not know, a builder from the wizard's access answers, and the reference checks `gen3users
//! validate` makes (every policy's roles and resources exist, every referenced policy exists, ...)
//! with the same wording, plus a few of our own (emails, duplicate resources).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Mapping;
use ts_rs::TS;

use super::{Finding, Severity};
use csoc_model::error::{CoreError, CoreResult};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserYaml {
    #[serde(default)]
    pub authz: Authz,
    #[serde(default)]
    pub clients: IndexMap<String, Client>,
    #[serde(default)]
    pub users: IndexMap<String, User>,
    #[serde(default)]
    pub cloud_providers: Mapping,
    #[serde(default)]
    pub groups: Mapping,
    #[serde(flatten)]
    pub extra: Mapping,
    /// Keys the file repeats within one map (`authz.roles`), last one kept as fence's PyYAML does.
    #[serde(skip)]
    pub duplicate_keys: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Authz {
    /// Policies anyone has, even without logging in.
    #[serde(default)]
    pub anonymous_policies: Vec<String>,
    /// Policies every logged-in user has.
    #[serde(default)]
    pub all_users_policies: Vec<String>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default)]
    pub policies: Vec<Policy>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    /// `None` when the key is missing, which gen3users rejects; an empty list is fine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subresources: Vec<Resource>,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub role_ids: Vec<String>,
    #[serde(default)]
    pub resource_paths: Vec<String>,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Permission {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub action: Action,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Action {
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub method: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Client {
    #[serde(default)]
    pub policies: Vec<String>,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Fence's own admin flag (its `/admin` endpoints), separate from arborist policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<IndexMap<String, String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    #[serde(flatten)]
    pub extra: Mapping,
}

/// The access answers the wizard collects, from which a complete user.yaml is built.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UserYamlSpec {
    /// Emails of the commons' administrators: every program, submission and indexd admin.
    #[serde(default)]
    pub admins: Vec<String>,
    #[serde(default)]
    pub programs: Vec<ProgramSpec>,
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    #[serde(default)]
    pub extra_policies: Vec<PolicySpec>,
    /// Extra resource paths (e.g. `/dashboard`) for extra policies to grant on.
    #[serde(default)]
    pub extra_resources: Vec<String>,
    /// Anyone, logged in or not, may read `/open` (peregrine, guppy and file downloads).
    #[serde(default)]
    pub open_data: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProgramSpec {
    pub name: String,
    #[serde(default)]
    pub projects: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupSpec {
    pub name: String,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub policies: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PolicySpec {
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub role_ids: Vec<String>,
    #[serde(default)]
    pub resource_paths: Vec<String>,
}

/// Methods arborist knows (gen3users' list); a typo such as `read_storage` grants nothing.
const KNOWN_METHODS: &[&str] = &[
    "*",
    "read",
    "read-storage",
    "write",
    "write-storage",
    "create",
    "update",
    "delete",
    "file_upload",
    "access",
    "upload",
    "launch",
];

/// Parses user.yaml text; errors name `file` and the line. A key repeated within a map is kept
/// (last wins, as fence reads it) and listed in `duplicate_keys`.
pub fn parse_user_yaml(text: &str, file: &str) -> CoreResult<UserYaml> {
    if text.trim().is_empty() {
        return Err(CoreError::invalid(format!("{file} is empty: a user.yaml needs at least an authz section.")));
    }
    csoc_model::operator_files::check_nesting(text, file)?;
    let invalid = |err: serde_yaml_ng::Error| {
        let place = err.location().map(|l| format!(" at line {}, column {}", l.line(), l.column())).unwrap_or_default();
        CoreError::invalid(format!(
            "{file} is not a valid user.yaml{place}: {}. Fix it there and check again.",
            strip_location(&err.to_string())
        ))
    };
    match serde_yaml_ng::from_str::<UserYaml>(text) {
        Ok(doc) => Ok(doc),
        Err(err) if err.to_string().starts_with("duplicate") || err.to_string().contains(": duplicate") => {
            let (value, duplicate_keys) = lenient::parse(text).map_err(invalid)?;
            // Read again from text, without the repeats, so an error still names its key path; its
            // line would be that of the rewritten text, so none is given.
            let deduplicated = serde_yaml_ng::to_string(&value).map_err(invalid)?;
            let mut doc = serde_yaml_ng::from_str::<UserYaml>(&deduplicated).map_err(|err| {
                CoreError::invalid(format!(
                    "{file} is not a valid user.yaml: {}. (It also repeats keys, so the line cannot be told.) \
                     Fix it and check again.",
                    strip_location(&err.to_string())
                ))
            })?;
            doc.duplicate_keys = duplicate_keys;
            Ok(doc)
        }
        Err(err) => Err(invalid(err)),
    }
}

/// YAML to a `Value` keeping the last of repeated keys, as PyYAML does; serde_yaml_ng refuses
/// repeated keys, and fence's own default user.yaml repeats `cloud_providers`.
mod lenient {
    use std::cell::RefCell;
    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
    use serde_yaml_ng::{Mapping, Value};

    pub(crate) fn parse(text: &str) -> Result<(Value, Vec<String>), serde_yaml_ng::Error> {
        let duplicates = RefCell::new(Vec::new());
        let value = Seed { path: String::new(), duplicates: &duplicates }
            .deserialize(serde_yaml_ng::Deserializer::from_str(text))?;
        Ok((value, duplicates.into_inner()))
    }

    struct Seed<'a> {
        path: String,
        duplicates: &'a RefCell<Vec<String>>,
    }

    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a YAML value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::Number(v.into()))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::Number(v.into()))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::Number(v.into()))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            self.deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(Seed {
                path: format!("{}.{}", self.path, items.len()),
                duplicates: self.duplicates,
            })? {
                items.push(item);
            }
            Ok(Value::Sequence(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Mapping::new();
            while let Some(key) = map.next_key_seed(Seed { path: self.path.clone(), duplicates: self.duplicates })? {
                let name = key.as_str().map(str::to_string).unwrap_or_else(|| format!("{key:?}"));
                let path = if self.path.is_empty() { name } else { format!("{}.{name}", self.path) };
                let value = map.next_value_seed(Seed { path: path.clone(), duplicates: self.duplicates })?;
                if out.insert(key, value).is_some() {
                    self.duplicates.borrow_mut().push(path);
                }
            }
            Ok(Value::Mapping(out))
        }
        fn visit_enum<A: EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
            Err(serde::de::Error::custom("tagged values (!tag) have no meaning in a user.yaml"))
        }
    }
}

/// serde_yaml_ng's description without its own trailing location (we say where, once).
fn strip_location(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

/// Everything gen3users rejects, plus emails that are not emails and duplicate sibling resources.
pub fn check_user_yaml(doc: &UserYaml) -> Vec<Finding> {
    let mut out = Vec::new();
    for key in &doc.duplicate_keys {
        out.push(Finding {
            severity: Severity::Warning,
            code: "duplicate_key".into(),
            message: format!("{key} appears twice in the same map; fence keeps the last one. Remove the other."),
            file: None,
            key: Some(key.clone()),
            acknowledgeable: false,
        });
    }
    let mut push = |code: &str, key: String, message: String| {
        out.push(Finding {
            severity: Severity::Error,
            code: code.into(),
            message,
            file: None,
            key: Some(key),
            acknowledgeable: false,
        })
    };
    let authz = &doc.authz;
    let paths = resource_paths(&authz.resources);
    let policy_ids: HashSet<&str> = authz.policies.iter().map(|p| p.id.as_str()).collect();
    let roles: HashMap<&str, &Role> = authz.roles.iter().map(|r| (r.id.as_str(), r)).collect();

    for (what, ids) in [
        ("policy id", authz.policies.iter().map(|p| p.id.as_str()).collect::<Vec<_>>()),
        ("role id", authz.roles.iter().map(|r| r.id.as_str()).collect()),
        ("group name", authz.groups.iter().map(|g| g.name.as_str()).collect()),
    ] {
        for dup in duplicates(&ids) {
            push("duplicate_id", "authz".into(), format!("Duplicate {what}s: \"{dup}\" is defined more than once."));
        }
    }
    duplicate_siblings(&authz.resources, "", &mut |parent, name| {
        push(
            "duplicate_id",
            "authz.resources".into(),
            format!(
                "Resource \"{name}\" appears twice under \"{}\"; merge the two entries.",
                if parent.is_empty() { "/" } else { parent }
            ),
        )
    });
    for program in authz.resources.iter().filter(|r| r.name == "programs").flat_map(|r| &r.subresources) {
        if program.name.contains('-') {
            push(
                "program_name_dash",
                "authz.resources".into(),
                format!(
                    "{}: Program names cannot contain '-' (Gen3 splits project ids at the first '-').",
                    program.name
                ),
            );
        }
    }

    for (i, policy) in authz.policies.iter().enumerate() {
        let key = format!("authz.policies.{i}");
        if policy.role_ids.is_empty() {
            push("policy_incomplete", key.clone(), format!("Policy \"{}\" does not have role_ids", policy.id));
        }
        if policy.resource_paths.is_empty() {
            push("policy_incomplete", key.clone(), format!("Policy \"{}\" does not have resource_paths", policy.id));
        }
        for path in &policy.resource_paths {
            if !path.starts_with('/') {
                push(
                    "policy_missing_resource",
                    key.clone(),
                    format!("Resource path \"{path}\" in policy \"{}\" should start with a \"/\"", policy.id),
                );
            } else if !paths.contains(path.as_str()) {
                push(
                    "policy_missing_resource",
                    key.clone(),
                    format!(
                        "Resource \"{path}\" in policy \"{}\" is not defined in resource tree: add it under \
                         authz.resources or fix the path.",
                        policy.id
                    ),
                );
            }
        }
        for role in policy.role_ids.iter().filter(|r| !roles.contains_key(r.as_str())) {
            push(
                "policy_missing_role",
                key.clone(),
                format!("Role \"{role}\" in policy \"{}\" is not defined in list of roles", policy.id),
            );
        }
    }

    for (i, role) in authz.roles.iter().enumerate() {
        let key = format!("authz.roles.{i}");
        if role.permissions.is_empty() {
            push("role_incomplete", key.clone(), format!("permissions not specified for role {}", role.id));
        }
        for perm in &role.permissions {
            let label = if perm.id.is_empty() { "(no id)" } else { perm.id.as_str() };
            if perm.id.is_empty() {
                push("role_incomplete", key.clone(), format!("A permission in role {} has no id", role.id));
            }
            if perm.action.service.is_empty() {
                push(
                    "role_incomplete",
                    key.clone(),
                    format!("service is not specified for action permission {label} in role {}", role.id),
                );
            }
            if !KNOWN_METHODS.contains(&perm.action.method.as_str()) {
                push(
                    "unknown_method",
                    key.clone(),
                    format!(
                        "Method '{}' for '{}' is not one of the known methods: {}",
                        perm.action.method,
                        role.id,
                        KNOWN_METHODS.join(", ")
                    ),
                );
            }
        }
    }

    let mut undefined = |policy: &str, whose: String, key: String| {
        if !policy_ids.contains(policy) {
            push("undefined_policy", key, format!("Policy \"{policy}\" {whose} is not defined in list of policies"));
        }
    };
    for (list, key) in
        [(&authz.anonymous_policies, "anonymous_policies"), (&authz.all_users_policies, "all_users_policies")]
    {
        for p in list {
            undefined(p, format!("in group \"{key}\""), format!("authz.{key}"));
        }
    }
    for (i, group) in authz.groups.iter().enumerate() {
        for p in group.policies.iter().flatten() {
            undefined(p, format!("in group \"{}\"", group.name), format!("authz.groups.{i}.policies"));
        }
    }
    for (name, client) in &doc.clients {
        for p in &client.policies {
            undefined(p, format!("for client \"{name}\""), format!("clients.{name}"));
        }
    }
    for (name, user) in &doc.users {
        for p in &user.policies {
            undefined(p, format!("for user \"{name}\""), format!("users.{name}"));
        }
    }

    for (i, group) in authz.groups.iter().enumerate() {
        let key = format!("authz.groups.{i}");
        if group.policies.is_none() {
            push("group_incomplete", key.clone(), format!("Group \"{}\" does not have policies", group.name));
        }
        let Some(users) = &group.users else {
            push("group_incomplete", key, format!("Group \"{}\" does not have users", group.name));
            continue;
        };
        for user in users.iter().filter(|u| !doc.users.contains_key(*u)) {
            push(
                "group_unknown_user",
                key.clone(),
                format!(
                    "User \"{user}\" in group \"{}\" is not defined in main user list: add it under users.",
                    group.name
                ),
            );
        }
        for dup in duplicates(&users.iter().map(String::as_str).collect::<Vec<_>>()) {
            push("group_unknown_user", key.clone(), format!("Duplicate users in group \"{}\": {dup}", group.name));
        }
    }

    for (name, user) in &doc.users {
        if name.contains('@') && !looks_like_email(name) {
            push(
                "invalid_email",
                format!("users.{name}"),
                format!("User \"{name}\" has an '@' but is not a valid email address."),
            );
        }
        if let Some(email) = user.tags.as_ref().and_then(|t| t.get("email")) {
            if !looks_like_email(email) {
                push(
                    "invalid_email",
                    format!("users.{name}.tags.email"),
                    format!("The email tag of user \"{name}\" (\"{email}\") is not a valid email address."),
                );
            }
        }
    }

    // gen3users' "roles security" check: a public policy must not grant `service: '*'`.
    let policies: HashMap<&str, &Policy> = authz.policies.iter().map(|p| (p.id.as_str(), p)).collect();
    for (list, group) in
        [(&authz.anonymous_policies, "anonymous_policies"), (&authz.all_users_policies, "all_users_policies")]
    {
        for policy in list.iter().filter_map(|p| policies.get(p.as_str())) {
            for role in policy.role_ids.iter().filter_map(|r| roles.get(r.as_str())) {
                for perm in role.permissions.iter().filter(|p| p.action.service == "*") {
                    push(
                        "public_broad_role",
                        format!("authz.{group}"),
                        format!(
                            "Permission '{}' in role '{}' in policy '{}' has 'service = *'. This is unsecure \
                             because policy '{}' is granted to public group '{group}'. Restrict it to specific \
                             services, e.g. read in peregrine, read in guppy and read-storage in fence.",
                            perm.id, role.id, policy.id, policy.id
                        ),
                    );
                }
            }
        }
    }
    out
}

/// Every path of the resource tree (`/programs`, `/programs/P`, ...).
fn resource_paths(resources: &[Resource]) -> HashSet<String> {
    fn walk(prefix: &str, resources: &[Resource], out: &mut HashSet<String>) {
        for r in resources {
            let path = format!("{prefix}/{}", r.name);
            walk(&path, &r.subresources, out);
            out.insert(path);
        }
    }
    let mut out = HashSet::new();
    walk("", resources, &mut out);
    out
}

fn duplicate_siblings(resources: &[Resource], parent: &str, report: &mut impl FnMut(&str, &str)) {
    for dup in duplicates(&resources.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()) {
        report(parent, dup);
    }
    for r in resources {
        duplicate_siblings(&r.subresources, &format!("{parent}/{}", r.name), report);
    }
}

fn duplicates<'a>(items: &[&'a str]) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    let mut dups = Vec::new();
    for item in items {
        if !seen.insert(*item) && !dups.contains(item) {
            dups.push(*item);
        }
    }
    dups
}

/// A plain `local@domain.tld` address, no spaces; enough to catch typos, not RFC 5322.
pub(crate) fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

// ---------------------------------------------------------------------------------------------
// Building a conventional user.yaml from the wizard's answers.

const ADMIN_GROUP: &str = "administrators";

fn role(id: &str, perms: &[(&str, &str, &str)]) -> Role {
    Role {
        id: id.into(),
        description: None,
        permissions: perms
            .iter()
            .map(|(pid, service, method)| Permission {
                id: (*pid).into(),
                action: Action { service: (*service).into(), method: (*method).into() },
                extra: Mapping::new(),
            })
            .collect(),
        extra: Mapping::new(),
    }
}

/// The roles fence's `docs/base_user.yaml` defines, plus sower's `sower_user`.
fn standard_roles() -> Vec<Role> {
    vec![
        role("admin", &[("admin", "*", "*")]),
        role("creator", &[("creator", "*", "create")]),
        role("reader", &[("reader", "*", "read")]),
        role("updater", &[("updater", "*", "update")]),
        role("deleter", &[("deleter", "*", "delete")]),
        role("storage_reader", &[("storage_reader", "*", "read-storage")]),
        role("storage_writer", &[("storage_creator", "*", "write-storage")]),
        role("file_uploader", &[("file_upload", "fence", "file_upload")]),
        role("workspace_user", &[("workspace_access", "jupyterhub", "access")]),
        role("sower_user", &[("sower_access", "job", "access")]),
        role("sheepdog_admin", &[("sheepdog_admin_action", "sheepdog", "*")]),
        role("indexd_admin", &[("indexd_admin", "indexd", "*")]),
        role("peregrine_reader", &[("peregrine_reader", "peregrine", "read")]),
        role("guppy_reader", &[("guppy_reader", "guppy", "read")]),
        role("fence_storage_reader", &[("fence_storage_reader", "fence", "read-storage")]),
    ]
}

fn policy(id: &str, description: &str, role_ids: &[&str], resource_paths: Vec<String>) -> Policy {
    Policy {
        id: id.into(),
        description: (!description.is_empty()).then(|| description.to_string()),
        role_ids: role_ids.iter().map(|r| r.to_string()).collect(),
        resource_paths,
        extra: Mapping::new(),
    }
}

const SUBMITTER_ROLES: &[&str] = &["reader", "creator", "updater", "deleter", "storage_reader", "storage_writer"];
const READER_ROLES: &[&str] = &["reader", "storage_reader"];
const PUBLIC_READER_ROLES: &[&str] = &["peregrine_reader", "guppy_reader", "fence_storage_reader"];

fn program_policy_id(program: &str, project: Option<&str>, what: &str) -> String {
    match project {
        None => format!("programs.{program}-{what}"),
        Some(q) => format!("programs.{program}.projects.{q}-{what}"),
    }
}

/// The policies every built user.yaml has, and the ones the administrators group gets.
fn standard_policies() -> (Vec<Policy>, Vec<&'static str>) {
    let p = |s: &str| vec![s.to_string()];
    let sheepdog =
        vec!["/services/sheepdog/submission/program".to_string(), "/services/sheepdog/submission/project".into()];
    let policies = vec![
        policy("all_programs_admin", "every action on every program and project", &["admin"], p("/programs")),
        policy("all_programs_reader", "read every program and project", PUBLIC_READER_ROLES, p("/programs")),
        policy("services.sheepdog-admin", "CRUD access to programs and projects", &["sheepdog_admin"], sheepdog),
        policy("indexd_admin", "full access to indexd API", &["indexd_admin"], p("/programs")),
        policy("data_upload", "upload raw data files to S3", &["file_uploader"], p("/data_file")),
        policy("workspace", "be able to use workspace", &["workspace_user"], p("/workspace")),
        policy("sower", "be able to use sower job", &["sower_user"], p("/sower")),
        policy("open_data_reader", "read the open data", PUBLIC_READER_ROLES, p("/open")),
    ];
    let admin =
        vec!["all_programs_admin", "services.sheepdog-admin", "indexd_admin", "data_upload", "workspace", "sower"];
    (policies, admin)
}

fn leaf(name: &str) -> Resource {
    Resource { name: name.into(), subresources: Vec::new(), extra: Mapping::new() }
}

/// Adds `/a/b/c` to the tree, creating the missing levels; false if the path is not `/x[/y...]`.
fn add_path(tree: &mut Vec<Resource>, path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else { return false };
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.iter().any(|p| !valid_name(p)) {
        return false;
    }
    let mut level = tree;
    for part in parts {
        let i = match level.iter().position(|r| r.name == part) {
            Some(i) => i,
            None => {
                level.push(leaf(part));
                level.len() - 1
            }
        };
        level = &mut level[i].subresources;
    }
    true
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Builds the user.yaml document for the wizard's answers; problems in the answers are one
/// `invalid` error listing them all.
pub(crate) fn build_user_yaml_doc(spec: &UserYamlSpec) -> CoreResult<UserYaml> {
    let mut problems = Vec::new();
    let (mut policies, admin_policies) = standard_policies();

    for admin in &spec.admins {
        if !looks_like_email(admin) {
            problems.push(format!("Administrator \"{admin}\" is not an email address."));
        }
    }

    let mut tree = vec![leaf("workspace"), leaf("data_file"), leaf("sower"), leaf("open")];
    for path in ["/services/sheepdog/submission/program", "/services/sheepdog/submission/project", "/programs"] {
        add_path(&mut tree, path);
    }
    let mut seen_programs = HashSet::new();
    for program in &spec.programs {
        let name = program.name.trim();
        if !valid_name(name) || name.contains('-') {
            problems.push(format!(
                "Program \"{name}\" is not a valid program name: use letters, digits, '_' and '.', no '-' (Gen3 \
                 splits project ids at the first '-')."
            ));
            continue;
        }
        if !seen_programs.insert(name) {
            problems.push(format!("Program \"{name}\" is listed twice."));
            continue;
        }
        add_path(&mut tree, &format!("/programs/{name}/projects"));
        let program_path = format!("/programs/{name}");
        policies.push(policy(
            &program_policy_id(name, None, "submitter"),
            "",
            SUBMITTER_ROLES,
            vec![program_path.clone()],
        ));
        policies.push(policy(&program_policy_id(name, None, "reader"), "", READER_ROLES, vec![program_path]));
        let mut seen_projects = HashSet::new();
        for project in &program.projects {
            let q = project.trim();
            if !valid_name(q) {
                problems.push(format!(
                    "Project \"{q}\" of program \"{name}\" is not a valid project name: use letters, digits, \
                     '_', '-' and '.'."
                ));
                continue;
            }
            if !seen_projects.insert(q) {
                problems.push(format!("Project \"{q}\" is listed twice in program \"{name}\"."));
                continue;
            }
            let path = format!("/programs/{name}/projects/{q}");
            add_path(&mut tree, &path);
            policies.push(policy(
                &program_policy_id(name, Some(q), "submitter"),
                "",
                SUBMITTER_ROLES,
                vec![path.clone()],
            ));
            policies.push(policy(&program_policy_id(name, Some(q), "reader"), "", READER_ROLES, vec![path]));
        }
    }
    for path in &spec.extra_resources {
        if !add_path(&mut tree, path.trim()) {
            problems.push(format!(
                "Extra resource \"{path}\" is not a resource path: write it as /name[/name...] with letters, \
                 digits, '_', '-' and '.'."
            ));
        }
    }

    let roles = standard_roles();
    let paths = resource_paths(&tree);
    for extra in &spec.extra_policies {
        let id = extra.id.trim();
        if id.is_empty() {
            problems.push("An extra policy has no id.".into());
            continue;
        }
        if policies.iter().any(|p| p.id == id) {
            problems
                .push(format!("Extra policy \"{id}\" has the id of a policy the wizard already writes; rename it."));
            continue;
        }
        if extra.role_ids.is_empty() || extra.resource_paths.is_empty() {
            problems.push(format!("Extra policy \"{id}\" needs at least one role and one resource path."));
        }
        for r in extra.role_ids.iter().filter(|r| !roles.iter().any(|x| &x.id == *r)) {
            let known: Vec<&str> = roles.iter().map(|x| x.id.as_str()).collect();
            problems
                .push(format!("Extra policy \"{id}\" uses role \"{r}\", which is not one of {}.", known.join(", ")));
        }
        for path in extra.resource_paths.iter().filter(|p| !paths.contains(p.as_str())) {
            problems.push(format!(
                "Extra policy \"{id}\" grants on \"{path}\", which is not in the resource tree: add the program or \
                 project, or list the path under extra resources."
            ));
        }
        let role_ids: Vec<&str> = extra.role_ids.iter().map(String::as_str).collect();
        policies.push(policy(id, extra.description.trim(), &role_ids, extra.resource_paths.clone()));
    }

    let mut users: IndexMap<String, User> = IndexMap::new();
    for admin in &spec.admins {
        users.insert(admin.trim().to_string(), User { admin: Some(true), ..User::default() });
    }
    let mut groups = Vec::new();
    if !spec.admins.is_empty() {
        groups.push(Group {
            name: ADMIN_GROUP.into(),
            policies: Some(admin_policies.iter().map(|p| p.to_string()).collect()),
            users: Some(spec.admins.iter().map(|a| a.trim().to_string()).collect()),
            extra: Mapping::new(),
        });
    }
    let mut seen_groups = HashSet::from([ADMIN_GROUP]);
    for group in &spec.groups {
        let name = group.name.trim();
        if !valid_name(name) {
            problems.push(format!("Group \"{name}\" needs a name of letters, digits, '_', '-' and '.'."));
            continue;
        }
        if !seen_groups.insert(name) {
            problems.push(format!("Group \"{name}\" is listed twice (\"{ADMIN_GROUP}\" is the wizard's own)."));
            continue;
        }
        for p in group.policies.iter().filter(|p| !policies.iter().any(|x| &x.id == *p)) {
            problems.push(format!("Group \"{name}\" has policy \"{p}\", which is not defined."));
        }
        let mut members = Vec::new();
        for user in &group.users {
            let user = user.trim();
            if user.is_empty()
                || user.chars().any(char::is_whitespace)
                || (user.contains('@') && !looks_like_email(user))
            {
                problems
                    .push(format!("Group \"{name}\" has user \"{user}\", which is not a valid user name or email."));
                continue;
            }
            if !members.iter().any(|m| m == user) {
                members.push(user.to_string());
            }
            users.entry(user.to_string()).or_default();
        }
        groups.push(Group {
            name: name.into(),
            policies: Some(group.policies.clone()),
            users: Some(members),
            extra: Mapping::new(),
        });
    }

    if !problems.is_empty() {
        return Err(CoreError::invalid(format!("The access answers cannot make a user.yaml: {}", problems.join(" "))));
    }
    let public = if spec.open_data { vec!["open_data_reader".to_string()] } else { Vec::new() };
    let clients = IndexMap::from([(
        "wts".to_string(),
        Client { policies: vec!["all_programs_reader".into(), "open_data_reader".into()], extra: Mapping::new() },
    )]);
    Ok(UserYaml {
        authz: Authz {
            anonymous_policies: public.clone(),
            all_users_policies: public,
            groups,
            resources: tree,
            policies,
            roles,
            extra: Mapping::new(),
        },
        clients,
        users,
        cloud_providers: Mapping::new(),
        groups: Mapping::new(),
        extra: Mapping::new(),
        duplicate_keys: Vec::new(),
    })
}

/// The user.yaml text for the wizard's answers.
pub fn build_user_yaml(spec: &UserYamlSpec) -> CoreResult<String> {
    to_text(&build_user_yaml_doc(spec)?)
}

/// A user.yaml document as YAML text.
pub(crate) fn to_text(doc: &UserYaml) -> CoreResult<String> {
    let body = serde_yaml_ng::to_string(doc).map_err(|err| {
        tracing::error!(error = %err, "user.yaml serialization failed");
        CoreError::invalid("The user.yaml could not be written out as YAML; details are in the log file.")
    })?;
    Ok(format!("# user.yaml written by Gen3 CSOC Desktop from the commons' access answers.\n{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert!(looks_like_email("a.b@example.org"));
        for bad in ["a@b", "@example.org", "a@@example.org", "a b@example.org", "a@example..org", "a@.org"] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn add_path_creates_levels_once() {
        let mut tree = Vec::new();
        assert!(add_path(&mut tree, "/a/b"));
        assert!(add_path(&mut tree, "/a/c"));
        assert!(!add_path(&mut tree, "a/b"));
        assert!(!add_path(&mut tree, "/a//b"));
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].subresources.len(), 2);
    }
}
