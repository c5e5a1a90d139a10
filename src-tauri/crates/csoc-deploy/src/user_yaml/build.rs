//! Building a conventional user.yaml from the wizard's access answers.

use std::collections::HashSet;

use super::*;
use csoc_model::error::{CoreError, CoreResult};

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
pub(super) fn add_path(tree: &mut Vec<Resource>, path: &str) -> bool {
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
