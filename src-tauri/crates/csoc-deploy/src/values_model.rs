//! Checks of a gen3-helm values file against what the chart itself says. gen3-helm ships no
//! `values.schema.json`, so the keys, types and defaults come from the chart's own values files and
//! templates ([`chart_model`], derived from the real chart): where this module and the chart
//! disagree, the chart wins.
//!
//! An error means Helm would fail or a service could not work; a doubtful but harmless value is a
//! warning. `global` is closed (a key the chart neither defaults nor reads is reported: Helm
//! ignores typos silently); inside a subchart only the keys the chart knows are typed, since
//! charts pass much free-form configuration through. A few values carry a document or a choice the
//! chart cannot type (AggMDS JSON, user.yaml, image tags, the front end): those are checked for
//! what the service does with them.

use std::sync::OnceLock;

use serde_json::Value as J;
use serde_yaml_ng::{Mapping, Value};

use super::{catalog, chart_model, user_yaml, Finding, Severity};

/// Values whose content the chart's types do not describe.
#[derive(Clone, Copy)]
enum Content {
    /// One of these words (compared as text, so a bare `false` reads "false").
    OneOf(&'static [&'static str]),
    /// Text holding a JSON document the service parses at start.
    JsonText,
    /// An image tag: text; a bare number is read by YAML as a float (`2025.10` becomes `2025.1`).
    ImageTag,
    /// Text holding a whole user.yaml.
    UserYamlText,
    /// A TCP port: a number, bare or quoted.
    Port,
}

/// Paths with a [`Content`] check; `*` matches any one key.
static CONTENT: &[(&str, Content)] = &[
    ("global.tierAccessLevel", Content::OneOf(&["libre", "regular", "private"])),
    ("global.maintenanceMode", Content::OneOf(&["on", "off", "false"])),
    ("global.frontendRoot", Content::OneOf(&["portal", "gen3ff"])),
    ("metadata.aggMdsConfig", Content::JsonText),
    ("portal.gitops.json", Content::JsonText),
    ("fence.USER_YAML", Content::UserYamlText),
    ("global.postgres.master.port", Content::Port),
    ("*.postgres.port", Content::Port),
    ("*.image.tag", Content::ImageTag),
    ("etl.image.*.tag", Content::ImageTag),
];

fn content_at(path: &str) -> Option<Content> {
    let keys: Vec<&str> = path.split('.').collect();
    CONTENT.iter().find_map(|(pattern, content)| {
        let parts: Vec<&str> = pattern.split('.').collect();
        (parts.len() == keys.len() && parts.iter().zip(&keys).all(|(p, k)| *p == "*" || p == k)).then_some(*content)
    })
}

fn model() -> &'static J {
    static MODEL: OnceLock<J> = OnceLock::new();
    MODEL.get_or_init(|| serde_json::from_str(chart_model::SHIPPED).unwrap_or(J::Null))
}

/// Keys still found in values files for charts gen3-helm no longer has.
static STALE_TOP: &[(&str, &str)] = &[("pidgin", "gen3-helm has no pidgin subchart any more")];

/// Unknown keys, wrong types and inconsistent settings in an umbrella values file (`file` names it
/// in the findings). Absent keys take gen3-helm's defaults.
pub(crate) fn validate_values(values: &Value, file: &str) -> Vec<Finding> {
    let mut walk = Walk { file, findings: Vec::new() };
    match values {
        Value::Null => {}
        Value::Mapping(top) => walk.top(top),
        _ => walk.push(
            Severity::Error,
            "wrong_type",
            "",
            format!("{file} must be a map of settings (global:, fence:, ...), not {}.", describe_type(values, false)),
        ),
    }
    let mut findings = walk.findings;
    findings.extend(conditions(values, file));
    findings
}

struct Walk<'a> {
    file: &'a str,
    findings: Vec<Finding>,
}

