//! user.yaml: fence's users and arborist's policies (GEN3.md 3.4). A serde model that keeps keys it
//! does not know, a builder from the wizard's access answers, and the reference checks `gen3users
//! validate` makes (every policy's roles and resources exist, every referenced policy exists, ...)
//! with the same wording, plus a few of our own (emails, duplicate resources). This module holds the
//! model and the reader; `check` the checks, `build` the builder.

mod build;
mod check;

pub(crate) use build::build_user_yaml;
pub(crate) use check::check_user_yaml;

use std::collections::HashSet;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Mapping;
use ts_rs::TS;

use csoc_model::error::{CoreError, CoreResult};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct UserYaml {
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
pub(crate) struct Authz {
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
pub(crate) struct Group {
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
pub(crate) struct Resource {
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
pub(crate) struct Role {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Permission {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub action: Action,
    #[serde(flatten)]
    pub extra: Mapping,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Action {
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
pub(crate) struct User {
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

/// Parses user.yaml text; errors name `file` and the line. A key repeated within a map is kept
/// (last wins, as fence reads it) and listed in `duplicate_keys`.
pub(crate) fn parse_user_yaml(text: &str, file: &str) -> CoreResult<UserYaml> {
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

/// Every path of the resource tree (`/programs`, `/programs/P`, ...).
pub(super) fn resource_paths(resources: &[Resource]) -> HashSet<String> {
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

#[cfg(test)]
mod tests {
    use super::build::add_path;
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
