//! Validation and normalization of what a user types for a commons. One source of truth: the UI
//! asks the core to validate as the user types, and every write path validates again.

use crate::model::{CommonsDraft, Deployment, FieldError};

const MAX_NAME: usize = 100;
const MAX_TAG: usize = 40;

/// Returns the draft normalized for storage, or every problem found, one per field.
pub fn validate_draft(draft: &CommonsDraft) -> Result<CommonsDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut push = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });

    let name = draft.name.trim().to_string();
    if name.is_empty() {
        push("name", "Give the commons a display name.".into());
    } else if name.chars().count() > MAX_NAME {
        push("name", format!("Keep the name under {MAX_NAME} characters."));
    }

    let base_url = match normalize_base_url(&draft.base_url) {
        Ok(url) => url,
        Err(message) => {
            push("base_url", message);
            String::new()
        }
    };

    let expected_release = match draft.expected_release.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) if is_release(r) => Some(r.to_string()),
        Some(r) => {
            push("expected_release", format!("“{r}” is not a Gen3 release: use YYYY.MM, e.g. 2025.09."));
            None
        }
    };

    let mut tags = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for tag in &draft.tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG || tag.contains(',') || tag.chars().any(char::is_control) {
            push("tags", format!("Tags are single words or phrases under {MAX_TAG} characters, without commas."));
            break;
        }
        if seen.insert(tag.clone()) {
            tags.push(tag);
        }
    }
    tags.sort();

    let deployment = match &draft.deployment {
        Deployment::Gitops { folder } if folder.trim().is_empty() => {
            push("deployment", "Give the gen3-gitops folder the commons is deployed from.".into());
            draft.deployment.clone()
        }
        Deployment::Gitops { folder } => Deployment::Gitops { folder: folder.trim().to_string() },
        Deployment::Kube { context, namespace } => {
            let (context, namespace) = (context.trim().to_string(), namespace.trim().to_string());
            if context.is_empty() {
                push("deployment", "Give the kube context the commons is deployed with.".into());
            } else if !is_dns_label(&namespace) {
                push(
                    "deployment",
                    format!(
                        "“{namespace}” is not a Kubernetes namespace: lowercase letters, digits and '-', up to 63."
                    ),
                );
            }
            Deployment::Kube { context, namespace }
        }
        Deployment::Unknown => Deployment::Unknown,
    };

    let mut meshes: Vec<String> = Vec::new();
    for mesh in &draft.meshes {
        let mesh = mesh.trim();
        if mesh.chars().any(char::is_control) {
            push("meshes", "Mesh names cannot contain control characters.".into());
        } else if !mesh.is_empty() && !meshes.iter().any(|m| m == mesh) {
            meshes.push(mesh.to_string());
        }
    }
    meshes.sort();

    let ca_pem = match draft.ca_pem.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(pem) => match crate::ca_pem::check_ca(pem) {
            Ok(()) => Some(pem.to_string()),
            Err(why) => {
                push("ca_pem", why);
                None
            }
        },
    };

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CommonsDraft {
        name,
        base_url,
        environment: draft.environment,
        relation: draft.relation,
        owner: draft.owner.trim().to_string(),
        contact: draft.contact.trim().to_string(),
        tags,
        notes: draft.notes.trim_end().to_string(),
        expected_release,
        deployment,
        meshes,
        ca_pem,
    })
}

