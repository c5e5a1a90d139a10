//! What Kubernetes will get: `helm template` of the gen3 umbrella chart with a commons' value
//! files, read back as Kubernetes objects, and two renders compared object by object.
//!
//! Our own values model can be wrong about the chart; the rendered objects cannot. Tests assert on
//! them, and the review shows what a change adds, changes and removes before anything is pushed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use similar::TextDiff;
use ts_rs::TS;

use crate::helm_launch::{is_dns_name, mask_secrets, spawn_error};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};

/// stderr lines of a failed render kept for the message.
const TAIL_LINES: usize = 6;

/// What one `helm template` renders.
#[derive(Debug, Clone)]
pub(crate) struct TemplateInput {
    /// The gen3 umbrella chart folder (gen3-helm's `helm/gen3`, dependencies built).
    pub chart_dir: PathBuf,
    pub release: String,
    pub namespace: String,
    /// In the order Helm merges them (Argo CD's `valueFiles` order): later files win.
    pub values_files: Vec<PathBuf>,
}

/// The arguments of `helm template <release> <chart> --namespace <ns> -f v1 -f v2 ...`; every
/// part is checked first, so none can be taken by helm for an option.
pub(crate) fn template_args(input: &TemplateInput) -> CoreResult<Vec<String>> {
    if !is_dns_name(&input.release, 53, true) {
        return Err(CoreError::invalid(format!(
            "“{}” cannot be a Helm release name: use at most 53 lowercase letters, digits and “-”.",
            input.release
        )));
    }
    if !is_dns_name(&input.namespace, 63, false) {
        return Err(CoreError::invalid(format!(
            "“{}” cannot be a Kubernetes namespace: use at most 63 lowercase letters, digits and “-”.",
            input.namespace
        )));
    }
    let path_arg = |p: &Path| {
        p.to_str().filter(|s| !s.is_empty() && !s.starts_with('-')).map(str::to_string).ok_or_else(|| {
            CoreError::invalid(format!(
                "The path {} cannot be given to helm; use a path without a leading “-”.",
                p.display()
            ))
        })
    };
    let mut args = vec!["template".to_string(), input.release.clone(), path_arg(&input.chart_dir)?];
    args.extend(["--namespace".to_string(), input.namespace.clone()]);
    for f in &input.values_files {
        args.extend(["-f".to_string(), path_arg(f)?]);
    }
    Ok(args)
}

/// Runs `helm template` and returns what it printed. A missing helm is `tool_missing`; a chart that
/// does not render is `tool_failed` with helm's last words (values that look secret masked).
pub(crate) fn helm_template(helm: &Path, input: &TemplateInput) -> CoreResult<String> {
    let args = template_args(input)?;
    let out = Command::new(helm).args(&args).stdin(Stdio::null()).output().map_err(|e| spawn_error(helm, &e))?;
    if out.status.success() {
        return String::from_utf8(out.stdout)
            .map_err(|_| CoreError::new(ErrorCode::ToolFailed, "helm template printed something that is not text."));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<String> =
        stderr.lines().map(str::trim).filter(|l| !l.is_empty()).map(mask_secrets).collect::<Vec<_>>();
    let last = lines[lines.len().saturating_sub(TAIL_LINES)..].join(" / ");
    tracing::info!(code = ?out.status.code(), "helm template failed");
    let hint = if stderr.contains("missing in charts/ directory") {
        format!(
            " The chart's dependencies are not built: run `helm dependency build {}` once, then try again.",
            input.chart_dir.display()
        )
    } else {
        String::new()
    };
    let said = if last.is_empty() { "printed nothing".to_string() } else { format!("said “{last}”") };
    Err(CoreError::new(ErrorCode::ToolFailed, format!("helm template could not render the chart; it {said}.{hint}")))
}

/// An object's identity: `apiVersion/kind`, namespace and name (what `kubectl apply` matches on).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
pub struct ObjectKey {
    /// `apps/v1/Deployment`, `v1/ConfigMap`.
    pub api_version_kind: String,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn kind(&self) -> &str {
        self.api_version_kind.rsplit('/').next().unwrap_or_default()
    }
}

/// The objects one render produced.
#[derive(Debug, Clone, Default)]
pub struct Objects(pub BTreeMap<ObjectKey, Value>);

/// Reads helm's multi-document output. Documents without a kind (empty ones between `---`) are
/// skipped; objects without a namespace are in `namespace` (where helm would install them).
pub(crate) fn parse_objects(text: &str, namespace: &str) -> CoreResult<Objects> {
    let mut objects = BTreeMap::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let Lenient(value) = Lenient::deserialize(doc).map_err(|e| {
            CoreError::new(ErrorCode::ToolFailed, format!("helm template printed YAML that could not be read ({e})."))
        })?;
        let text_at = |path: &[&str]| {
            path.iter().try_fold(&value, |v, k| v.get(*k)).and_then(Value::as_str).unwrap_or_default().to_string()
        };
        let (api_version, kind, name) = (text_at(&["apiVersion"]), text_at(&["kind"]), text_at(&["metadata", "name"]));
        if kind.is_empty() {
            continue;
        }
        let ns = Some(text_at(&["metadata", "namespace"])).filter(|n| !n.is_empty()).unwrap_or(namespace.to_string());
        objects.insert(ObjectKey { api_version_kind: format!("{api_version}/{kind}"), namespace: ns, name }, value);
    }
    Ok(Objects(objects))
}

