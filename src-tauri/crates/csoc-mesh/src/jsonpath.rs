//! The part of JSONPath (as the metadata service's `jsonpath_ng` reads it) that AggMDS field
//! mappings use: fields (plain or quoted), `*`, indexes, `[*]` and slices. Anything else is
//! reported as unsupported so the preview can say so instead of guessing.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    AnyField,
    Index(i64),
    /// `[*]` is the full slice `[:]`.
    Slice(Option<i64>, Option<i64>),
}

/// What a path finds in a record.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Found {
    Nothing,
    /// One match is the value itself; several are a list of the values (as the adapter does).
    Value(Value),
    /// The path uses JSONPath the preview does not evaluate (the reason, in words).
    Unsupported(String),
}

/// Evaluates `expression` against `item`.
pub(super) fn find(expression: &str, item: &Value) -> Found {
    let steps = match parse(expression) {
        Ok(s) => s,
        Err(why) => return Found::Unsupported(why),
    };
    let mut current = vec![item];
    for step in &steps {
        current = current.into_iter().flat_map(|v| apply(step, v)).collect();
    }
    match current.len() {
        0 => Found::Nothing,
        1 => Found::Value(current[0].clone()),
        _ => Found::Value(Value::Array(current.into_iter().cloned().collect())),
    }
}

fn apply<'a>(step: &Step, v: &'a Value) -> Vec<&'a Value> {
    match (step, v) {
        (Step::Field(name), Value::Object(o)) => o.get(name).into_iter().collect(),
        (Step::AnyField, Value::Object(o)) => o.values().collect(),
        (Step::Index(i), Value::Array(a)) => {
            let at = if *i < 0 { a.len() as i64 + i } else { *i };
            usize::try_from(at).ok().and_then(|at| a.get(at)).into_iter().collect()
        }
        (Step::Slice(start, end), Value::Array(a)) => {
            let len = a.len() as i64;
            let clamp = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
            let from = start.map_or(0, clamp) as usize;
            let to = end.map_or(len, clamp) as usize;
            a.get(from..to.max(from)).map(|s| s.iter().collect()).unwrap_or_default()
        }
        // jsonpath_ng treats a single value under a slice as a one-element list.
        (Step::Slice(..), other) => vec![other],
        _ => Vec::new(),
    }
}

fn parse(expression: &str) -> Result<Vec<Step>, String> {
    let unsupported = |what: &str| Err(format!("“{expression}” uses {what}, which this preview does not evaluate"));
    let s = expression.trim();
    if s.contains("..") {
        return unsupported("recursive descent (`..`)");
    }
    let mut chars = s.chars().peekable();
    if chars.peek() == Some(&'$') {
        chars.next();
        if chars.peek() == Some(&'.') {
            chars.next();
        }
    }
    let mut steps = Vec::new();
    let mut expect_field = chars.peek().is_some_and(|c| *c != '[');
    loop {
        if expect_field {
            match chars.peek() {
                Some('*') => {
                    chars.next();
                    steps.push(Step::AnyField);
                }
                Some(q @ ('\'' | '"')) => {
                    let q = *q;
                    chars.next();
                    let name: String = chars.by_ref().take_while(|c| *c != q).collect();
                    steps.push(Step::Field(name));
                }
                Some(c) if c.is_alphabetic() || *c == '_' || *c == '@' => {
                    let mut name = String::new();
                    while let Some(c) = chars.peek().filter(|c| c.is_alphanumeric() || matches!(c, '_' | '@' | '-')) {
                        name.push(*c);
                        chars.next();
                    }
                    steps.push(Step::Field(name));
                }
                Some(_) => return unsupported("a field name that is not a plain or quoted name"),
                None => return Err(format!("“{expression}” ends where a field name is expected")),
            }
        }
        match chars.next() {
            None => break,
            Some('.') => expect_field = true,
            Some('[') => {
                let inside: String = chars.by_ref().take_while(|c| *c != ']').collect();
                steps.push(
                    bracket(inside.trim())
                        .map_err(|what| format!("“{expression}” uses {what}, which this preview does not evaluate"))?,
                );
                expect_field = false;
            }
            Some(_) => return unsupported("characters outside of field names, `.` and `[...]`"),
        }
    }
    if steps.is_empty() {
        return Err("the path is empty".to_string());
    }
    Ok(steps)
}

fn bracket(inside: &str) -> Result<Step, &'static str> {
    let quoted = |q: char| inside.len() >= 2 && inside.starts_with(q) && inside.ends_with(q);
    if inside == "*" {
        return Ok(Step::Slice(None, None));
    }
    if quoted('\'') || quoted('"') {
        return Ok(Step::Field(inside[1..inside.len() - 1].to_string()));
    }
    if inside.starts_with('?') || inside.starts_with('(') {
        return Err("a filter or script expression");
    }
    if let Some((a, b)) = inside.split_once(':') {
        let bound = |x: &str| -> Result<Option<i64>, &'static str> {
            let x = x.trim();
            if x.is_empty() {
                Ok(None)
            } else {
                x.parse().map(Some).map_err(|_| "a slice with a step or a non-numeric bound")
            }
        };
        return Ok(Step::Slice(bound(a)?, bound(b)?));
    }
    inside.parse().map(Step::Index).map_err(|_| "a bracket that is not an index, `*`, a slice or a quoted name")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_paths_field_mappings_use() {
        let item = json!({
            "a": {"b": {"c": 3}},
            "tags": [{"name": "x", "category": "Program"}, {"name": "y", "category": "Data Type"}],
            "one": [{"name": "only"}],
            "Data Availability": {"date": "2024"},
            "n": null,
        });
        assert_eq!(find("a.b.c", &item), Found::Value(json!(3)));
        assert_eq!(find("$.a.b.c", &item), Found::Value(json!(3)));
        assert_eq!(find("tags[0].name", &item), Found::Value(json!("x")));
        assert_eq!(find("tags[-1].category", &item), Found::Value(json!("Data Type")));
        assert_eq!(find("tags[*].name", &item), Found::Value(json!(["x", "y"])));
        assert_eq!(find("one[*].name", &item), Found::Value(json!("only")), "one match is the value itself");
        assert_eq!(find("tags[0:1].name", &item), Found::Value(json!("x")));
        assert_eq!(find("'Data Availability'.date", &item), Found::Value(json!("2024")));
        assert_eq!(find("a['b'].c", &item), Found::Value(json!(3)));
        assert_eq!(find("a.*.c", &item), Found::Value(json!(3)));
        assert_eq!(find("a[*].b.c", &item), Found::Value(json!(3)), "a slice over a single value keeps it");
        assert_eq!(find("n", &item), Found::Value(Value::Null));
        assert_eq!(find("a.x", &item), Found::Nothing);
        assert_eq!(find("tags[5]", &item), Found::Nothing);
        assert_eq!(find("tags.name", &item), Found::Nothing, "no implicit flattening over a list");
        for unsupported in ["$..name", "tags[?(@.name=='x')]", "a+b", "tags[::2]"] {
            assert!(matches!(find(unsupported, &item), Found::Unsupported(_)), "{unsupported}");
        }
    }
}
