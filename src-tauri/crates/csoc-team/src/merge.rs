//! The three-way merge of one record (a commons or a mesh): the last synced base, this operator's
//! copy and the repository's. Different fields merge; the same field changed on both sides is a
//! conflict that keeps both values: the repository keeps theirs, this inventory keeps mine, and
//! the base becomes what the repository holds, so resolving is "set mine to the chosen value".

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A record's fields by name (what its YAML file holds, without the key).
pub(crate) type Fields = BTreeMap<String, Value>;

/// The field name of a conflict about the whole record (deleted on one side, edited on the other).
pub(crate) const WHOLE_RECORD: &str = "*";

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conflict {
    pub field: String,
    /// `Null` for a record this side deleted.
    pub mine: Value,
    pub theirs: Value,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Outcome {
    /// What the repository holds after the sync (and so the new base).
    pub merged: Option<Fields>,
    /// What this inventory holds after the sync.
    pub local: Option<Fields>,
    /// Conflicts open after this merge (new ones and those still open, with theirs brought up to date).
    pub conflicts: Vec<Conflict>,
}

/// Merges one record. `held` names its fields with an open conflict ([`WHOLE_RECORD`] for the record):
/// they are left as they are on both sides until the operator resolves them.
pub(crate) fn merge(
    base: Option<&Fields>,
    mine: Option<&Fields>,
    theirs: Option<&Fields>,
    held: &BTreeSet<String>,
) -> Outcome {
    let whole = |mine: Option<&Fields>, theirs: Option<&Fields>| Outcome {
        merged: theirs.cloned(),
        local: mine.cloned(),
        conflicts: vec![Conflict {
            field: WHOLE_RECORD.into(),
            mine: record_value(mine),
            theirs: record_value(theirs),
        }],
    };
    let field_held = held.iter().any(|f| f != WHOLE_RECORD);
    if held.contains(WHOLE_RECORD) || (field_held && (mine.is_none() || theirs.is_none())) {
        return whole(mine, theirs);
    }
    if !field_held {
        if mine == theirs || base == mine {
            return Outcome { merged: theirs.cloned(), local: theirs.cloned(), conflicts: Vec::new() };
        }
        if base == theirs {
            return Outcome { merged: mine.cloned(), local: mine.cloned(), conflicts: Vec::new() };
        }
    }
    let (Some(mine), Some(theirs)) = (mine, theirs) else {
        // Deleted on one side, changed on the other.
        return whole(mine, theirs);
    };
    let empty = Fields::new();
    let base = base.unwrap_or(&empty);
    let mut merged = Fields::new();
    let mut local = Fields::new();
    let mut conflicts = Vec::new();
    let names: BTreeSet<&String> = mine.keys().chain(theirs.keys()).collect();
    for name in names {
        let (b, m, t) = (base.get(name), mine.get(name), theirs.get(name));
        let pick = if held.contains(name.as_str()) {
            None
        } else if m == t || b == m {
            Some(t)
        } else if b == t {
            Some(m)
        } else {
            None
        };
        match pick {
            Some(v) => {
                if let Some(v) = v {
                    merged.insert(name.clone(), v.clone());
                    local.insert(name.clone(), v.clone());
                }
            }
            None => {
                if let Some(t) = t {
                    merged.insert(name.clone(), t.clone());
                }
                if let Some(m) = m {
                    local.insert(name.clone(), m.clone());
                }
                conflicts.push(Conflict {
                    field: name.clone(),
                    mine: m.cloned().unwrap_or(Value::Null),
                    theirs: t.cloned().unwrap_or(Value::Null),
                });
            }
        }
    }
    Outcome { merged: Some(merged), local: Some(local), conflicts }
}

/// A whole record as one value (`null` when deleted), for a record conflict.
pub(crate) fn record_value(fields: Option<&Fields>) -> Value {
    fields.map_or(Value::Null, |f| Value::Object(f.clone().into_iter().collect()))
}

/// The record a whole-record value stands for.
pub(crate) fn record_fields(value: &Value) -> Option<Fields> {
    value.as_object().map(|o| o.clone().into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(pairs: &[(&str, Value)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn different_fields_merge_and_the_same_field_conflicts_keeping_both() {
        let base = rec(&[("owner", json!("a")), ("notes", json!("")), ("contact", json!("x"))]);
        let mine = rec(&[("owner", json!("alice")), ("notes", json!("")), ("contact", json!("mine@x"))]);
        let theirs = rec(&[("owner", json!("a")), ("notes", json!("rotated")), ("contact", json!("theirs@x"))]);
        let out = merge(Some(&base), Some(&mine), Some(&theirs), &BTreeSet::new());
        let merged = out.merged.unwrap();
        assert_eq!(merged["owner"], json!("alice"));
        assert_eq!(merged["notes"], json!("rotated"));
        assert_eq!(merged["contact"], json!("theirs@x"), "the repository keeps theirs while in conflict");
        assert_eq!(out.local.unwrap()["contact"], json!("mine@x"), "this inventory keeps mine");
        assert_eq!(
            out.conflicts,
            vec![Conflict { field: "contact".into(), mine: json!("mine@x"), theirs: json!("theirs@x") }]
        );
    }

    #[test]
    fn a_deletion_wins_over_nothing_and_conflicts_with_an_edit() {
        let base = rec(&[("owner", json!("a"))]);
        let edited = rec(&[("owner", json!("b"))]);
        let gone = merge(Some(&base), None, Some(&base), &BTreeSet::new());
        assert_eq!((gone.merged, gone.local), (None, None));
        let out = merge(Some(&base), None, Some(&edited), &BTreeSet::new());
        assert_eq!(out.merged, Some(edited.clone()), "their edit stays in the repository");
        assert_eq!(out.local, None);
        assert_eq!(out.conflicts[0].field, WHOLE_RECORD);
        assert_eq!(out.conflicts[0].mine, Value::Null);
    }

    #[test]
    fn held_fields_stay_apart_until_resolved() {
        let base = rec(&[("owner", json!("t1"))]);
        let mine = rec(&[("owner", json!("m"))]);
        let theirs = rec(&[("owner", json!("t2"))]);
        let held: BTreeSet<String> = ["owner".to_string()].into();
        let out = merge(Some(&base), Some(&mine), Some(&theirs), &held);
        assert_eq!(out.merged.unwrap()["owner"], json!("t2"));
        assert_eq!(out.local.unwrap()["owner"], json!("m"));
        assert_eq!(out.conflicts[0].theirs, json!("t2"));
    }
}
