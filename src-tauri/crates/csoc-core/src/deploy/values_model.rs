//! A model of gen3-helm's umbrella values (`helm/gen3/values.yaml` and what the subcharts read), since
//! gen3-helm ships no `values.schema.json`: known keys and their types, checked against a values file
//! together with the conditions between settings that Helm itself never checks.
//!
//! `global` and the top level are closed: a key the model does not know there is reported (a typo
//! there is silently ignored by Helm). Inside a subchart only the keys the model knows are typed;
//! charts carry many settings of their own, so unknown ones there are left alone.

use serde_yaml_ng::{Mapping, Value};

use super::{catalog, user_yaml, Finding, Severity};

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Str,
    Int,
    /// A number written either bare or quoted (`port: "5432"`), as gen3-helm's defaults do.
    IntOrStr,
    List,
    Map,
    OneOf(&'static [&'static str]),
    /// Text holding a JSON document (`metadata.aggMdsConfig`, `portal.gitops.json`).
    JsonText,
    /// An image tag: text; a bare number is read by YAML as a float (`2025.10` becomes `2025.1`).
    ImageTag,
    /// Text holding a whole user.yaml (`fence.USER_YAML`).
    UserYamlText,
    /// A map whose other keys are reported as unknown.
    Closed(&'static [Field]),
    /// A map whose listed keys are typed; other keys belong to the chart.
    Open(&'static [Field]),
    /// A map whose every value has this kind (`OPENID_CONNECT.<idp>`).
    EachValue(&'static Kind),
    /// A list whose every item has this kind (`guppy.indices[]`).
    EachItem(&'static Kind),
}

struct Field {
    key: &'static str,
    kind: Kind,
}

const fn f(key: &'static str, kind: Kind) -> Field {
    Field { key, kind }
}

use Kind::*;

static GLOBAL: &[Field] = &[
    f("gcp", Closed(&[f("enabled", Bool), f("secretStoreServiceAccount", Str), f("projectID", Str)])),
    f(
        "aws",
        Closed(&[
            f("region", Str),
            f("enabled", Bool),
            f("account", IntOrStr),
            f("awsAccessKeyId", Str),
            f("awsSecretAccessKey", Str),
            f(
                "externalSecrets",
                Closed(&[f("enabled", Bool), f("externalSecretAwsCreds", Str), f("pushSecret", Bool)]),
            ),
            f("secretStoreServiceAccount", Closed(&[f("enabled", Bool), f("name", Str), f("roleArn", Str)])),
            f(
                "useLocalSecret",
                Closed(&[f("enabled", Bool), f("localSecretName", Str), f("localSecretNamespace", Str)]),
            ),
            f("wafv2", Closed(&[f("enabled", Bool), f("wafAclArn", Str)])),
            f("hatchery_role", Str),
            f("awsEsProxyRole", Str),
        ]),
    ),
    f(
        "crossplane",
        Closed(&[
            f("enabled", Bool),
            f("providerConfigName", Str),
            f("oidcProviderUrl", Str),
            f("accountId", IntOrStr),
            f("s3", Closed(&[f("kmsKeyId", Str), f("versioningEnabled", Bool)])),
        ]),
    ),
    f("dev", Bool),
    f(
        "postgres",
        Closed(&[
            f("dbCreate", Bool),
            f("dbRestore", Bool),
            f("externalSecret", Str),
            f("master", Closed(&[f("username", Str), f("password", Str), f("host", Str), f("port", IntOrStr)])),
        ]),
    ),
    f("environment", Str),
    f("clusterName", Str),
    f("hostname", Str),
    f("revproxyArn", Str),
    f("dictionaryUrl", Str),
    f("portalApp", Str),
    f("publicDataSets", Bool),
    f("tierAccessLevel", OneOf(&["libre", "regular", "private"])),
    f("tierAccessLimit", IntOrStr),
    f("logoutInactiveUsers", Bool),
    f("workspaceTimeoutInMinutes", IntOrStr),
    f("maintenanceMode", OneOf(&["on", "off"])),
    f("dataUploadBucket", Str),
    f("fenceURL", Str),
    f("arboristURL", Str),
    f("indexdURL", Str),
    f("workspaceURL", Str),
    f("manifestServiceURL", Str),
    f("wtsURL", Str),
    f("privacyPolicyURL", Str),
    f("mapboxToken", Str),
    f("cookieDomain", Str),
    f("desNamespace", Str),
    f("origins_allow_credentials", List),
    f("kubeBucket", Str),
    f("logsBucket", Str),
    f("netPolicy", Closed(&[f("enabled", Bool), f("dbSubnets", List), f("dbSubnet", Str)])),
    f("dispatcherJobNum", IntOrStr),
    f("pdb", Bool),
    f("minAvailable", IntOrStr),
    f("manifestGlobalExtraValues", Map),
    f("frontendRoot", OneOf(&["portal", "gen3ff"])),
    f("createSlackWebhookSecret", Bool),
    f("slackWebhook", Str),
    f("metricsEnabled", Bool),
    f(
        "externalSecrets",
        Closed(&[
            f("apiVersion", Str),
            f("deploy", Bool),
            f("createLocalK8sSecret", Bool),
            f("clusterSecretStoreRef", Str),
            f("createSlackWebhookSecret", Bool),
            f("slackWebhookSecretName", Str),
            f("separateSecretStore", Bool),
            f("pushSecret", Bool),
            f("dbCreate", Bool),
            f("pushFunnelOidcClientToExternalSecrets", Bool),
        ]),
    ),
    f("topologySpread", Closed(&[f("enabled", Bool), f("topologyKey", Str), f("maxSkew", Int)])),
    f(
        "autoscaling",
        Closed(&[
            f("enabled", Bool),
            f("minReplicas", Int),
            f("maxReplicas", Int),
            f("averageCPUValue", Str),
            f("averageMemoryValue", Str),
        ]),
    ),
];

static IMAGE: &[Field] =
    &[f("repository", Str), f("tag", ImageTag), f("pullPolicy", OneOf(&["Always", "IfNotPresent", "Never"]))];

/// Keys every Gen3 service chart reads (through the `common` library chart).
static COMMON: &[Field] = &[
    f("enabled", Bool),
    f("image", Open(IMAGE)),
    f("imagePullSecrets", List),
    f("replicaCount", Int),
    f(
        "autoscaling",
        Open(&[
            f("enabled", Bool),
            f("minReplicas", Int),
            f("maxReplicas", Int),
            f("targetCPUUtilizationPercentage", Int),
            f("targetMemoryUtilizationPercentage", Int),
        ]),
    ),
    f("resources", Map),
    f("serviceAccount", Open(&[f("create", Bool), f("name", Str), f("annotations", Map)])),
    f("externalSecrets", Map),
    f(
        "postgres",
        Open(&[
            f("host", Str),
            f("database", Str),
            f("username", Str),
            f("password", Str),
            f("port", IntOrStr),
            f("dbCreate", Bool),
            f("dbRestore", Bool),
            f("separate", Bool),
        ]),
    ),
    f("secrets", Map),
    f("labels", Map),
    f("podAnnotations", Map),
    f("podSecurityContext", Map),
    f("securityContext", Map),
    f("nodeSelector", Map),
    f("tolerations", List),
    f("affinity", Map),
    f("env", List),
    f("volumes", List),
    f("volumeMounts", List),
    f("service", Map),
    f("strategy", Map),
    f("revisionHistoryLimit", Int),
    f("automountServiceAccountToken", Bool),
    f("metricsEnabled", Bool),
    f("release", OneOf(&["production", "dev"])),
    f("criticalService", OneOf(&["true", "false"])),
    f("partOf", Str),
    f("selectorLabels", Map),
    f("commonLabels", Map),
    f("nameOverride", Str),
    f("fullnameOverride", Str),
];

static IDP: Kind = Open(&[
    f("name", Str),
    f("client_id", Str),
    f("client_secret", Str),
    f("redirect_url", Str),
    f("discovery_url", Str),
    f("scope", Str),
    f("user_id_field", Str),
    f("email_field", Str),
    f("discovery", Map),
]);

static LOGIN_OPTION: Kind = Open(&[f("name", Str), f("desc", Str), f("idp", Str), f("secondary", Bool)]);

static FENCE_CONFIG: &[Field] = &[
    f("APP_NAME", Str),
    f("BASE_URL", Str),
    f("ENCRYPTION_KEY", Str),
    f("DEBUG", Bool),
    f("MOCK_AUTH", Bool),
    f("MOCK_GOOGLE_AUTH", Bool),
    f("MOCK_STORAGE", Bool),
    f("AUTHLIB_INSECURE_TRANSPORT", Bool),
    f("ENABLE_PROMETHEUS_METRICS", Bool),
    f("SESSION_COOKIE_SECURE", Bool),
    f("ENABLE_CSRF_PROTECTION", Bool),
    f("ENABLE_DB_MIGRATION", Bool),
    f("ALLOW_NEW_USER_ON_LOGIN", Bool),
    f("OPENID_CONNECT", EachValue(&IDP)),
    f("LOGIN_OPTIONS", EachItem(&LOGIN_OPTION)),
    f("DEFAULT_LOGIN_IDP", Str),
    f("DEFAULT_LOGIN_URL", Str),
    f("LOGIN_REDIRECT_WHITELIST", List),
    f("ENABLED_IDENTITY_PROVIDERS", Map),
    f("CLIENT_ALLOWED_SCOPES", List),
    f("USER_ALLOWED_SCOPES", List),
    f("SESSION_ALLOWED_SCOPES", List),
    f("ACCESS_TOKEN_EXPIRES_IN", Int),
    f("REFRESH_TOKEN_EXPIRES_IN", Int),
    f("SESSION_TIMEOUT", Int),
    f("SESSION_LIFETIME", Int),
    f("MAX_PRESIGNED_URL_TTL", Int),
    f("MAX_API_KEY_TTL", Int),
    f("MAX_ACCESS_TOKEN_TTL", Int),
    f("AWS_CREDENTIALS", Map),
    f("S3_BUCKETS", Map),
    f("DATA_UPLOAD_BUCKET", Str),
    f("INDEXD", Str),
    f("ARBORIST", Str),
    f("USERSYNC", Map),
    f("GA4GH_VISA_ISSUER_ALLOWLIST", List),
];

static FENCE: &[Field] = &[
    f("FENCE_CONFIG", Open(FENCE_CONFIG)),
    f("FENCE_CONFIG_PUBLIC", Open(FENCE_CONFIG)),
    f("USER_YAML", UserYamlText),
    f(
        "usersync",
        Open(&[
            f("usersync", Bool),
            f("schedule", Str),
            f("syncFromDbgap", Bool),
            f("addDbgap", Bool),
            f("onlyDbgap", Bool),
            f("userYamlS3Path", Str),
            f("userYamlS3Endpoint", Str),
            f("userYamlS3AccessKeyId", Str),
            f("userYamlS3SecretAccessKey", Str),
            f("custom_image", Str),
            f("slack_webhook", Str),
            f("slack_send_dbgap", Bool),
            f("env", List),
        ]),
    ),
];

static GUPPY_INDEX: Kind = Open(&[f("index", Str), f("type", Str)]);

static SERVICE_KEYS: &[(&str, &[Field])] = &[
    ("fence", FENCE),
    ("indexd", &[f("defaultPrefix", Str), f("dist", List)]),
    (
        "guppy",
        &[f("indices", EachItem(&GUPPY_INDEX)), f("configIndex", Str), f("authFilterField", Str), f("esEndpoint", Str)],
    ),
    (
        "metadata",
        &[
            f("useAggMds", Bool),
            f("aggMdsNamespace", Str),
            f("aggMdsDefaultDataDictField", Str),
            f("aggMdsConfig", JsonText),
            f("esEndpoint", Str),
            f("debug", Bool),
        ],
    ),
    ("wts", &[f("external_oidc", List)]),
    (
        "portal",
        &[f(
            "gitops",
            Open(&[f("json", JsonText), f("css", Str), f("logo", Str), f("favicon", Str), f("gen3Bundle", Str)]),
        )],
    ),
    (
        "etl",
        &[
            f("image", Open(&[f("tube", Open(IMAGE)), f("spark", Open(IMAGE))])),
            f("esEndpoint", Str),
            f("etlMapping", Map),
        ],
    ),
    (
        "aws-es-proxy",
        &[f("esEndpoint", Str), f("secrets", Open(&[f("awsAccessKeyId", Str), f("awsSecretAccessKey", Str)]))],
    ),
    ("aws-sigv4-proxy", &[f("esEndpoint", Str)]),
    (
        "revproxy",
        &[f(
            "ingress",
            Open(&[f("enabled", Bool), f("className", Str), f("annotations", Map), f("hosts", List), f("tls", List)]),
        )],
    ),
    ("hatchery", &[f("hatchery", Map)]),
];

/// Subcharts that are not Gen3 services built on the `common` library: their values are their own.
static OWN_VALUES_CHARTS: &[&str] = &["common", "elasticsearch", "postgresql", "neuvector", "gen3-network-policies"];

/// Top-level keys of the umbrella chart that are not subcharts.
static EXTRA_TOP: &[Field] = &[
    f("mutatingWebhook", Open(&[f("enabled", Bool), f("image", Str)])),
    f("secrets", Open(&[f("awsAccessKeyId", Str), f("awsSecretAccessKey", Str)])),
    f("tests", Map),
    f(
        "auroraRdsCopyJob",
        Open(&[
            f("enabled", Bool),
            f("auroraMasterSecret", Str),
            f("sourceNamespace", Str),
            f("targetNamespace", Str),
            f("writeToK8sSecret", Bool),
            f("writeToAwsSecret", Bool),
            f("services", List),
        ]),
    ),
];

/// Keys still found in values files for charts gen3-helm no longer has.
static STALE_TOP: &[(&str, &str)] = &[("pidgin", "gen3-helm has no pidgin subchart any more")];

/// Unknown keys, wrong types and inconsistent settings in an umbrella values file (`file` names it
/// in the findings). Absent keys take gen3-helm's defaults.
pub fn validate_values(values: &Value, file: &str) -> Vec<Finding> {
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
        for (k, v) in top {
            let Some(key) = k.as_str() else {
                self.push(Severity::Error, "wrong_type", "", format!("{} has a key that is not text.", self.file));
                continue;
            };
            if key == "global" {
                self.check(key, v, &Closed(GLOBAL));
            } else if catalog::service(key).is_some() {
                self.subchart(key, v);
            } else if let Some(field) = EXTRA_TOP.iter().find(|fl| fl.key == key) {
                self.check(key, v, &field.kind);
            } else if let Some((_, why)) = STALE_TOP.iter().find(|(name, _)| *name == key) {
                self.push(Severity::Warning, "unknown_key", key, format!("{key} has no effect: {why}. Remove it."));
            } else {
                let known = catalog::services()
                    .iter()
                    .map(|s| s.name)
                    .chain(EXTRA_TOP.iter().map(|fl| fl.key))
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

    fn subchart(&mut self, name: &str, value: &Value) {
        let Some(map) = value.as_mapping() else {
            if !value.is_null() {
                self.type_error(name, value, &Map, "a map of the chart's settings");
            }
            return;
        };
        let specific = SERVICE_KEYS.iter().find(|(n, _)| *n == name).map(|(_, fields)| *fields).unwrap_or(&[]);
        let common: &[Field] = if OWN_VALUES_CHARTS.contains(&name) { &[] } else { COMMON };
        for (k, v) in map {
            let Some(key) = k.as_str() else { continue };
            let field = specific.iter().chain(common).find(|fl| fl.key == key);
            if let Some(field) = field {
                self.check(&format!("{name}.{key}"), v, &field.kind);
            }
        }
    }

    fn check(&mut self, path: &str, value: &Value, kind: &Kind) {
        if value.is_null() {
            return;
        }
        match kind {
            Bool if !value.is_bool() => self.type_error(path, value, kind, "true or false, without quotes"),
            Str if !value.is_string() => self.type_error(path, value, kind, "text"),
            Int if !(value.is_i64() || value.is_u64()) => self.type_error(path, value, kind, "a whole number"),
            IntOrStr if !is_int_or_numeric_text(value) => {
                self.type_error(path, value, kind, "a whole number (bare or quoted, e.g. 5432 or \"5432\")")
            }
            List | EachItem(_) if !value.is_sequence() => self.type_error(path, value, kind, "a list"),
            Map | Closed(_) | Open(_) | EachValue(_) if !value.is_mapping() => {
                self.type_error(path, value, kind, "a map")
            }
            OneOf(allowed) if !value.as_str().is_some_and(|s| allowed.contains(&s)) => {
                let shown = match value.as_str() {
                    Some(s) => format!("\"{}\"", truncate(s)),
                    None => describe_type(value, true),
                };
                self.push(
                    Severity::Error,
                    "invalid_value",
                    path,
                    format!("{path} must be one of {}, not {shown}.", allowed.join(", ")),
                );
            }
            JsonText => match value.as_str() {
                None => self.type_error(path, value, kind, "text holding a JSON document"),
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
            ImageTag => {
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
                    self.type_error(path, value, kind, "text (the image tag, quoted)");
                }
            }
            UserYamlText => match value.as_str() {
                None => self.type_error(path, value, kind, "text holding the user.yaml (a `|` block)"),
                Some(text) => self.embedded_user_yaml(path, text),
            },
            Closed(fields) => self.map(path, value, fields, true),
            Open(fields) => self.map(path, value, fields, false),
            EachValue(inner) => {
                for (k, v) in value.as_mapping().into_iter().flatten() {
                    let key = k.as_str().map(str::to_string).unwrap_or_else(|| format!("{k:?}"));
                    self.check(&format!("{path}.{key}"), v, inner);
                }
            }
            EachItem(inner) => {
                for (i, item) in value.as_sequence().into_iter().flatten().enumerate() {
                    self.check(&format!("{path}.{i}"), item, inner);
                }
            }
            _ => {}
        }
    }

    fn map(&mut self, path: &str, value: &Value, fields: &[Field], closed: bool) {
        for (k, v) in value.as_mapping().into_iter().flatten() {
            let Some(key) = k.as_str() else { continue };
            let child = format!("{path}.{key}");
            match fields.iter().find(|fl| fl.key == key) {
                Some(field) => self.check(&child, v, &field.kind),
                None if closed => {
                    let hint = did_you_mean(key, fields.iter().map(|fl| fl.key))
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

    fn type_error(&mut self, path: &str, value: &Value, kind: &Kind, expected: &str) {
        let reveal = matches!(kind, Bool | Int | IntOrStr);
        self.push(
            Severity::Error,
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
    let mut push = |code: &str, key: &str, message: String| {
        out.push(Finding {
            severity: Severity::Error,
            code: code.into(),
            message,
            file: Some(file.to_string()),
            key: Some(key.to_string()),
            acknowledgeable: false,
        })
    };
    let on = |name: &str| enabled.iter().any(|e| e == name);

    if get(values, "global.dev").and_then(Value::as_bool) == Some(false)
        && text_at(values, "global.postgres.master.host").is_none()
        && text_at(values, "global.postgres.externalSecret").is_none()
    {
        push(
            "no_database",
            "global.postgres",
            "global.dev is false, so no in-cluster PostgreSQL is deployed, but neither \
             global.postgres.master.host nor global.postgres.externalSecret says which database the services \
             use. Set global.postgres.externalSecret to the name of the secret holding the master credentials \
             (or global.postgres.master.host)."
                .into(),
        );
    }

    let set_root = text_at(values, "global.frontendRoot");
    let root = set_root.unwrap_or("portal");
    let (root_chart, root_key) = match root {
        "gen3ff" => ("frontend-framework", "frontend-framework.enabled"),
        _ => ("portal", "portal.enabled"),
    };
    if matches!(root, "portal" | "gen3ff") && !on(root_chart) {
        push(
            "frontend_root_disabled",
            "global.frontendRoot",
            format!(
                "{}, which serves {root_chart} at /, but {root_chart} is not enabled, so the commons' home page \
                 would not answer. Set {root_key}: true or change global.frontendRoot.",
                match set_root {
                    Some(_) => format!("global.frontendRoot is \"{root}\""),
                    None => "global.frontendRoot is not set and gen3-helm's default is \"portal\"".to_string(),
                }
            ),
        );
    }

    if on("metadata") && get(values, "metadata.useAggMds").and_then(Value::as_bool) == Some(true) {
        if text_at(values, "metadata.aggMdsConfig").is_none() {
            push(
                "agg_mds_incomplete",
                "metadata.aggMdsConfig",
                "metadata.useAggMds is true but metadata.aggMdsConfig is not set, so the chart's sample \
                 configuration (which aggregates gen3.datacommons.io) would be used. Set aggMdsConfig to the \
                 JSON that lists this mesh's commons."
                    .into(),
            );
        }
        if text_at(values, "metadata.aggMdsNamespace").is_none() {
            push(
                "agg_mds_incomplete",
                "metadata.aggMdsNamespace",
                "metadata.useAggMds is true but metadata.aggMdsNamespace is not set, so the aggregate indices \
                 go to the namespace \"default\" and collide with any other commons sharing the Elasticsearch. \
                 Set it (usually the release's namespace)."
                    .into(),
            );
        }
        if !on("elasticsearch") && text_at(values, "metadata.esEndpoint").is_none() {
            push(
                "agg_mds_no_elasticsearch",
                "metadata.esEndpoint",
                "metadata.useAggMds is true, but there is no in-cluster Elasticsearch (global.dev is false) and \
                 metadata.esEndpoint is not set, so the aggregate metadata has nowhere to live. Set \
                 metadata.esEndpoint."
                    .into(),
            );
        }
    }

    if on("guppy") {
        for (i, index) in get(values, "guppy.indices").and_then(Value::as_sequence).into_iter().flatten().enumerate() {
            for field in ["index", "type"] {
                if index.get(field).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                    push(
                        "guppy_index_incomplete",
                        &format!("guppy.indices.{i}"),
                        format!(
                            "guppy.indices item {} has no {field}: every index needs both index (the \
                             Elasticsearch index name) and type (the node it describes).",
                            i + 1
                        ),
                    );
                }
            }
        }
    }

    if on("fence") && get(values, "fence.usersync.usersync").and_then(Value::as_bool) == Some(true) {
        match text_at(values, "fence.usersync.userYamlS3Path") {
            None => push(
                "missing_setting",
                "fence.usersync.userYamlS3Path",
                "fence.usersync.usersync is true but fence.usersync.userYamlS3Path is not set, so usersync has \
                 no user.yaml to read. Set it to the s3:// path of the user.yaml."
                    .into(),
            ),
            Some(path) if !path.starts_with("s3://") => push(
                "invalid_value",
                "fence.usersync.userYamlS3Path",
                format!(
                    "fence.usersync.userYamlS3Path must be an s3:// path (s3://bucket/key), not \"{}\".",
                    truncate(path)
                ),
            ),
            Some(_) => {}
        }
    }

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
            push("missing_setting", name, format!("{switch} is true but {name} is empty: set it to {what}."));
        }
    }
    out
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
