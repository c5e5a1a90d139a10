//! Security and consistency findings on a commons' (merged) umbrella values: what must not reach a
//! production commons unnoticed (mock login, dev mode, plain http, no network policies, secret values
//! in a file that is committed to git) and settings that disagree with the commons' hostname.
//!
//! For production the security findings are errors the operator may acknowledge; elsewhere they are
//! warnings. Consistency findings do not depend on the environment.

use serde_yaml_ng::Value;

use super::{catalog, Finding, Severity};

/// gen3-helm's placeholder for `global.revproxyArn`; it points at no certificate.
const PLACEHOLDER_REVPROXY_ARN: &str = "arn:aws:acm:us-east-1:123456:certificate";

/// Security findings (production: acknowledgeable errors, else warnings) and hostname, redirect
/// and TLS consistency findings for `values` of the commons served at `hostname`.
pub(crate) fn security_findings(values: &Value, production: bool, hostname: &str) -> Vec<Finding> {
    let mut out = Out { production, findings: Vec::new() };
    mock_login(values, &mut out);
    dev_and_network(values, &mut out);
    exposure(values, &mut out);
    plain_http(values, &mut out);
    secret_values(values, &mut out);
    let host = expected_host(values, hostname, &mut out);
    if let Some(host) = host {
        fence_urls(values, &host, &mut out);
    }
    tls(values, &mut out);
    out.findings
}

struct Out {
    production: bool,
    findings: Vec<Finding>,
}

impl Out {
    fn add(&mut self, severity: Severity, acknowledgeable: bool, code: &str, key: &str, message: String) {
        self.findings.push(Finding {
            severity,
            code: code.into(),
            message,
            file: None,
            key: (!key.is_empty()).then(|| key.to_string()),
            acknowledgeable,
        });
    }

    /// A risk the operator may accept for production, a warning elsewhere.
    fn security(&mut self, code: &str, key: &str, message: String) {
        if self.production {
            self.add(Severity::Error, true, code, key, message + " A production commons must not run like this.");
        } else {
            self.add(Severity::Warning, false, code, key, message);
        }
    }

    fn error(&mut self, code: &str, key: &str, message: String) {
        self.add(Severity::Error, false, code, key, message);
    }

    fn warning(&mut self, code: &str, key: &str, message: String) {
        self.add(Severity::Warning, false, code, key, message);
    }
}

fn get<'a>(values: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(values, |v, key| v.as_mapping()?.get(key))
}