/// Accepts `data.example.org`, `data.example.org:8443`, `https://data.example.org/`, and `http://`
/// only for loopback (the simulator, a port-forward). Returns `https://host[:port]` in lowercase.
pub fn normalize_base_url(input: &str) -> Result<String, String> {
    let input = input.trim();
    let hint = "Use a hostname like data.example.org or a URL like https://data.example.org.";
    if input.is_empty() {
        return Err(format!("Give the commons' hostname or URL. {hint}"));
    }
    let (scheme, rest) = match input.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("https".to_string(), input),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if !(tail.is_empty() || tail == "/") {
        return Err(format!("Give the commons' root URL without a path or query (“{tail}”). {hint}"));
    }
    if authority.contains('@') {
        return Err("Do not put a user name or password in the URL; credentials go in the vault.".into());
    }
    let (host, port) = split_host_port(authority).ok_or_else(|| format!("“{input}” has an invalid port. {hint}"))?;
    let host = host.to_ascii_lowercase();
    let loopback = is_loopback(&host);
    if !(is_dns_name(&host) || is_ipv4(&host) || is_bracketed_ipv6(&host)) {
        return Err(format!("“{input}” is not a valid hostname. {hint}"));
    }
    match scheme.as_str() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "Gen3 commons are served over https; http:// is allowed only for this machine (localhost). {hint}"
            ))
        }
        other => return Err(format!("“{other}://” is not a web address. {hint}")),
    }
    Ok(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                (host, rest.strip_prefix(':'))
            }
            None => (authority, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    match port {
        None => Some((host, None)),
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).map(|p| (host, Some(p))),
    }
}

fn is_dns_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let tld_is_numeric = labels.last().is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()));
    let single_label_ok = labels.len() > 1 || host == "localhost";
    single_label_ok && !tld_is_numeric && labels.iter().all(|l| is_dns_label_chars(l))
}

fn is_dns_label_chars(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A Kubernetes namespace (DNS-1123 label).
fn is_dns_label(s: &str) -> bool {
    is_dns_label_chars(s) && s.chars().all(|c| !c.is_ascii_uppercase())
}

fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

fn is_bracketed_ipv6(host: &str) -> bool {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()) || host == "[::1]"
}

pub fn is_release(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'.'
        && matches!((b[5], b[6]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Environment, Relation};

    fn draft(url: &str) -> CommonsDraft {
        CommonsDraft {
            name: " Data Commons ".into(),
            base_url: url.into(),
            environment: Environment::Production,
            relation: Relation::WeRunIt,
            owner: String::new(),
            contact: String::new(),
            tags: vec!["NIAID".into(), " niaid ".into(), "".into(), "hiv".into()],
            notes: String::new(),
            expected_release: Some("2025.09".into()),
            deployment: Deployment::Unknown,
            meshes: vec![],
            ca_pem: None,
        }
    }

    #[test]
    fn accepts_and_normalizes_good_urls() {
        for (input, want) in [
            ("data.example.org", "https://data.example.org"),
            ("Data.Example.ORG", "https://data.example.org"),
            ("https://data.example.org/", "https://data.example.org"),
            ("https://gen3.biodatacatalyst.nhlbi.nih.gov", "https://gen3.biodatacatalyst.nhlbi.nih.gov"),
            ("data.example.org:8443", "https://data.example.org:8443"),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("https://10.1.2.3", "https://10.1.2.3"),
        ] {
            assert_eq!(normalize_base_url(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn rejects_bad_urls_with_a_reason() {
        for input in [
            "",
            "not a host",
            "bad_host!.org",
            "-bad.example.org",
            "http://data.example.org",
            "ftp://data.example.org",
            "https://data.example.org/user",
            "https://data.example.org:99999",
            "https://user:pw@data.example.org",
            "localhost.123",
            "singlelabel",
        ] {
            let err = normalize_base_url(input).expect_err(input);
            assert!(err.len() > 20, "message too terse for {input}: {err}");
        }
    }

    #[test]
    fn normalizes_a_whole_draft() {
        let ok = validate_draft(&draft("DATA.example.org")).unwrap();
        assert_eq!(ok.name, "Data Commons");
        assert_eq!(ok.base_url, "https://data.example.org");
        assert_eq!(ok.tags, vec!["hiv", "niaid"]);
    }

    #[test]
    fn reports_every_bad_field() {
        let mut d = draft("bad host");
        d.name = "  ".into();
        d.expected_release = Some("2025.13".into());
        d.deployment = Deployment::Kube { context: "prod".into(), namespace: "Bad_NS".into() };
        let fields: Vec<String> = validate_draft(&d).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "base_url", "expected_release", "deployment"]);
    }

    #[test]
    fn release_format() {
        assert!(is_release("2025.09") && is_release("2024.12"));
        assert!(!is_release("2025.9") && !is_release("2025.00") && !is_release("25.09") && !is_release("2025-09"));
    }
}
