//! Edits of existing YAML files that keep everything the edit does not touch: comments, key
//! order, quoting, blank lines and layout. An imported commons written again without edits is the
//! same bytes, and an edit changes only its own lines, so the operator's pull request is
//! reviewable.
//!
//! The edit is computed as the structural difference between what the file said and what it must
//! say, and applied with `yamlpatch` (format-preserving patches over a concrete syntax tree). The
//! result is parsed again and compared with what was meant; where a patch cannot express a change
//! (a multi-line flow mapping, duplicate keys), the top-level block is replaced instead, and only
//! if that fails too is the file written afresh, which the caller reports.

use serde_yaml_ng::Value;
use yamlpatch::{Op, Patch};
use yamlpath::{Component, Route};

use super::yaml::{double_quoted, json_to_yaml, parse_values_lenient, to_yaml, yaml_to_json};

/// One step of a path into a YAML document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// One difference between two documents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// `path` holds `value` (replacing what was there, or added to its parent mapping).
    Set(Vec<Step>, Value),
    Remove(Vec<Step>),
}

/// How a file was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Byte for byte as it was: nothing changed.
    Unchanged,
    /// Only the changed lines differ.
    Kept,
    /// Whole top-level blocks were rewritten (their comments inside are lost).
    BlocksRewritten,
    /// The file was written afresh (its comments and layout are lost).
    Rewritten,
}

/// What an edit produced.
#[derive(Debug, Clone)]
pub(crate) struct Edited {
    pub text: String,
    pub layout: Layout,
}

/// Values as compared here: through JSON, as the drafts hold them, so that a tag or a non-string
/// key reads the same on both sides.
pub(crate) fn normalized(value: &Value) -> Value {
    json_to_yaml(&yaml_to_json(value))
}

/// The changes that turn `before` into `after`, as deep as both sides stay mappings (or lists of
/// the same length), so that one changed leaf is one change.
pub(crate) fn changes(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff(&mut Vec::new(), before, after, &mut out);
    out
}

fn diff(path: &mut Vec<Step>, before: &Value, after: &Value, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Mapping(b), Value::Mapping(a)) if !b.is_empty() || path.is_empty() => {
            for (key, old) in b {
                let Some(name) = key.as_str() else { continue };
                path.push(Step::Key(name.to_string()));
                match a.get(key) {
                    Some(new) => diff(path, old, new, out),
                    None => out.push(Change::Remove(path.clone())),
                }
                path.pop();
            }
            for (key, new) in a {
                let Some(name) = key.as_str() else { continue };
                if !b.contains_key(key) {
                    path.push(Step::Key(name.to_string()));
                    out.push(Change::Set(path.clone(), new.clone()));
                    path.pop();
                }
            }
        }
        (Value::Sequence(b), Value::Sequence(a)) if b.len() == a.len() && !b.is_empty() => {
            for (i, (old, new)) in b.iter().zip(a).enumerate() {
                path.push(Step::Index(i));
                diff(path, old, new, out);
                path.pop();
            }
        }
        _ => out.push(Change::Set(path.clone(), after.clone())),
    }
}

/// Applies `change` to a parsed document, creating mappings on the way.
pub(crate) fn apply(doc: &mut Value, change: &Change) {
    match change {
        Change::Set(path, value) => {
            let mut current = doc;
            for step in path {
                current = match step {
                    Step::Key(k) => {
                        if !current.is_mapping() {
                            *current = Value::Mapping(Default::default());
                        }
                        let Value::Mapping(map) = current else { return };
                        map.entry(Value::String(k.clone())).or_insert(Value::Null)
                    }
                    Step::Index(i) => match current.as_sequence_mut().and_then(|s| s.get_mut(*i)) {
                        Some(next) => next,
                        None => return,
                    },
                };
            }
            *current = value.clone();
        }
        Change::Remove(path) => {
            let Some((last, parents)) = path.split_last() else {
                *doc = Value::Null;
                return;
            };
            let Some(parent) = walk_mut(doc, parents) else { return };
            match (parent, last) {
                (Value::Mapping(map), Step::Key(k)) => {
                    map.shift_remove(k.as_str());
                }
                (Value::Sequence(seq), Step::Index(i)) if *i < seq.len() => {
                    seq.remove(*i);
                }
                _ => {}
            }
        }
    }
}

/// Whether `path` names something in `doc`.
pub(crate) fn exists(doc: &Value, path: &[Step]) -> bool {
    walk(doc, path).is_some()
}

/// How many leading steps of `path` exist in `doc`.
pub(crate) fn existing_depth(doc: &Value, path: &[Step]) -> usize {
    (0..=path.len()).rev().find(|n| walk(doc, &path[..*n]).is_some()).unwrap_or(0)
}

fn walk<'a>(doc: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |cur, step| match step {
        Step::Key(k) => cur.as_mapping()?.get(k.as_str()),
        Step::Index(i) => cur.as_sequence()?.get(*i),
    })
}

fn walk_mut<'a>(doc: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |cur, step| match step {
        Step::Key(k) => cur.as_mapping_mut()?.get_mut(k.as_str()),
        Step::Index(i) => cur.as_sequence_mut()?.get_mut(*i),
    })
}