fn text_at<'a>(values: &'a Value, dotted: &str) -> Option<&'a str> {
    get(values, dotted).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn is_true(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

const FENCE_CONFIGS: [&str; 2] = ["fence.FENCE_CONFIG", "fence.FENCE_CONFIG_PUBLIC"];

fn mock_login(values: &Value, out: &mut Out) {
    for cfg in FENCE_CONFIGS {
        let key = format!("{cfg}.MOCK_AUTH");
        if is_true(get(values, &key)) {
            out.security(
                "mock_auth",
                &key,
                format!("{key} is on: anyone who opens the login page is logged in as a test user, with no identity provider."),
            );
        }
        let key = format!("{cfg}.MOCK_GOOGLE_AUTH");
        if is_true(get(values, &key)) {
            out.security(
                "mock_google_auth",
                &key,
                format!("{key} is on: the Google login is faked and logs anyone in as a test user."),
            );
        }
        for (idp, settings) in
            get(values, &format!("{cfg}.OPENID_CONNECT")).and_then(Value::as_mapping).into_iter().flatten()
        {
            let idp = idp.as_str().unwrap_or("?");
            if is_true(settings.get("mock")) {
                let key = format!("{cfg}.OPENID_CONNECT.{idp}.mock");
                out.security(
                    "mock_auth",
                    &key,
                    format!("{key} is on: the {idp} login is faked and logs anyone in as its mock default user."),
                );
            }
        }
        let key = format!("{cfg}.DEBUG");
        if is_true(get(values, &key)) {
            out.security(
                "debug_on",
                &key,
                format!("{key} is on: fence shows internal details (stack traces) to users."),
            );
        }
    }
}

fn dev_and_network(values: &Value, out: &mut Out) {
    match get(values, "global.dev") {
        Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => out.security(
            "dev_mode",
            "global.dev",
            "global.dev is true: the chart deploys its own PostgreSQL and Elasticsearch in the cluster, \
             without persistence by default, so data can be lost on a restart. Use an external database \
             (global.dev: false with global.postgres.externalSecret)."
                .into(),
        ),
        _ => out.security(
            "dev_mode",
            "global.dev",
            "global.dev is not set to false, and gen3-helm's default is true: the chart deploys its own \
             PostgreSQL and Elasticsearch in the cluster, without persistence by default. Set global.dev: false \
             and point global.postgres at the real database."
                .into(),
        ),
    }
    if get(values, "global.netPolicy.enabled").and_then(Value::as_bool) != Some(true) {
        out.security(
            "network_policies_off",
            "global.netPolicy.enabled",
            "global.netPolicy.enabled is not true, so every pod may talk to every other pod and to the \
             databases; a compromised service reaches everything. Turn network policies on."
                .into(),
        );
    }
}

/// The revproxy chart renders an Ingress (or an OpenShift Route) only under these switches; with
/// none of them, https://host answers nothing unless something outside the chart routes to the
/// revproxy Service, which some operators do on purpose, hence a warning.
fn exposure(values: &Value, out: &mut Out) {
    let on = |key: &str| get(values, key) == Some(&Value::Bool(true));
    let dev = get(values, "global.dev") != Some(&Value::Bool(false));
    let exposed = on("global.aws.enabled")
        || on("global.gcp.enabled")
        || on("revproxy.ingress.enabled")
        || on("revproxy.openshiftRoute.enabled")
        || dev;
    if !exposed {
        out.warning(
            "no_ingress",
            "revproxy.ingress.enabled",
            "Nothing in the chart exposes this commons: global.dev is false and none of global.aws.enabled, \
             global.gcp.enabled, revproxy.ingress.enabled or revproxy.openshiftRoute.enabled is on, so no Ingress \
             (or Route) is rendered and the hostname reaches no service unless an ingress outside this chart \
             routes to the revproxy Service. Turn one of them on."
                .into(),
        );
    }
}

/// Walks every value with its dotted path and its own key.
fn walk<'a>(value: &'a Value, path: &str, visit: &mut impl FnMut(&str, &str, &'a Value)) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml_ng::to_string(other).map(|s| s.trim().to_string()).unwrap_or_default(),
                };
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                visit(&child, &key, v);
                walk(v, &child, visit);
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                let child = format!("{path}.{i}");
                visit(&child, "", v);
                walk(v, &child, visit);
            }
        }
        _ => {}
    }
}

/// Where plain http is not traffic of the commons: portal page content (links shown to users).
const HTTP_EXEMPT_PREFIXES: &[&str] = &["portal.gitops"];

/// Keys whose `http://` text is an identifier, never fetched (fence's CILogon mock user id).
const HTTP_EXEMPT_KEYS: &[&str] = &["mock_default_user"];

