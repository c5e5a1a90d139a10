//! YAML as Gen3 deployments use it: reading values files with errors that name the file and line,
//! writing them so Helm reads back exactly what was meant, Helm's merge rules, and dotted paths
//! (`fence.FENCE_CONFIG.MOCK_AUTH`) for the wizard.
//!
//! Reading goes through serde_yaml_ng, so comments are not kept: a file that is imported and
//! written again keeps every key and value, in order, but loses its comments.
//!
//! Writing uses the emitter below rather than serde_yaml_ng's, for two reasons. Helm reads YAML
//! 1.1, where a plain `off`, `yes` or `on` is a boolean, so any string that 1.1 would read as
//! something else must be quoted (gen3-helm's `maintenanceMode: "off"` would otherwise turn into
//! `false`). And multi-line strings (an `aggMdsConfig` JSON document, a CSS file) must come out as
//! readable `|` blocks.

use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

use super::{Finding, Severity};
use csoc_model::error::{CoreError, CoreResult};

/// Largest configuration file read (values, app.yaml, manifest.json, user.yaml, AggMDS). Real
/// ones are a few KiB to 1.1 MB (the largest of the 54-commons corpus); a much larger file is
/// the wrong file. The bound also bounds memory: a YAML document costs up to ~50 times its size
/// parsed (a 4 MiB flat list ~200 MB, measured by tests/bounded_memory.rs).
pub(crate) const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a YAML or JSON configuration file as UTF-8 text: a regular file of at most
/// [`MAX_CONFIG_BYTES`] (see [`csoc_model::operator_files`]).
pub fn read_config_file(path: &Path) -> CoreResult<String> {
    csoc_model::operator_files::read_text(path, MAX_CONFIG_BYTES, "Gen3 configuration file")
}

/// Parses one YAML document; errors name `file` (as the operator knows it) and the line and column.
pub fn parse_yaml(text: &str, file: &str) -> CoreResult<Value> {
    csoc_model::operator_files::check_nesting(text, file)?;
    serde_yaml_ng::from_str::<Value>(text).map_err(|err| yaml_error(text, file, &err))
}

/// Parses a YAML document that must be a mapping at the top level (a values file, Chart.yaml,
/// app.yaml). An empty document is allowed and comes back as `Value::Null`, as Helm allows an
/// empty values file.
pub(crate) fn parse_yaml_mapping(text: &str, file: &str) -> CoreResult<Value> {
    let value = parse_yaml(text, file)?;
    require_mapping(&value, file)?;
    Ok(value)
}

/// Fails unless `value` is a mapping (or empty), naming what it is instead.
pub(crate) fn require_mapping(value: &Value, file: &str) -> CoreResult<()> {
    let found = match value {
        Value::Mapping(_) | Value::Null => return Ok(()),
        Value::Sequence(_) => "a list",
        Value::String(_) => "a single string",
        Value::Number(_) => "a single number",
        Value::Bool(_) => "a single true/false",
        Value::Tagged(_) => "a tagged value",
    };
    Err(CoreError::invalid(format!(
        "{file}: the top level is {found}, but this file must be a mapping of keys to values \
         (`key: value` lines). Check that this is the right file."
    )))
}

fn yaml_error(text: &str, file: &str, err: &serde_yaml_ng::Error) -> CoreError {
    let raw = err.to_string();
    let location = err.location().map(|l| (l.line(), l.column()));
    if let Some(key) = duplicate_key_in(&raw) {
        return duplicate_key_error(text, file, &key, location);
    }
    match location {
        Some((line, column)) => {
            let what = strip_location(&raw, line, column);
            CoreError::invalid(format!(
                "{file}, line {line}, column {column}: {what}. The file is not valid YAML; fix it and import again."
            ))
        }
        None if raw.contains("more than one document") => CoreError::invalid(format!(
            "{file} holds more than one YAML document (separated by `---`); it must hold exactly one. \
             Split it or remove the extra document."
        )),
        None => CoreError::invalid(format!("{file} could not be read as YAML ({raw}). Fix the file and import again.")),
    }
}