impl Walk<'_> {
    fn push(&mut self, severity: Severity, code: &str, key: &str, message: String) {
        self.findings.push(Finding {
            severity,
            code: code.into(),
            message,
            file: Some(self.file.to_string()),
            key: (!key.is_empty()).then(|| key.to_string()),
            acknowledgeable: false,
        });
    }

    fn top(&mut self, top: &Mapping) {
        let m = model();
        for (k, v) in top {
            let Some(key) = k.as_str() else {
                self.push(Severity::Error, "wrong_type", "", format!("{} has a key that is not text.", self.file));
                continue;
            };
            if let Some((_, why)) = STALE_TOP.iter().find(|(name, _)| *name == key) {
                self.push(Severity::Warning, "unknown_key", key, format!("{key} has no effect: {why}. Remove it."));
            } else if key == "global" {
                self.check(key, v, &m["global"], true);
            } else if let Some(chart) = m["charts"].get(key) {
                self.check(key, v, chart, false);
            } else if let Some(other) = m["top"].get(key) {
                self.check(key, v, other, false);
            } else {
                let known = m["charts"]
                    .as_object()
                    .into_iter()
                    .chain(m["top"].as_object())
                    .flat_map(|o| o.keys().map(String::as_str))
                    .chain(std::iter::once("global"));
                let hint = did_you_mean(key, known).map(|s| format!(" Did you mean {s}?")).unwrap_or_default();
                self.push(
                    Severity::Warning,
                    "unknown_key",
                    key,
                    format!(
                        "{key} is neither a gen3-helm subchart nor a setting of the umbrella chart, so Helm \
                         ignores it.{hint}"
                    ),
                );
            }
        }
    }

    /// Checks `value` at `path` against the chart's node for it; `closed` reports keys the chart
    /// does not know.
    fn check(&mut self, path: &str, value: &Value, node: &J, closed: bool) {
        if value.is_null() {
            return;
        }
        if let Some(content) = content_at(path) {
            self.content(path, value, content);
            return;
        }
        match node {
            J::Object(children) => match value {
                Value::Mapping(map) => {
                    for (k, v) in map {
                        let Some(key) = k.as_str() else { continue };
                        let child = format!("{path}.{key}");
                        match children.get(key) {
                            Some(n) => self.check(&child, v, n, closed),
                            None if closed => {
                                let hint = did_you_mean(key, children.keys().map(String::as_str))
                                    .map(|s| format!(" Did you mean {path}.{s}?"))
                                    .unwrap_or_else(|| " Check the spelling, or remove it.".into());
                                self.push(
                                    Severity::Warning,
                                    "unknown_key",
                                    &child,
                                    format!("{child} is not a gen3-helm setting, so it has no effect.{hint}"),
                                );
                            }
                            None => {}
                        }
                    }
                }
                Value::Sequence(_) => {
                    self.mismatch(path, value, Severity::Warning, "a map (the chart's default is one)")
                }
                _ => self.mismatch(path, value, Severity::Error, "a map of settings: the chart reads keys inside it"),
            },
            J::String(kind) => self.leaf(path, value, kind),
            _ => {}
        }
    }

    fn leaf(&mut self, path: &str, value: &Value, kind: &str) {
        match kind {
            "bool" => match value {
                Value::Bool(_) => {}
                Value::String(s) if s.eq_ignore_ascii_case("true") => {}
                Value::String(s) if s.eq_ignore_ascii_case("false") => self.push(
                    Severity::Warning,
                    "wrong_type",
                    path,
                    format!(
                        "{path} is the text \"{s}\", not the boolean false: Helm templates treat any non-empty text \
                         as true. Write false without quotes."
                    ),
                ),
                Value::Mapping(_) | Value::Sequence(_) => {
                    self.mismatch(path, value, Severity::Error, "true or false, without quotes")
                }
                _ => self.mismatch(path, value, Severity::Warning, "true or false, without quotes"),
            },
            "str" => {
                if value.is_mapping() || value.is_sequence() {
                    self.mismatch(path, value, Severity::Error, "text")
                }
            }
            "int" | "float" => {
                if !is_int_or_numeric_text(value) && !value.is_f64() {
                    self.mismatch(path, value, Severity::Warning, "a number (bare or quoted)")
                }
            }
            "list" => match value {
                Value::Sequence(_) => {}
                Value::Mapping(_) => {
                    self.mismatch(path, value, Severity::Warning, "a list (the chart's default is one)")
                }
                _ => self.mismatch(path, value, Severity::Error, "a list"),
            },
            "map" => match value {
                Value::Mapping(_) => {}
                Value::Sequence(_) => {
                    self.mismatch(path, value, Severity::Warning, "a map (the chart's default is one)")
                }
                _ => self.mismatch(path, value, Severity::Error, "a map"),
            },
            _ => {}
        }
    }

    fn content(&mut self, path: &str, value: &Value, content: Content) {
        match content {
            Content::OneOf(allowed) => {
                let text = match value {
                    Value::String(s) => Some(s.clone()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                };
                if !text.as_deref().is_some_and(|t| allowed.contains(&t)) {
                    let shown = match &text {
                        Some(s) => format!("\"{}\"", truncate(s)),
                        None => describe_type(value, true),
                    };
                    let words: Vec<&str> = allowed.iter().copied().filter(|w| *w != "false").collect();
                    self.push(
                        Severity::Warning,
                        "invalid_value",
                        path,
                        format!(
                            "{path} should be one of {}, not {shown}: the chart passes it on as it is.",
                            words.join(", ")
                        ),
                    );
                }
            }
            Content::JsonText => match value.as_str() {
                None => self.mismatch(path, value, Severity::Error, "text holding a JSON document"),
                Some(text) => {
                    if let Err(err) = serde_json::from_str::<serde_json::Value>(text) {
                        self.push(
                            Severity::Error,
                            "invalid_json",
                            path,
                            format!(
                                "{path} must hold a JSON document, but at line {} column {} of that text the \
                                 JSON is broken ({}). The service will not start with it; fix the JSON.",
                                err.line(),
                                err.column(),
                                json_problem(&err)
                            ),
                        );
                    }
                }
            },
            Content::ImageTag => {
                if value.is_number() {
                    self.push(
                        Severity::Warning,
                        "unquoted_tag",
                        path,
                        format!(
                            "{path} is the number {} to YAML, not text: a tag like 2025.10 would become 2025.1 \
                             and pull the wrong image. Quote it ('{}').",
                            describe_number(value),
                            describe_number(value)
                        ),
                    );
                } else if !value.is_string() {
                    self.mismatch(path, value, Severity::Error, "text (the image tag, quoted)");
                }
            }
            Content::Port => {
                if !is_int_or_numeric_text(value) {
                    self.mismatch(path, value, Severity::Error, "a port number (bare or quoted, e.g. 5432)");
                }
            }
            Content::UserYamlText => match value.as_str() {
                None => self.mismatch(path, value, Severity::Error, "text holding the user.yaml (a `|` block)"),
                Some(text) => self.embedded_user_yaml(path, text),
            },
        }
    }

    fn mismatch(&mut self, path: &str, value: &Value, severity: Severity, expected: &str) {
        // A value under a secret-looking key is described by its type only, never shown.
        let lower = path.to_ascii_lowercase();
        let reveal = !["password", "secret", "token", "key"].iter().any(|w| lower.contains(w));
        self.push(
            severity,
            "wrong_type",
            path,
            format!("{path} must be {expected}, not {}. Helm would pass it on as it is.", describe_type(value, reveal)),
        );
    }

    fn embedded_user_yaml(&mut self, path: &str, text: &str) {
        match user_yaml::parse_user_yaml(text, path) {
            Err(err) => self.push(
                Severity::Error,
                "user_yaml_invalid",
                path,
                format!("{} Fence's usersync will fail until it is fixed.", err.message),
            ),
            Ok(parsed) => {
                for finding in user_yaml::check_user_yaml(&parsed) {
                    let inner = finding.key.map(|k| format!(" ({k})")).unwrap_or_default();
                    self.push(finding.severity, &finding.code, path, format!("In {path}{inner}: {}", finding.message));
                }
            }
        }
    }
}

