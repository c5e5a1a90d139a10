//! Property-test inputs for the parsers of operator files and server answers: text shaped like
//! YAML or JSON (so the parsers' deeper paths are reached), and what every error must read like.

use proptest::prelude::*;

pub fn config() -> ProptestConfig {
    // A hang is a failure: no case of these small inputs should take anywhere near this long.
    ProptestConfig { cases: 128, timeout: 20_000, failure_persistence: None, ..ProptestConfig::default() }
}

/// A message a user can read: no raw library text.
pub fn readable(message: &str) {
    assert!(!message.is_empty());
    for raw in ["panicked", "Kind(", "serde_yaml", "unsafe-libyaml"] {
        assert!(!message.contains(raw), "raw text {raw:?} in {message:?}");
    }
}

/// YAML-ish text: keys, indentation, flow brackets, quotes, anchors and tags in any order.
pub fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("global:".to_string()),
        Just("\n  ".to_string()),
        Just("\n".to_string()),
        Just("- ".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(": ".to_string()),
        Just(", ".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("!!binary ".to_string()),
        Just("<<: *a\n".to_string()),
        Just("hostname: data.example.org".to_string()),
        Just("fence:\n  enabled: true\n".to_string()),
        Just("|\n  text\n".to_string()),
        "[a-zA-Z0-9_.]{1,12}".prop_map(|s| s),
        any::<String>().prop_map(|s| s.chars().take(16).collect()),
    ];
    prop::collection::vec(token, 0..60).prop_map(|t| t.concat())
}

/// JSON-ish text: valid JSON of arbitrary shape, sometimes cut or with a byte changed.
pub fn jsonish() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        "[ -~]{0,20}".prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("global".to_string()),
                    Just("hostname".to_string()),
                    Just("versions".to_string()),
                    Just("adminUsers".to_string()),
                    Just("commons".to_string()),
                    Just("mdsCommons".to_string()),
                    Just("aggregations".to_string()),
                    Just("gen3_discovery".to_string()),
                    Just("providers".to_string()),
                    Just("access_token".to_string()),
                    Just("username".to_string()),
                    Just("jwt_keys".to_string()),
                    Just("issuer".to_string()),
                    "[a-z_]{1,10}".prop_map(|s| s),
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    (value, any::<u16>(), any::<bool>()).prop_map(|(v, cut, do_cut)| {
        let text = v.to_string();
        if do_cut && !text.is_empty() {
            let at = usize::from(cut) % text.len();
            text.char_indices()
                .map(|(i, _)| i)
                .take_while(|i| *i <= at)
                .last()
                .map_or(text.clone(), |i| text[..i].to_string())
        } else {
            text
        }
    })
}