fn plain_http(values: &Value, out: &mut Out) {
    let mut hits: Vec<(String, Vec<String>)> = Vec::new();
    walk(values, "", &mut |path, key, v| {
        let Some(text) = v.as_str() else { return };
        if HTTP_EXEMPT_KEYS.contains(&key)
            || HTTP_EXEMPT_PREFIXES.iter().any(|p| path == *p || path.starts_with(&format!("{p}.")))
        {
            return;
        }
        let mut hosts: Vec<String> = Vec::new();
        for host in http_hosts(text) {
            if !inside_cluster(&host) && !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        if !hosts.is_empty() {
            hits.push((path.to_string(), hosts));
        }
    });
    for (path, hosts) in hits {
        let shown: Vec<String> = hosts.iter().map(|h| format!("http://{h}")).collect();
        out.security(
            "insecure_url",
            &path,
            format!(
                "{path} uses plain http ({}): requests and tokens to it travel unencrypted. Use https://, or an \
                 in-cluster service name if it is a service of this commons.",
                shown.join(", ")
            ),
        );
    }
}

/// The hosts of the `http://` URLs in a text; user names, passwords and paths are left out.
fn http_hosts(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut hosts = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("http://") {
        let start = from + i + "http://".len();
        let authority: String =
            lower[start..].chars().take_while(|c| !c.is_whitespace() && !"/?#\"'`,;)]}<>|\\".contains(*c)).collect();
        from = start;
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host = if host_port.starts_with('[') {
            host_port.split(']').next().unwrap_or_default().trim_start_matches('[').to_string()
        } else {
            host_port.split(':').next().unwrap_or_default().to_string()
        };
        if !host.is_empty() && !host.contains('{') && !host.contains('$') {
            hosts.push(host);
        }
    }
    hosts
}

/// Kubernetes service names (no dot, or a `.svc` name) and loopback: traffic that stays in the
/// cluster or the pod, where gen3-helm's own defaults use http (`http://fence-service`).
fn inside_cluster(host: &str) -> bool {
    !host.contains('.')
        || host.ends_with(".svc")
        || host.ends_with(".svc.cluster.local")
        || host.ends_with(".cluster.local")
        || host.starts_with("127.")
        || host == "::1"
}

/// Keys that hold a secret value, by their last segment (case, `_` and `-` ignored).
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "secretaccesskey",
    "clientsecret",
    "apikey",
    "secretkey",
    "privatekey",
    "encryptionkey",
    "decryptkey",
    "webhook",
];

/// Values that are clearly not a real secret.
fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t.contains("{{")
        || ["none", "null", "replaceme", "changeme", "todo"].iter().any(|p| t.eq_ignore_ascii_case(p))
}

fn is_secret_key(key: &str) -> bool {
    let norm: String = key.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_ascii_lowercase();
    SECRET_SUFFIXES.iter().any(|s| norm.ends_with(s))
}

fn secret_values(values: &Value, out: &mut Out) {
    let mut hits = Vec::new();
    walk(values, "", &mut |path, key, v| {
        // `externalSecrets` maps hold secret names, which is what belongs in a values file.
        if path.split('.').any(|seg| seg == "externalSecrets") || !is_secret_key(key) {
            return;
        }
        let set = match v {
            Value::String(s) => !is_placeholder(s),
            Value::Number(_) => true,
            _ => false,
        };
        if set {
            hits.push(path.to_string());
        }
    });
    for path in hits {
        out.security(
            "secret_value",
            &path,
            format!(
                "{path} holds a secret value, and values files are committed to git and shown in Argo CD. {}",
                secret_advice(&path)
            ),
        );
    }
}

fn secret_advice(path: &str) -> &'static str {
    if path == "global.postgres.master.password" {
        "Remove it and set global.postgres.externalSecret to the name of the secret holding the master credentials."
    } else if path.starts_with("fence.FENCE_CONFIG") {
        "Keep it in fence's fence-config secret instead (fence.externalSecrets.fenceConfig names it in Secrets Manager)."
    } else if path.ends_with(".postgres.password") {
        "Leave it empty (the chart generates one) or name the database secret in the service's externalSecrets.dbcreds."
    } else if path.to_ascii_lowercase().contains("secretaccesskey") {
        "Use an IAM role (global.aws.secretStoreServiceAccount.roleArn) or name a secret \
         (global.aws.externalSecrets.externalSecretAwsCreds or global.aws.useLocalSecret) instead."
    } else {
        "Store it in a secret (Secrets Manager, with global.externalSecrets.deploy) and reference it by name."
    }
}