/// Settings that are each well typed but do not work together.
fn conditions(values: &Value, file: &str) -> Vec<Finding> {
    let enabled = catalog::enabled_in(values);
    let mut out: Vec<Finding> = catalog::check_selection(&enabled)
        .into_iter()
        .map(|finding| Finding { file: Some(file.to_string()), ..finding })
        .collect();
    let error = |code: &str, key: &str, message: String| Finding {
        severity: Severity::Error,
        code: code.into(),
        message,
        file: Some(file.to_string()),
        key: Some(key.to_string()),
        acknowledgeable: false,
    };
    let on = |name: &str| enabled.iter().any(|e| e == name);
    database_conditions(values, file, &mut out);
    frontend_root_conditions(values, file, &on, &mut out);
    aggmds_conditions(values, &on, &error, &mut out);
    guppy_conditions(values, &on, &error, &mut out);
    usersync_conditions(values, &on, &error, &mut out);
    named_setting_conditions(values, &error, &mut out);
    out
}

/// Database credentials the services can find.
fn database_conditions(values: &Value, file: &str, out: &mut Vec<Finding>) {
    // With External Secrets the database credentials come from the secret manager, and each
    // service's dbcreds secret may also be made by hand: only the in-values case is certain.
    let external_secrets = get(values, "global.externalSecrets.deploy").and_then(Value::as_bool) == Some(true);
    if get(values, "global.dev").and_then(Value::as_bool) == Some(false)
        && !external_secrets
        && text_at(values, "global.postgres.master.host").is_none()
        && text_at(values, "global.postgres.externalSecret").is_none()
    {
        out.push(Finding {
            severity: Severity::Warning,
            code: "no_database".into(),
            message: "global.dev is false, so no in-cluster PostgreSQL is deployed, but neither \
                      global.postgres.master.host nor global.postgres.externalSecret says which database the \
                      services use, and External Secrets is off. Unless each service's <service>-dbcreds secret \
                      already exists in the namespace, set global.postgres.externalSecret (or master.host)."
                .into(),
            file: Some(file.to_string()),
            key: Some("global.postgres".into()),
            acknowledgeable: false,
        });
    }
}