/// A YAML value read the way Kubernetes reads a manifest: a key repeated in one mapping keeps its
/// last value. The real chart renders some (a second `readinessProbe`, a repeated selector label),
/// which serde_yaml_ng's own `Value` refuses.
struct Lenient(Value);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Lenient::deserialize(d).map(|l| l.0)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Lenient(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Sequence(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_yaml_ng::Mapping::new();
        while let Some((Lenient(k), Lenient(v))) = map.next_entry()? {
            out.insert(k, v);
        }
        Ok(Value::Mapping(out))
    }
}

/// A Secret's value as text: from `stringData`, or `data` base64 decoded if it is text.
pub fn secret_text(secret: &Value, key: &str) -> Option<String> {
    if let Some(text) = secret.get("stringData").and_then(|d| d.get(key)).and_then(Value::as_str) {
        return Some(text.to_string());
    }
    let encoded = secret.get("data")?.get(key)?.as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ObjectChangeKind {
    Added,
    Changed,
    Removed,
}

/// One object the change adds, changes or removes, with a unified diff of its YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ObjectChange {
    pub key: ObjectKey,
    pub change: ObjectChangeKind,
    pub diff: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RenderComparison {
    /// Added, then changed, then removed; each sorted by kind, namespace and name.
    pub changes: Vec<ObjectChange>,
    pub unchanged: u32,
}

const GENERATED: &str = "<generated by helm at each render>";

/// Where two renders of the same input differ: values the chart generates at random (passwords,
/// keys, certificates) and everything derived from them. Found by rendering twice.
#[derive(Debug, Clone, Default)]
pub(crate) struct Volatile(BTreeMap<ObjectKey, Vec<(Vec<String>, Option<BTreeSet<usize>>)>>);

impl Volatile {
    /// The leaves (or, in multi-line text, the lines) where `a` and `b`, two renders of one input,
    /// differ.
    pub(crate) fn between(a: &Objects, b: &Objects) -> Self {
        let mut out = BTreeMap::new();
        for (key, va) in &a.0 {
            let Some(vb) = b.0.get(key) else { continue };
            let mut spots = Vec::new();
            volatile_leaves(&display(key, va), &display(key, vb), &mut Vec::new(), &mut spots);
            if !spots.is_empty() {
                out.insert(key.clone(), spots);
            }
        }
        Volatile(out)
    }

    fn mask(&self, key: &ObjectKey, value: Value) -> Value {
        let mut value = value;
        for (path, lines) in self.0.get(key).into_iter().flatten() {
            let Some(leaf) = path.iter().try_fold(&mut value, |v, k| v.get_mut(k.as_str())) else { continue };
            *leaf = match (lines, leaf.as_str()) {
                (Some(lines), Some(text)) => Value::String(
                    text.split('\n')
                        .enumerate()
                        .map(|(i, l)| if lines.contains(&i) { GENERATED } else { l })
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                _ => Value::String(GENERATED.into()),
            };
        }
        value
    }
}

fn volatile_leaves(
    a: &Value,
    b: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<BTreeSet<usize>>)>,
) {
    match (a, b) {
        (Value::Mapping(ma), Value::Mapping(mb)) => {
            for (k, va) in ma {
                let (Some(key), Some(vb)) = (k.as_str(), mb.get(k)) else { continue };
                path.push(key.to_string());
                volatile_leaves(va, vb, path, out);
                path.pop();
            }
        }
        (Value::String(sa), Value::String(sb)) if sa != sb => {
            let (la, lb): (Vec<&str>, Vec<&str>) = (sa.split('\n').collect(), sb.split('\n').collect());
            // A configuration with a generated password differs on a line or two: mask those. A
            // generated key or certificate differs almost everywhere (a few lines match by chance):
            // mask all of it.
            let lines = (la.len() == lb.len() && la.len() > 1)
                .then(|| (0..la.len()).filter(|i| la[*i] != lb[*i]).collect::<BTreeSet<_>>())
                .filter(|differ| differ.len() * 2 <= la.len());
            out.push((path.clone(), lines));
        }
        _ if a != b => out.push((path.clone(), None)),
        _ => {}
    }
}

/// The object as the review shows it: Secret `data` decoded to text where it is text, so a
/// change to `fence-config` reads as the lines that changed rather than two base64 blobs.
fn display(key: &ObjectKey, value: &Value) -> Value {
    let mut value = value.clone();
    if key.kind() == "Secret" {
        let decoded: Vec<(Value, String)> = value
            .get("data")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .filter_map(|(k, _)| Some((k.clone(), secret_text(&value, k.as_str()?)?)))
            .collect();
        if let Some(data) = value.get_mut("data").and_then(Value::as_mapping_mut) {
            for (k, text) in decoded {
                data.insert(k, Value::String(text));
            }
        }
    }
    value
}

fn object_text(value: &Value) -> String {
    serde_yaml_ng::to_string(value).unwrap_or_default()
}

/// Compares two renders with the same chart. `volatile` (from [`Volatile::between`] of two renders
/// of `after`) is masked on both sides, so generated passwords do not read as changes.
pub(crate) fn compare(before: &Objects, after: &Objects, volatile: &Volatile) -> RenderComparison {
    let text = |key: &ObjectKey, v: &Value| object_text(&volatile.mask(key, display(key, v)));
    let unified = |key: &ObjectKey, old: &str, new: &str| {
        let label = format!("{}/{}", key.api_version_kind, key.name);
        TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{label}"), &format!("b/{label}"))
            .to_string()
    };
    let mut out = RenderComparison::default();
    let (mut added, mut changed, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for (key, new) in &after.0 {
        let new_text = text(key, new);
        match before.0.get(key) {
            None => added.push(ObjectChange {
                key: key.clone(),
                change: ObjectChangeKind::Added,
                diff: unified(key, "", &new_text),
            }),
            Some(old) => {
                let old_text = text(key, old);
                if old_text == new_text {
                    out.unchanged += 1;
                } else {
                    changed.push(ObjectChange {
                        key: key.clone(),
                        change: ObjectChangeKind::Changed,
                        diff: unified(key, &old_text, &new_text),
                    });
                }
            }
        }
    }
    for (key, old) in before.0.iter().filter(|(k, _)| !after.0.contains_key(*k)) {
        removed.push(ObjectChange {
            key: key.clone(),
            change: ObjectChangeKind::Removed,
            diff: unified(key, &text(key, old), ""),
        });
    }
    out.changes = added.into_iter().chain(changed).chain(removed).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The object of `kind` named `name`, in any namespace.
    fn object<'a>(objects: &'a Objects, kind: &str, name: &str) -> Option<&'a Value> {
        objects.0.iter().find(|(k, _)| k.kind() == kind && k.name == name).map(|(_, v)| v)
    }

    const BEFORE: &str = "---\n# Source: a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: manifest-global\ndata:\n  hostname: a.example.org\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: other\ndata:\n  password: cGFzc3dvcmQx\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gone\n---\n";
    const AFTER: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: manifest-global\ndata:\n  hostname: b.example.org\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: other\ndata:\n  password: cGFzc3dvcmQy\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: new\n";
    const AFTER_AGAIN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: manifest-global\ndata:\n  hostname: b.example.org\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: other\ndata:\n  password: cGFzc3dvcmQz\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: new\n";

    #[test]
    fn objects_are_keyed_and_secrets_read_as_text() {
        let objects = parse_objects(BEFORE, "gen3").unwrap();
        assert_eq!(objects.0.len(), 3, "the empty document is skipped");
        let key = objects.0.keys().find(|k| k.name == "manifest-global").unwrap();
        assert_eq!((key.api_version_kind.as_str(), key.namespace.as_str()), ("v1/ConfigMap", "gen3"));
        let secret = object(&objects, "Secret", "db").unwrap();
        assert_eq!(secret_text(secret, "password").as_deref(), Some("password1"));
        assert!(objects.0.keys().any(|k| k.name == "db" && k.namespace == "other"));
    }

    #[test]
    fn changes_are_listed_and_generated_values_are_not_changes() {
        let (before, after, again) = (
            parse_objects(BEFORE, "gen3").unwrap(),
            parse_objects(AFTER, "gen3").unwrap(),
            parse_objects(AFTER_AGAIN, "gen3").unwrap(),
        );
        let volatile = Volatile::between(&after, &again);
        let cmp = compare(&before, &after, &volatile);
        let summary: Vec<(ObjectChangeKind, &str)> =
            cmp.changes.iter().map(|c| (c.change, c.key.name.as_str())).collect();
        assert_eq!(
            summary,
            [
                (ObjectChangeKind::Added, "new"),
                (ObjectChangeKind::Changed, "manifest-global"),
                (ObjectChangeKind::Removed, "gone")
            ]
        );
        assert_eq!(cmp.unchanged, 1, "the Secret differs only in a generated value");
        let diff = &cmp.changes[1].diff;
        assert!(diff.contains("-  hostname: a.example.org") && diff.contains("+  hostname: b.example.org"), "{diff}");
        // Without knowing what helm generates, the password reads as a change.
        assert_eq!(compare(&before, &after, &Volatile::default()).changes.len(), 4);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_as_kubernetes_does() {
        let objects =
            parse_objects("kind: Service\nmetadata:\n  name: a\n  name: b\nspec: {x: 1, x: 2}\n", "ns").unwrap();
        let svc = object(&objects, "Service", "b").expect("the last name wins");
        assert_eq!(svc.get("spec").and_then(|s| s.get("x")), Some(&Value::from(2)));
    }

    #[test]
    fn arguments_cannot_become_options() {
        let input = TemplateInput {
            chart_dir: "/charts/gen3".into(),
            release: "gen3".into(),
            namespace: "default".into(),
            values_files: vec!["/v/a.yaml".into(), "/v/b.yaml".into()],
        };
        assert_eq!(
            template_args(&input).unwrap(),
            ["template", "gen3", "/charts/gen3", "--namespace", "default", "-f", "/v/a.yaml", "-f", "/v/b.yaml"]
        );
        let bad = TemplateInput { values_files: vec!["--post-renderer=x".into()], ..input.clone() };
        assert_eq!(template_args(&bad).unwrap_err().code, ErrorCode::Invalid);
        let bad = TemplateInput { release: "--debug".into(), ..input };
        assert_eq!(template_args(&bad).unwrap_err().code, ErrorCode::Invalid);
    }

    #[test]
    fn a_missing_helm_is_tool_missing() {
        let input = TemplateInput {
            chart_dir: "/nowhere".into(),
            release: "gen3".into(),
            namespace: "default".into(),
            values_files: vec![],
        };
        let err = helm_template(Path::new("/nonexistent/helm"), &input).unwrap_err();
        assert_eq!(err.code, ErrorCode::ToolMissing, "{}", err.message);
    }
}