/// Removes the " at line L column C" the library puts in its text, since the message already says it.
fn strip_location(raw: &str, line: usize, column: usize) -> String {
    raw.replacen(&format!(" at line {line} column {column}"), "", 1)
}

/// The key from serde_yaml_ng's `duplicate entry with key "x"`, unquoted.
fn duplicate_key_in(raw: &str) -> Option<String> {
    let (_, rest) = raw.split_once("duplicate entry with key ")?;
    let rest = rest.split(" at line ").next().unwrap_or(rest);
    let key = rest.trim().trim_matches('"').trim_matches('\'');
    Some(key.to_string())
}

/// Where a duplicated key sits: the lines (1-based) of its first and second occurrence and its
/// column. serde_yaml_ng reports a duplicate at the start of its mapping, so the key is looked for
/// among the mapping's keys (same column, same key).
struct Duplicate {
    first: usize,
    second: usize,
    column: usize,
}

fn find_duplicate(text: &str, key: &str, (start_line, start_column): (usize, usize)) -> Option<Duplicate> {
    let mut first = None;
    for (index, line) in text.lines().enumerate().skip(start_line.saturating_sub(1)) {
        let Some((column, line_key)) = block_key(line) else {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len() + 1;
            if !trimmed.is_empty() && !trimmed.starts_with('#') && indent < start_column && index + 1 > start_line {
                return None;
            }
            continue;
        };
        if column < start_column && index + 1 > start_line {
            return None;
        }
        if column != start_column || line_key != key {
            continue;
        }
        match first {
            None => first = Some(index + 1),
            Some(first) => return Some(Duplicate { first, second: index + 1, column }),
        }
    }
    None
}

fn duplicate_key_error(text: &str, file: &str, key: &str, mapping_at: Option<(usize, usize)>) -> CoreError {
    let Some((start_line, start_column)) = mapping_at else {
        return CoreError::invalid(format!(
            "{file}: the key `{key}` appears twice in the same mapping. Remove one of them and import again."
        ));
    };
    match find_duplicate(text, key, (start_line, start_column)) {
        Some(d) => CoreError::invalid(format!(
            "{file}, line {}, column {}: the key `{key}` appears a second time in the same mapping \
             (first at line {}). Helm would keep only one of them; remove the one you do not mean.",
            d.second, d.column, d.first
        )),
        None => CoreError::invalid(format!(
            "{file}, line {start_line}, column {start_column}: the mapping that starts here has the key `{key}` \
             twice. Remove one of them and import again."
        )),
    }
}

/// Parses a values file as Helm does: a key given twice in one mapping is not an error, the last
/// one wins. Each such key comes back as a warning naming both lines, so the operator can tidy the
/// file; everything else that is not valid YAML is an error as in [`parse_yaml`].
pub(crate) fn parse_values_lenient(text: &str, file: &str) -> CoreResult<(Value, Vec<Finding>)> {
    csoc_model::operator_files::check_nesting(text, file)?;
    let mut working = text.to_string();
    let mut warnings = Vec::new();
    // Each round removes one earlier occurrence; a file has at most one per line.
    for _ in 0..=text.lines().count() {
        let err = match serde_yaml_ng::from_str::<Value>(&working) {
            Ok(value) => return Ok((value, warnings)),
            Err(err) => err,
        };
        let raw = err.to_string();
        let (Some(key), Some(at)) = (duplicate_key_in(&raw), err.location().map(|l| (l.line(), l.column()))) else {
            return Err(yaml_error(&working, file, &err));
        };
        let Some(dup) = find_duplicate(&working, &key, at).filter(|d| blank_block(&mut working, d)) else {
            return Err(yaml_error(&working, file, &err));
        };
        warnings.push(Finding {
            severity: Severity::Warning,
            code: "duplicate_key".into(),
            message: format!(
                "{file}: the key `{key}` is set twice in the same mapping, at line {} and at line {}. Helm keeps \
                 the last one (line {}) and ignores the first; remove the one you do not mean.",
                dup.first, dup.second, dup.second
            ),
            file: Some(file.to_string()),
            key: Some(key),
            acknowledgeable: false,
        });
    }
    Err(CoreError::invalid(format!("{file} could not be read as YAML. Fix the file and import again.")))
}