/// The frontend root names a chart that is on.
fn frontend_root_conditions(values: &Value, file: &str, on: &dyn Fn(&str) -> bool, out: &mut Vec<Finding>) {
    let set_root = text_at(values, "global.frontendRoot");
    let root = set_root.unwrap_or("portal");
    let (root_chart, root_key) = match root {
        "gen3ff" => ("frontend-framework", "frontend-framework.enabled"),
        _ => ("portal", "portal.enabled"),
    };
    if matches!(root, "portal" | "gen3ff") && !on(root_chart) {
        // An API-only commons (no portal) runs this way on purpose.
        out.push(Finding {
            severity: Severity::Warning,
            code: "frontend_root_disabled".into(),
            message: format!(
                "{}, which serves {root_chart} at /, but {root_chart} is not enabled, so the commons' home page \
                 will not answer (fine for an API-only commons). Set {root_key}: true or change global.frontendRoot.",
                match set_root {
                    Some(_) => format!("global.frontendRoot is \"{root}\""),
                    None => "global.frontendRoot is not set and gen3-helm's default is \"portal\"".to_string(),
                }
            ),
            file: Some(file.to_string()),
            key: Some("global.frontendRoot".into()),
            acknowledgeable: false,
        });
    }
}

/// AggMDS has its configuration.
fn aggmds_conditions(
    values: &Value,
    on: &dyn Fn(&str) -> bool,
    error: &dyn Fn(&str, &str, String) -> Finding,
    out: &mut Vec<Finding>,
) {
    if on("metadata") && get(values, "metadata.useAggMds").and_then(Value::as_bool) == Some(true) {
        if text_at(values, "metadata.aggMdsConfig").is_none() {
            out.push(error(
                "agg_mds_incomplete",
                "metadata.aggMdsConfig",
                "metadata.useAggMds is true but metadata.aggMdsConfig is not set, so the chart's sample \
                 configuration (which aggregates gen3.datacommons.io) would be used. Set aggMdsConfig to the \
                 JSON that lists this mesh's commons."
                    .into(),
            ));
        }
        if text_at(values, "metadata.aggMdsNamespace").is_none() {
            out.push(error(
                "agg_mds_incomplete",
                "metadata.aggMdsNamespace",
                "metadata.useAggMds is true but metadata.aggMdsNamespace is not set, so the aggregate indices \
                 go to the namespace \"default\" and collide with any other commons sharing the Elasticsearch. \
                 Set it (usually the release's namespace)."
                    .into(),
            ));
        }
        if !on("elasticsearch") && text_at(values, "metadata.esEndpoint").is_none() {
            out.push(error(
                "agg_mds_no_elasticsearch",
                "metadata.esEndpoint",
                "metadata.useAggMds is true, but there is no in-cluster Elasticsearch (global.dev is false) and \
                 metadata.esEndpoint is not set, so the aggregate metadata has nowhere to live. Set \
                 metadata.esEndpoint."
                    .into(),
            ));
        }
    }
}