/// Writes `after` into the file whose text is `original` (and which says `before`), changing as
/// little of the text as the change allows.
pub(crate) fn edit_text(original: &str, before: &Value, after: &Value) -> Edited {
    let (before, after) = (normalized(before), normalized(after));
    if before == after {
        return Edited { text: original.to_string(), layout: Layout::Unchanged };
    }
    let fresh = || Edited { text: to_yaml(&after), layout: Layout::Rewritten };
    if original.trim().is_empty() || !before.is_mapping() || !after.is_mapping() {
        return fresh();
    }
    let fine = |changes: &[Change]| patched(original, &before, changes).filter(|text| says(text, &after));
    if let Some(text) = fine(&changes(&before, &after)) {
        return Edited { text, layout: Layout::Kept };
    }
    if let Some(text) = fine(&top_level_changes(&before, &after)) {
        return Edited { text, layout: Layout::BlocksRewritten };
    }
    fresh()
}

/// Whether `text` parses to `expected`, as Helm's templates see it: a plain number written for a
/// string (see [`renders_as_written`]) prints as that string.
fn says(text: &str, expected: &Value) -> bool {
    parse_values_lenient(text, "edited file").is_ok_and(|(value, _)| same_for_helm(&normalized(&value), expected))
}

fn same_for_helm(written: &Value, expected: &Value) -> bool {
    match (written, expected) {
        (Value::Mapping(w), Value::Mapping(e)) => {
            w.len() == e.len() && w.iter().all(|(k, v)| e.get(k).is_some_and(|x| same_for_helm(v, x)))
        }
        (Value::Sequence(w), Value::Sequence(e)) => {
            w.len() == e.len() && w.iter().zip(e).all(|(v, x)| same_for_helm(v, x))
        }
        (Value::Number(n), Value::String(s)) => renders_as_written(s) && n.to_string() == *s,
        _ => written == expected,
    }
}

/// The changes as whole top-level blocks: coarser, but each is a plain replace, add or remove.
fn top_level_changes(before: &Value, after: &Value) -> Vec<Change> {
    let (Some(b), Some(a)) = (before.as_mapping(), after.as_mapping()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, old) in b {
        let Some(name) = key.as_str() else { continue };
        match a.get(key) {
            Some(new) if new != old => out.push(Change::Set(vec![Step::Key(name.into())], new.clone())),
            Some(_) => {}
            None => out.push(Change::Remove(vec![Step::Key(name.into())])),
        }
    }
    for (key, new) in a {
        if let (Some(name), false) = (key.as_str(), b.contains_key(key)) {
            out.push(Change::Set(vec![Step::Key(name.into())], new.clone()));
        }
    }
    out
}

fn route(path: &[Step]) -> Route<'static> {
    Route::from(
        path.iter()
            .map(|s| match s {
                Step::Key(k) => Component::Key(k.clone().into()),
                Step::Index(i) => Component::Index(*i),
            })
            .collect::<Vec<_>>(),
    )
}

fn patch_value(value: &Value) -> Option<yaml_serde::Value> {
    yaml_serde::to_value(normalized(value)).ok()
}

/// The text with `changes` applied one at a time, or None where one cannot be expressed.
fn patched(original: &str, before: &Value, changes: &[Change]) -> Option<String> {
    let mut text = original.to_string();
    for change in changes {
        text = apply_one(&text, before, change)?;
    }
    Some(text)
}

fn apply_one(text: &str, before: &Value, change: &Change) -> Option<String> {
    let document = yamlpath::Document::new(text.to_string()).ok()?;
    let operation = match change {
        Change::Set(path, value) if exists(before, path) => {
            if let Some(edited) = replace_scalar(&document, path, walk(before, path)?, value) {
                return Some(edited);
            }
            Op::Replace(patch_value(value)?)
        }
        Change::Set(path, value) => {
            let (Step::Key(key), parent) = path.split_last()? else { return None };
            return apply_patch(&document, route(parent), Op::Add { key: key.clone(), value: patch_value(value)? });
        }
        Change::Remove(_) => Op::Remove,
    };
    let path = match change {
        Change::Set(path, _) | Change::Remove(path) => path,
    };
    apply_patch(&document, route(path), operation)
}

fn apply_patch(document: &yamlpath::Document, route: Route<'static>, operation: Op<'static>) -> Option<String> {
    let edited = yamlpatch::apply_yaml_patches(document, &[Patch { route, operation }]).ok()?;
    Some(edited.source().to_string())
}

/// A scalar replaced by a scalar in the quoting style it had (`tag: "2025.12"` stays double
/// quoted), which yamlpatch does not keep. None when the old value is not a one-line scalar.
fn replace_scalar(document: &yamlpath::Document, path: &[Step], old: &Value, new: &Value) -> Option<String> {
    if !matches!(old, Value::String(_) | Value::Number(_) | Value::Bool(_))
        || !matches!(new, Value::String(_) | Value::Number(_) | Value::Bool(_))
    {
        return None;
    }
    let feature = document.query_exact(&route(path)).ok()??;
    let (start, end) = feature.location.byte_span;
    let written = document.extract(&feature);
    if written.contains('\n') || written.starts_with('|') || written.starts_with('>') {
        return None;
    }
    let text = match new {
        Value::String(s) if written.starts_with('"') => double_quoted(s),
        Value::String(s) if written.starts_with('\'') => format!("'{}'", s.replace('\'', "''")),
        Value::String(s) if renders_as_written(s) => s.clone(),
        other => flow_scalar(other)?,
    };
    let source = document.source();
    Some(format!("{}{}{}", &source[..start], text, &source[end..]))
}