/// Blanks the first occurrence's key line and the lines of its block (kept as empty lines so the
/// line numbers of later messages stay true). False where the key opens a list item (`- key:`),
/// which blanking would break.
fn blank_block(text: &mut String, dup: &Duplicate) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(first) = lines.get(dup.first - 1) else { return false };
    if first.trim_start().starts_with('-') {
        return false;
    }
    let mut end = dup.first;
    while let Some(line) = lines.get(end) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len() + 1;
        if !trimmed.is_empty() && !trimmed.starts_with('#') && indent <= dup.column {
            break;
        }
        end += 1;
    }
    let kept: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| if i + 1 >= dup.first && i < end && i + 1 < dup.second { "" } else { line })
        .collect();
    *text = kept.join("\n");
    true
}

/// The column (1-based) and name of a block-mapping key on this line, if it has one
/// (`  name: x`, `- name: x`, `"name": x`).
fn block_key(line: &str) -> Option<(usize, String)> {
    let mut column = 1;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        column += rest.len() - trimmed.len();
        rest = trimmed;
        match rest.strip_prefix("- ") {
            Some(after) => {
                column += 2;
                rest = after;
            }
            None => break,
        }
    }
    let (key, after) = if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], &quoted[end + 1..])
    } else if let Some(quoted) = rest.strip_prefix('\'') {
        let end = quoted.find('\'')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        let end = rest.find(':')?;
        (rest[..end].trim_end(), &rest[end..])
    };
    let after = after.trim_start();
    let after_colon = after.strip_prefix(':')?;
    if !(after_colon.is_empty() || after_colon.starts_with(' ')) || key.is_empty() || key.starts_with('#') {
        return None;
    }
    Some((column, key.to_string()))
}

/// Writes `value` as a YAML document: keys in the order held, a trailing newline, strings quoted
/// wherever Helm (YAML 1.1) would read them as something else, multi-line strings as `|` blocks.
/// An empty document (`Null`) is the empty string, as in gen3-gitops' empty `values.yaml`.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Null => {}
        Value::Mapping(map) if !map.is_empty() => emit_mapping(map, 0, false, &mut out),
        Value::Sequence(seq) if !seq.is_empty() => emit_sequence(seq, 0, false, &mut out),
        // A top-level block scalar is indented so that no line can read as `---` or `...`.
        other => emit_inline_or_block(other, 2, &mut out),
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A mapping in block style at `indent`; with `first_indented` the caller already wrote the first
/// line's indentation (a `- ` of a sequence item).
fn emit_mapping(map: &Mapping, indent: usize, first_indented: bool, out: &mut String) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_indented {
            pad(out, indent);
        }
        let key_text = flow_scalar_or_collection(key);
        // An implicit key longer than 1024 characters is not valid YAML; use an explicit `? ` key.
        if key_text.chars().count() > 1000 || key_text.contains('\n') {
            out.push_str("? ");
            out.push_str(&key_text);
            out.push('\n');
            pad(out, indent);
            out.push(':');
        } else {
            out.push_str(&key_text);
            out.push(':');
        }
        emit_after_indicator(value, indent, out);
    }
}

fn emit_sequence(seq: &[Value], indent: usize, first_indented: bool, out: &mut String) {
    for (i, item) in seq.iter().enumerate() {
        if i > 0 || !first_indented {
            pad(out, indent);
        }
        out.push('-');
        match item {
            Value::Mapping(map) if !map.is_empty() => {
                out.push(' ');
                emit_mapping(map, indent + 2, true, out);
            }
            Value::Sequence(inner) if !inner.is_empty() => {
                out.push(' ');
                emit_sequence(inner, indent + 2, true, out);
            }
            other => emit_after_indicator(other, indent, out),
        }
    }
}

