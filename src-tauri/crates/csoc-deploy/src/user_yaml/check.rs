//! The reference checks `gen3users validate` makes, with its wording, plus ours (emails that are
//! not emails, duplicate sibling resources).

use std::collections::{HashMap, HashSet};

use super::{looks_like_email, resource_paths, Policy, Resource, Role, UserYaml};
use crate::{Finding, Severity};

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