/// Whether `text`, written plain where a plain scalar stood (`tag: 2025.12`), reaches the chart's
/// templates as this very text: a number Helm prints back digit for digit (`2026.03`, not
/// `2026.10`, which Helm would print as `2026.1`).
fn renders_as_written(text: &str) -> bool {
    matches!(serde_yaml_ng::from_str::<Value>(text), Ok(Value::Number(n)) if n.to_string() == text)
}

/// A scalar as our emitter writes it (quoted wherever Helm's YAML 1.1 would misread it).
fn flow_scalar(value: &Value) -> Option<String> {
    let text = to_yaml(&Value::Sequence(vec![value.clone()]));
    Some(text.strip_prefix("- ")?.trim_end_matches('\n').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap()
    }

    fn edit(original: &str, change: impl Fn(&mut Value)) -> Edited {
        let before = yaml(original);
        let mut after = before.clone();
        change(&mut after);
        edit_text(original, &before, &after)
    }

    const VALUES: &str = "# Production values for example.org\nglobal:\n  hostname: example.org   # the public name\n  dev: false\n\nfence:\n  image:\n    repository: quay.io/cdis/fence\n    tag: \"2025.09\"\n  # keep login on\n  enabled: true\nguppy:\n  indices: [{index: a, type: case}]\n";

    #[test]
    fn an_unchanged_document_keeps_every_byte() {
        let out = edit(VALUES, |_| {});
        assert_eq!(out.layout, Layout::Unchanged);
        assert_eq!(out.text, VALUES);
    }

    #[test]
    fn a_changed_tag_changes_only_its_line() {
        let out = edit(VALUES, |v| {
            v["fence"]["image"]["tag"] = Value::String("2026.07".into());
        });
        assert_eq!(out.layout, Layout::Kept, "{}", out.text);
        let changed: Vec<(&str, &str)> = VALUES.lines().zip(out.text.lines()).filter(|(a, b)| a != b).collect();
        assert_eq!(changed.len(), 1, "{}", out.text);
        assert!(changed[0].1.contains("2026.07"), "{}", out.text);
        assert_eq!(VALUES.lines().count(), out.text.lines().count());
        assert!(out.text.contains("# the public name") && out.text.contains("# keep login on"));
    }

    #[test]
    fn added_and_removed_keys_touch_only_their_lines() {
        let out = edit(VALUES, |v| {
            v["global"].as_mapping_mut().unwrap().insert("pdb".into(), Value::Bool(true));
            v["fence"].as_mapping_mut().unwrap().shift_remove("enabled");
        });
        assert_ne!(out.layout, Layout::Rewritten, "{}", out.text);
        assert!(out.text.starts_with(
            "# Production values for example.org\nglobal:\n  hostname: example.org   # the public name\n"
        ));
        let parsed = yaml(&out.text);
        assert_eq!(parsed["global"]["pdb"], Value::Bool(true));
        assert!(parsed["fence"].get("enabled").is_none());
        assert_eq!(parsed["guppy"], yaml(VALUES)["guppy"]);
    }

    #[test]
    fn a_replaced_scalar_keeps_its_quoting() {
        for (line, expected) in [
            ("tag: \"2025.09\"\n", "tag: \"2026.07\"\n"),
            ("tag: '2025.09'\n", "tag: '2026.07'\n"),
            ("tag: 2025.09 # pinned\n", "tag: 2026.07 # pinned\n"),
        ] {
            let out = edit(line, |v| v["tag"] = Value::String("2026.07".into()));
            assert_eq!(out.text, expected);
        }
        // Plain would read as the number 2026.1 and render as that tag: quoted instead.
        let out = edit("tag: 2025.09\n", |v| v["tag"] = Value::String("2026.10".into()));
        assert_eq!(out.text, "tag: '2026.10'\n");
    }

    #[test]
    fn changes_are_leaf_deep() {
        let before = yaml("a:\n  b: 1\n  c: [1, 2]\n");
        let after = yaml("a:\n  b: 2\n  c: [1, 3]\n  d: x\n");
        assert_eq!(
            changes(&before, &after),
            vec![
                Change::Set(vec![Step::Key("a".into()), Step::Key("b".into())], Value::from(2)),
                Change::Set(vec![Step::Key("a".into()), Step::Key("c".into()), Step::Index(1)], Value::from(3)),
                Change::Set(vec![Step::Key("a".into()), Step::Key("d".into())], Value::from("x")),
            ]
        );
        let mut applied = before.clone();
        for c in changes(&before, &after) {
            apply(&mut applied, &c);
        }
        assert_eq!(applied, after);
    }
}