/// The value after `key:` or `-`, at a parent indentation of `indent`.
fn emit_after_indicator(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Mapping(map) if !map.is_empty() => {
            out.push('\n');
            emit_mapping(map, indent + 2, false, out);
        }
        Value::Sequence(seq) if !seq.is_empty() => {
            out.push('\n');
            emit_sequence(seq, indent + 2, false, out);
        }
        Value::Tagged(tagged) => {
            out.push(' ');
            out.push_str(&tagged.tag.to_string());
            emit_after_indicator(&tagged.value, indent, out);
        }
        other => {
            out.push(' ');
            emit_inline_or_block(other, indent + 2, out);
        }
    }
}

/// A scalar (or empty collection) on the current line, or a `|` block whose lines sit at `indent`.
fn emit_inline_or_block(value: &Value, indent: usize, out: &mut String) {
    if let Value::String(s) = value {
        if let Some(header) = literal_block_header(s) {
            out.push_str(header);
            out.push('\n');
            let body = s.trim_end_matches('\n');
            for line in body.split('\n') {
                if !line.is_empty() {
                    pad(out, indent);
                    out.push_str(line);
                }
                out.push('\n');
            }
            // `|+` keeps the final line breaks beyond the first as empty lines.
            for _ in 1..(s.len() - body.len()) {
                out.push('\n');
            }
            return;
        }
    }
    out.push_str(&flow_scalar_or_collection(value));
    out.push('\n');
}

/// The block header for a multi-line string that a literal block can hold exactly, else None.
fn literal_block_header(s: &str) -> Option<&'static str> {
    if !s.contains('\n') {
        return None;
    }
    let representable = s.chars().all(|c| c == '\n' || c == '\t' || !needs_escape(c));
    let first_content = s.split('\n').find(|line| !line.is_empty())?;
    if !representable || first_content.starts_with(' ') || first_content.starts_with('\t') {
        return None;
    }
    let trailing = s.len() - s.trim_end_matches('\n').len();
    Some(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    })
}

/// One-line text for a scalar, or flow style (`{}`, `[a, b]`) for a collection.
fn flow_scalar_or_collection(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_scalar(s),
        Value::Sequence(seq) => {
            let items: Vec<String> = seq.iter().map(flow_scalar_or_collection).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Mapping(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", flow_scalar_or_collection(k), flow_scalar_or_collection(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Tagged(tagged) => format!("{} {}", tagged.tag, flow_scalar_or_collection(&tagged.value)),
    }
}

/// A string as a plain, single-quoted or double-quoted scalar: plain only when no YAML reader
/// (1.1 or 1.2, in block or flow context) could take it for anything but this string.
fn string_scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else if s.chars().all(|c| c == '\t' || !needs_escape(c)) && !s.contains('\n') {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// Words YAML 1.1 (Helm) resolves to booleans or null, compared case-insensitively.
const YAML11_WORDS: [&str; 11] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "<<", "="];

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s || YAML11_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Indicators, and the characters a number, `.inf` or `~` can start with (a quantity such as
    // `105Mi` starts with a digit but is no number).
    if "-?:,[]{}#&*!|>'\"%@`~+.".contains(first) || (first.is_ascii_digit() && !is_quantity(s)) {
        return false;
    }
    let ends_like_key = s.ends_with(':');
    let flow_sensitive = s.contains([',', '[', ']', '{', '}']);
    !ends_like_key
        && !flow_sensitive
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars().all(|c| !needs_escape(c) && c != '\t')
}

/// A number followed by a unit (`105Mi`, `15m`, `1.5Gi`, `72h`), which neither YAML 1.1 nor 1.2
/// reads as a number; `0x`, `0o` and `0b` are left out, being number prefixes.
fn is_quantity(s: &str) -> bool {
    let Some(unit_at) = s.find(|c: char| c.is_ascii_alphabetic()) else {
        return false;
    };
    let (number, unit) = s.split_at(unit_at);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "1"));
    let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    let radix_prefix = number == "0" && unit.starts_with(['x', 'X', 'o', 'O', 'b', 'B']);
    digits(whole) && digits(fraction) && unit.chars().all(|c| c.is_ascii_alphabetic()) && !radix_prefix
}