fn is_localhost(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "::1"
}

/// The host the commons is served at (the answer's, else `global.hostname`), after checking the two
/// agree and are usable.
fn expected_host(values: &Value, hostname: &str, out: &mut Out) -> Option<String> {
    let answer = hostname.trim().trim_end_matches('.').to_ascii_lowercase();
    let configured = text_at(values, "global.hostname").map(|h| h.trim_end_matches('.').to_ascii_lowercase());
    match &configured {
        None => out.findings.push(Finding {
            severity: Severity::Warning,
            code: "hostname_missing".into(),
            message: "global.hostname is not set in these values, so unless something else sets it gen3-helm uses \
                      \"localhost\" and every generated URL points there. Set it to the commons' DNS name."
                .into(),
            file: None,
            key: Some("global.hostname".into()),
            acknowledgeable: false,
        }),
        Some(h) if h.contains("://") || h.contains('/') => out.error(
            "invalid_hostname",
            "global.hostname",
            format!(
                "global.hostname must be a bare DNS name such as data.example.org, not \"{h}\" (no https://, no path)."
            ),
        ),
        Some(h) if !answer.is_empty() && *h != answer => out.error(
            "hostname_mismatch",
            "global.hostname",
            format!(
                "global.hostname is \"{h}\" but this commons is served at \"{answer}\": logins, redirects and \
                 links would go to the wrong host. Make them the same."
            ),
        ),
        Some(_) => {}
    }
    let host = if answer.is_empty() { configured.filter(|h| !h.contains('/'))? } else { answer };
    if is_localhost(&host) {
        let message = format!(
            "The commons' hostname is \"{host}\", which only this machine can reach; logins and links will not \
             work from anywhere else."
        );
        if out.production {
            out.error("localhost", "global.hostname", message + " A production commons needs its real DNS name.");
        } else {
            out.warning("localhost", "global.hostname", message);
        }
    }
    Some(host)
}

/// Host (lowercase, no port) of an absolute URL, or of a bare host name.
fn host_of(text: &str) -> Option<String> {
    let text = text.trim();
    let parsed = if text.contains("://") {
        url::Url::parse(text).ok()?
    } else {
        url::Url::parse(&format!("https://{text}")).ok()?
    };
    parsed.host_str().map(|h| h.trim_end_matches('.').to_ascii_lowercase())
}

fn fence_urls(values: &Value, host: &str, out: &mut Out) {
    let expected_base = format!("https://{host}/user");
    for cfg in FENCE_CONFIGS {
        let key = format!("{cfg}.BASE_URL");
        if let Some(base) = text_at(values, &key).filter(|b| !b.contains("{{")) {
            if base.trim_end_matches('/') != expected_base {
                out.error(
                    "base_url_mismatch",
                    &key,
                    format!(
                        "{key} is \"{base}\" but must be \"{expected_base}\": fence builds its login redirects and \
                         token issuer from it, so logins would fail or tokens would be rejected."
                    ),
                );
            }
        }
        for (idp, settings) in
            get(values, &format!("{cfg}.OPENID_CONNECT")).and_then(Value::as_mapping).into_iter().flatten()
        {
            let idp = idp.as_str().unwrap_or("?");
            for (field, url) in [
                ("redirect_url", settings.get("redirect_url")),
                ("client_kwargs.redirect_uri", settings.get("client_kwargs").and_then(|k| k.get("redirect_uri"))),
            ] {
                let Some(url) = url.and_then(Value::as_str).map(str::trim).filter(|u| !u.is_empty()) else { continue };
                let key = format!("{cfg}.OPENID_CONNECT.{idp}.{field}");
                check_redirect(&key, idp, url, host, out);
            }
        }
        let key = format!("{cfg}.LOGIN_REDIRECT_WHITELIST");
        let others: Vec<String> = get(values, &key)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(host_of)
            .filter(|h| h != host)
            .collect();
        if !others.is_empty() {
            out.warning(
                "login_redirect_other_host",
                &key,
                format!(
                    "{key} lets fence send users back to other hosts after login: {}. Keep only hosts you run or \
                     trust (e.g. the other commons of a mesh).",
                    others.join(", ")
                ),
            );
        }
    }
}

