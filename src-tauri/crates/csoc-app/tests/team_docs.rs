//! The team documentation holds: the Kubernetes manifest is well-formed (selectors, ports,
//! volumes agree) and its arguments are accepted by the real command line. (That the Grafana
//! dashboard queries only declared metrics is a unit test of metrics/exposition.rs; tests/metrics.rs runs the dashboard's queries and
//! the alert rules through a real Prometheus and promtool.)

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Parser;
use csoc_app::cli::{Cli, Command, TeamCommand};
use serde::Deserialize;
use serde_yaml_ng::Value;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../docs")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(docs().join("kubernetes/gen3-csoc-metrics.yaml")).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text).map(|d| Value::deserialize(d).unwrap()).collect()
}

fn by_kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"] == kind).unwrap_or_else(|| panic!("a {kind}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// `$(VAR)` replaced as the kubelet does, from the ConfigMap.
fn expand(arg: &str, config: &Value) -> String {
    let mut out = arg.to_string();
    for (k, v) in config["data"].as_mapping().unwrap() {
        out = out.replace(&format!("$({})", k.as_str().unwrap()), v.as_str().unwrap());
    }
    assert!(!out.contains("$("), "an unset variable in {arg}");
    out
}

#[test]
fn the_kubernetes_manifest_is_consistent_and_its_arguments_parse() {
    let docs = manifest();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "Deployment", "Service"]);
    for d in &docs {
        assert!(d["apiVersion"].as_str().is_some() && d["metadata"]["name"].as_str().is_some(), "{d:?}");
    }
    let config = by_kind(&docs, "ConfigMap");
    let deployment = by_kind(&docs, "Deployment");
    assert_eq!(deployment["apiVersion"], "apps/v1");
    let spec = &deployment["spec"];
    assert_eq!(spec["replicas"].as_u64(), Some(1), "one sweeper per fleet");
    let labels = &spec["template"]["metadata"]["labels"];
    for (k, v) in spec["selector"]["matchLabels"].as_mapping().unwrap() {
        assert_eq!(&labels[k.as_str().unwrap()], v, "the selector matches the pod's labels");
    }
    let pod = &spec["template"]["spec"];
    let volumes: BTreeSet<String> =
        pod["volumes"].as_sequence().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string()).collect();

    let init = &pod["initContainers"][0];
    let args: Vec<String> = strings(&init["args"]).iter().map(|a| expand(a, config)).collect();
    let cli = Cli::try_parse_from(std::iter::once("gen3-csoc".to_string()).chain(args)).unwrap();
    assert_eq!(cli.data_dir.as_deref(), Some(std::path::Path::new("/data")));
    assert!(
        matches!(cli.command, Some(Command::Team(TeamCommand::Join { ref folder, .. })) if folder == "csoc/inventory")
    );

    let server = &pod["containers"][0];
    let cli = Cli::try_parse_from(std::iter::once("gen3-csoc".to_string()).chain(strings(&server["args"]))).unwrap();
    let Some(Command::Serve { metrics, .. }) = cli.command else { panic!("the container runs serve") };
    let port = &server["ports"][0];
    assert_eq!(port["containerPort"].as_u64(), Some(u64::from(metrics.port())));
    assert!(metrics.ip().is_unspecified(), "serve listens on the pod's address, not loopback");
    assert_eq!(server["readinessProbe"]["httpGet"]["path"], "/metrics");
    assert_eq!(server["readinessProbe"]["httpGet"]["port"], port["name"]);
    for container in [init, server] {
        for m in container["volumeMounts"].as_sequence().unwrap() {
            assert!(volumes.contains(m["name"].as_str().unwrap()), "{m:?}");
            assert_eq!(m["mountPath"], "/data", "the data folder is the mounted volume");
        }
    }

    let service = by_kind(&docs, "Service");
    for (k, v) in service["spec"]["selector"].as_mapping().unwrap() {
        assert_eq!(&labels[k.as_str().unwrap()], v, "the Service selects the pod");
    }
    let sp = &service["spec"]["ports"][0];
    assert_eq!(sp["targetPort"], port["name"]);
    let annotations = &service["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/port"].as_str(), Some(metrics.port().to_string().as_str()));
    assert_eq!(annotations["prometheus.io/path"], "/metrics");
}