/// Characters a YAML scalar cannot hold literally (controls, line separators, the BOM).
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A YAML double-quoted scalar holding exactly `s`.
pub(crate) fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if needs_escape(c) => {
                let code = c as u32;
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Merges one values file over the ones before it, as `helm -f a.yaml -f b.yaml` (and Argo CD's
/// `valueFiles`) does: but a `null` in the overlay is kept. Helm applies those nulls
/// only later, against the chart's defaults, where they delete a default; dropping them here
/// would bring the default back.
pub(crate) fn merge_value_files(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (_, Value::Null) => {}
        (Value::Mapping(base_map), Value::Mapping(overlay_map)) => merge_maps(base_map, overlay_map),
        (base, overlay) => *base = overlay.clone(),
    }
}

fn merge_maps(base: &mut Mapping, overlay: &Mapping) {
    for (key, value) in overlay {
        match base.get_mut(key) {
            Some(Value::Mapping(existing)) if value.is_mapping() => {
                if let Value::Mapping(overlay_inner) = value {
                    merge_maps(existing, overlay_inner);
                }
            }
            Some(existing) => *existing = value.clone(),
            None => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Splits a dotted path into keys; `\.` stands for a dot inside a key
/// (`fence.podAnnotations.prometheus\.io/path`).
fn path_keys(dotted: &str) -> Vec<String> {
    let mut keys = vec![String::new()];
    let mut chars = dotted.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                chars.next();
                if let Some(last) = keys.last_mut() {
                    last.push('.');
                }
            }
            '.' => keys.push(String::new()),
            c => {
                if let Some(last) = keys.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    keys
}

/// The value at a dotted path (`fence.FENCE_CONFIG.MOCK_AUTH`); a number indexes a list
/// (`fence.FENCE_CONFIG.LOGIN_OPTIONS.0.idp`); `\.` is a dot inside a key.
pub fn get_path<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    let mut current = v;
    for key in path_keys(dotted) {
        current = match current {
            Value::Mapping(map) => map.get(key.as_str())?,
            Value::Sequence(seq) => seq.get(key.parse::<usize>().ok()?)?,
            Value::Tagged(tagged) => match &tagged.value {
                Value::Mapping(map) => map.get(key.as_str())?,
                _ => return None,
            },
            _ => return None,
        };
    }
    Some(current)
}

/// Sets the value at a dotted path, creating mappings on the way. A list is entered by index when
/// the key is an index it has; anything else in the way (a scalar, a list without that index) is
/// replaced by a mapping, since the path says a mapping is meant there.
pub fn set_path(v: &mut Value, dotted: &str, new: Value) {
    let mut current = v;
    for key in path_keys(dotted) {
        let list_index = match (&*current, key.parse::<usize>()) {
            (Value::Sequence(seq), Ok(i)) if i < seq.len() => Some(i),
            _ => None,
        };
        if list_index.is_none() && !current.is_mapping() {
            *current = Value::Mapping(Mapping::new());
        }
        let next = match (current, list_index) {
            (Value::Sequence(seq), Some(i)) => seq.get_mut(i),
            (Value::Mapping(map), _) => Some(map.entry(Value::String(key)).or_insert(Value::Null)),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return,
        }
    }
    *current = new;
}

/// A YAML value as JSON. Non-string keys become their text (`1`, `true`); tags are dropped.
pub fn yaml_to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                J::from(u)
            } else if let Some(i) = n.as_i64() {
                J::from(i)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map(J::Number).unwrap_or(J::Null)
            }
        }
        Value::String(s) => J::String(s.clone()),
        Value::Sequence(seq) => J::Array(seq.iter().map(yaml_to_json).collect()),
        Value::Mapping(map) => J::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::String(s) => s.clone(),
                        other => flow_scalar_or_collection(other),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Value::Tagged(tagged) => yaml_to_json(&tagged.value),
    }
}

/// A JSON value as YAML, keeping every type (a JSON `"5"` stays a string, `5` a number).
pub fn json_to_yaml(value: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else {
                Value::Number(n.as_f64().unwrap_or(f64::NAN).into())
            }
        }
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::Sequence(items.iter().map(json_to_yaml).collect()),
        J::Object(map) => {
            Value::Mapping(map.iter().map(|(k, v)| (Value::String(k.clone()), json_to_yaml(v))).collect())
        }
    }
}