fn check_redirect(key: &str, idp: &str, url: &str, host: &str, out: &mut Out) {
    let expected = format!("https://{host}/user/login/{idp}/login/");
    if let Some(path) = url.strip_prefix("{{BASE_URL}}") {
        if !path.starts_with("/login/") {
            out.warning(
                "redirect_path_unusual",
                key,
                format!(
                    "{key} is \"{url}\"; fence's login callbacks live under {{{{BASE_URL}}}}/login/ (e.g. {expected})."
                ),
            );
        }
        return;
    }
    match url::Url::parse(url) {
        Err(_) => out.error(
            "redirect_host_mismatch",
            key,
            format!("{key} is not a URL (\"{url}\"); the identity provider needs the full callback, e.g. {expected}."),
        ),
        Ok(parsed) => {
            let url_host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
            if url_host != host {
                out.error(
                    "redirect_host_mismatch",
                    key,
                    format!(
                        "{key} sends the {idp} login back to \"{url_host}\", not to this commons ({host}): the login \
                         would end on another site. Use {expected} (and register it with the identity provider)."
                    ),
                );
            } else if !parsed.path().starts_with("/user/login/") {
                out.warning(
                    "redirect_path_unusual",
                    key,
                    format!(
                        "{key} is \"{url}\", but fence's login callbacks are under /user/login/ (e.g. {expected})."
                    ),
                );
            }
        }
    }
}

fn tls(values: &Value, out: &mut Out) {
    if !catalog::enabled_in(values).iter().any(|s| s == "revproxy") {
        return;
    }
    let arn = text_at(values, "global.revproxyArn").filter(|a| *a != PLACEHOLDER_REVPROXY_ARN);
    let ingress_tls = get(values, "revproxy.ingress.tls").and_then(Value::as_sequence).is_some_and(|t| !t.is_empty());
    let cert_manager = get(values, "revproxy.ingress.annotations").and_then(Value::as_mapping).is_some_and(|a| {
        a.keys().filter_map(Value::as_str).any(|k| k.starts_with("cert-manager.io/") || k == "kubernetes.io/tls-acme")
    });
    if arn.is_none() && !ingress_tls && !cert_manager {
        out.warning(
            "tls_not_configured",
            "global.revproxyArn",
            "No TLS certificate is configured: global.revproxyArn is unset (or gen3-helm's placeholder), and \
             revproxy.ingress has neither a tls secret nor a cert-manager issuer annotation. Unless TLS ends \
             before the cluster, browsers will not reach the commons over https."
                .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_hosts_drop_credentials_ports_and_paths() {
        let hosts =
            http_hosts("a http://user:pw@Example.org:8080/x?y and \"http://fence-service\" {{ http://{{host}} }}");
        assert_eq!(hosts, vec!["example.org".to_string(), "fence-service".into()]);
    }

    #[test]
    fn cluster_hosts_are_exempt() {
        for h in ["fence-service", "arborist-service.ns.svc.cluster.local", "es.ns.svc", "127.0.0.1"] {
            assert!(inside_cluster(h), "{h}");
        }
        assert!(!inside_cluster("vpc-x.us-east-1.es.amazonaws.com"));
    }

    #[test]
    fn secret_keys_by_suffix() {
        for k in ["password", "awsSecretAccessKey", "client_secret", "ENCRYPTION_KEY", "smtp_password", "slackWebhook"]
        {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["externalSecret", "localSecretName", "fenceJwtKeys", "awsAccessKeyId", "dbcreds"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }
}