/// guppy has the indices it serves.
fn guppy_conditions(
    values: &Value,
    on: &dyn Fn(&str) -> bool,
    error: &dyn Fn(&str, &str, String) -> Finding,
    out: &mut Vec<Finding>,
) {
    if on("guppy") {
        for (i, index) in get(values, "guppy.indices").and_then(Value::as_sequence).into_iter().flatten().enumerate() {
            for field in ["index", "type"] {
                if index.get(field).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                    out.push(error(
                        "guppy_index_incomplete",
                        &format!("guppy.indices.{i}"),
                        format!(
                            "guppy.indices item {} has no {field}: every index needs both index (the \
                             Elasticsearch index name) and type (the node it describes).",
                            i + 1
                        ),
                    ));
                }
            }
        }
    }
}

/// usersync has a user.yaml to read.
fn usersync_conditions(
    values: &Value,
    on: &dyn Fn(&str) -> bool,
    error: &dyn Fn(&str, &str, String) -> Finding,
    out: &mut Vec<Finding>,
) {
    if on("fence") && get(values, "fence.usersync.usersync").and_then(Value::as_bool) == Some(true) {
        match text_at(values, "fence.usersync.userYamlS3Path") {
            None => out.push(error(
                "missing_setting",
                "fence.usersync.userYamlS3Path",
                "fence.usersync.usersync is true but fence.usersync.userYamlS3Path is not set, so usersync has \
                 no user.yaml to read. Set it to the s3:// path of the user.yaml."
                    .into(),
            )),
            Some(path) if !path.starts_with("s3://") => out.push(error(
                "invalid_value",
                "fence.usersync.userYamlS3Path",
                format!(
                    "fence.usersync.userYamlS3Path must be an s3:// path (s3://bucket/key), not \"{}\".",
                    truncate(path)
                ),
            )),
            Some(_) => {}
        }
    }
}

/// A switch that needs a name has one.
fn named_setting_conditions(values: &Value, error: &dyn Fn(&str, &str, String) -> Finding, out: &mut Vec<Finding>) {
    let needs_name = [
        (
            "global.aws.externalSecrets.enabled",
            "global.aws.externalSecrets.externalSecretAwsCreds",
            "the Secrets Manager secret holding the AWS credentials",
        ),
        (
            "global.aws.secretStoreServiceAccount.enabled",
            "global.aws.secretStoreServiceAccount.roleArn",
            "the IAM role the secret store assumes",
        ),
        (
            "global.aws.useLocalSecret.enabled",
            "global.aws.useLocalSecret.localSecretName",
            "the Kubernetes secret to use",
        ),
    ];
    for (switch, name, what) in needs_name {
        if get(values, switch).and_then(Value::as_bool) == Some(true) && text_at(values, name).is_none() {
            out.push(error(
                "missing_setting",
                name,
                format!("{switch} is true but {name} is empty: set it to {what}."),
            ));
        }
    }
}

fn get<'a>(values: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(values, |v, key| v.as_mapping()?.get(key))
}

/// Non-blank text at a path.
fn text_at<'a>(values: &'a Value, dotted: &str) -> Option<&'a str> {
    get(values, dotted).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn is_int_or_numeric_text(value: &Value) -> bool {
    value.is_i64()
        || value.is_u64()
        || value.as_str().is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

/// The kind of a value, for messages. Scalars are shown only for settings that cannot be secrets
/// (switches, counts, choices): a password written as a number must not end up in a message.
fn describe_type(value: &Value, reveal: bool) -> String {
    match value {
        Value::Null => "empty".into(),
        Value::Bool(b) if reveal => format!("the boolean {b}"),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) if reveal => format!("the number {}", describe_number(value)),
        Value::Number(_) => "a number".into(),
        Value::String(s)
            if reveal && (s.parse::<f64>().is_ok() || matches!(s.as_str(), "true" | "false" | "yes" | "no")) =>
        {
            format!("the quoted text \"{s}\"")
        }
        Value::String(_) => "text".into(),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a map".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

fn describe_number(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        s.chars().take(MAX).collect::<String>() + "…"
    }
}

/// serde_json's description of what is wrong, without its own "at line N column M" suffix.
fn json_problem(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The closest known key within two edits, if there is one.
fn did_you_mean<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (edit_distance(&key.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("hostnmae", "hostname"), 2);
        assert_eq!(edit_distance("fnce", "fence"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(did_you_mean("hostnmae", ["hostname", "dev"].into_iter()), Some("hostname"));
        assert_eq!(did_you_mean("zzzzzz", ["hostname", "dev"].into_iter()), None);
    }
}