/// The text of a scalar that an operator would call a string: strings as they are, numbers and
/// booleans as written (`version: 1.0` in a Chart.yaml). None for null and collections.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap()
    }

    fn round_trip(value: &Value) -> Value {
        let text = to_yaml(value);
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("emitted YAML does not parse: {e}\n{text}"))
    }

    #[test]
    fn helm_yaml11_words_and_number_like_strings_are_quoted() {
        for word in
            ["off", "On", "YES", "n", "y", "No", "true", "null", "~", "2026.04", "1_000", "0777", "0x1F", ".inf"]
        {
            let mut map = Mapping::new();
            map.insert(Value::String("k".into()), Value::String(word.into()));
            let text = to_yaml(&Value::Mapping(map.clone()));
            assert!(text.contains('\'') || text.contains('"'), "{word} left plain: {text}");
            assert_eq!(round_trip(&Value::Mapping(map)), yaml(&text));
        }
        assert_eq!(to_yaml(&yaml("a: plain-word\nb: https://x.org/a#b\n")), "a: plain-word\nb: https://x.org/a#b\n");
        assert_eq!(to_yaml(&yaml("m: 105Mi\nc: 1.5Gi\nt: 72h\n")), "m: 105Mi\nc: 1.5Gi\nt: 72h\n");
    }

    #[test]
    fn tricky_strings_survive_a_round_trip() {
        let strings = [
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "it's",
            "\"q\"",
            "tab\there",
            "nul\0",
            "bell\u{7}",
            "ls\u{2028}",
            "line1\nline2",
            "line1\nline2\n",
            "two\n\n",
            "\n\nleading",
            " indented\nnext",
            "x\r\ny",
            "- item",
            "[flow]",
            "{a: 1}",
            "*alias",
            "&anchor",
            "!tag",
            "%dir",
            "@at",
            "`tick",
            "key:",
            "?q",
            "é ü 中文",
            "a\n  ",
            "x\n\ty",
        ];
        let mut map = Mapping::new();
        for (i, s) in strings.iter().enumerate() {
            map.insert(Value::String(format!("k{i}")), Value::String((*s).to_string()));
            map.insert(Value::String((*s).to_string()), Value::Number(i.into()));
        }
        let seq = Value::Sequence(strings.iter().map(|s| Value::String((*s).to_string())).collect());
        map.insert(Value::String("list".into()), seq.clone());
        let doc = Value::Mapping(map);
        assert_eq!(round_trip(&doc), doc);
        assert_eq!(round_trip(&seq), seq);
    }

    #[test]
    fn multi_line_json_becomes_a_literal_block() {
        let json = "{\n  \"configuration\": {\n    \"schema\": {}\n  }\n}\n";
        let mut inner = Mapping::new();
        inner.insert(Value::String("aggMdsConfig".into()), Value::String(json.into()));
        let mut doc = Mapping::new();
        doc.insert(Value::String("metadata".into()), Value::Mapping(inner));
        let doc = Value::Mapping(doc);
        let text = to_yaml(&doc);
        assert!(text.starts_with("metadata:\n  aggMdsConfig: |\n    {\n      \"configuration\": {\n"), "{text}");
        assert_eq!(round_trip(&doc), doc);
    }

    #[test]
    fn nested_lists_and_maps_round_trip_in_order() {
        let doc = yaml(
            "z: 1\na:\n  - b: 1\n    c: [1, 2]\n  - - x\n    - y\n  - []\n  - {}\nempty: {}\nnum: 1.5\nneg: -3\nb: false\nn: null\nt: !custom v\n",
        );
        let text = to_yaml(&doc);
        assert!(text.starts_with("z: 1\na:\n  - b: 1\n    c:\n      - 1\n"), "{text}");
        assert_eq!(round_trip(&doc), doc);
        let keys: Vec<_> = round_trip(&doc).as_mapping().unwrap().keys().cloned().collect();
        assert_eq!(keys[0], Value::String("z".into()));
        assert_eq!(to_yaml(&Value::Null), "");
        assert!(to_yaml(&doc).ends_with('\n'));
    }

    #[test]
    fn value_file_merge_keeps_nulls_for_helm_to_apply_later() {
        let mut base = yaml("fence:\n  externalSecrets:\n    fenceConfig: a\n    other: b\n");
        merge_value_files(&mut base, &yaml("fence:\n  externalSecrets:\n    other: null\n"));
        assert_eq!(base, yaml("fence:\n  externalSecrets:\n    fenceConfig: a\n    other: null\n"));
    }

    #[test]
    fn dotted_paths_get_and_set() {
        let mut v = yaml("fence:\n  FENCE_CONFIG:\n    LOGIN_OPTIONS:\n      - idp: google\n  podAnnotations:\n    prometheus.io/path: /m\n");
        assert_eq!(get_path(&v, "fence.FENCE_CONFIG.LOGIN_OPTIONS.0.idp"), Some(&Value::String("google".into())));
        assert_eq!(get_path(&v, "fence.podAnnotations.prometheus\\.io/path"), Some(&Value::String("/m".into())));
        assert_eq!(get_path(&v, "fence.missing"), None);
        set_path(&mut v, "fence.FENCE_CONFIG.MOCK_AUTH", Value::Bool(false));
        set_path(&mut v, "fence.FENCE_CONFIG.LOGIN_OPTIONS.0.idp", Value::String("ras".into()));
        set_path(&mut v, "global.hostname", Value::String("h.org".into()));
        set_path(&mut v, "fence.podAnnotations.prometheus\\.io/path", Value::String("/metrics".into()));
        assert_eq!(get_path(&v, "fence.FENCE_CONFIG.MOCK_AUTH"), Some(&Value::Bool(false)));
        assert_eq!(get_path(&v, "fence.FENCE_CONFIG.LOGIN_OPTIONS.0.idp"), Some(&Value::String("ras".into())));
        assert_eq!(get_path(&v, "global.hostname"), Some(&Value::String("h.org".into())));
        assert_eq!(get_path(&v, "fence.podAnnotations.prometheus\\.io/path"), Some(&Value::String("/metrics".into())));
        // A scalar in the way becomes a mapping.
        set_path(&mut v, "global.hostname.sub", Value::Bool(true));
        assert_eq!(get_path(&v, "global.hostname.sub"), Some(&Value::Bool(true)));
    }

    #[test]
    fn duplicate_key_error_names_the_second_line() {
        let text = "global:\n  hostname: a\nfence:\n  enabled: true\n  image: x\n  enabled: false\n";
        let err = parse_yaml(text, "values/values.yaml").unwrap_err();
        assert!(err.message.starts_with("values/values.yaml, line 6, column 3:"), "{}", err.message);
        assert!(err.message.contains("first at line 4"), "{}", err.message);
        let top = parse_yaml("a: 1\nb: 2\na: 3\n", "x.yaml").unwrap_err();
        assert!(top.message.starts_with("x.yaml, line 3, column 1:"), "{}", top.message);
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = parse_yaml("a:\n  b: [1, 2\nc: 3\n", "values/fence.yaml").unwrap_err();
        assert!(err.message.starts_with("values/fence.yaml, line 3, column"), "{}", err.message);
        assert!(!err.message.contains(" at line 3 column"), "location repeated: {}", err.message);
        let multi = parse_yaml("a: 1\n---\nb: 2\n", "v.yaml").unwrap_err();
        assert!(multi.message.contains("more than one YAML document"), "{}", multi.message);
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let err = parse_yaml_mapping("- a\n- b\n", "values/values.yaml").unwrap_err();
        assert!(err.message.contains("values/values.yaml") && err.message.contains("a list"), "{}", err.message);
        assert_eq!(parse_yaml_mapping("", "values.yaml").unwrap(), Value::Null);
    }

    #[test]
    fn json_and_yaml_convert_keeping_types() {
        let json: serde_json::Value = serde_json::json!({"a": "5", "b": 5, "c": true, "d": [1.5, null], "e": {}});
        assert_eq!(yaml_to_json(&json_to_yaml(&json)), json);
    }
}
