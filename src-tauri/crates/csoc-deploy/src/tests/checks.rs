//! Checks of generated Gen3 configuration: the service catalog and values model against gen3-helm's
//! real files (when `../shared/gen3-reference` is present), user.yaml checks and builder (and
//! `gen3users validate` on the builder's output when `GEN3USERS_BIN` is set), and the security and
//! consistency findings.

use std::path::{Path, PathBuf};

use crate::catalog::{self, check_selection, enabled_in, services};
use crate::findings::security_findings;
use crate::user_yaml::{
    build_user_yaml, check_user_yaml, parse_user_yaml, GroupSpec, PolicySpec, ProgramSpec, UserYamlSpec,
};
use crate::values_model::validate_values;
use crate::{Finding, Severity};
use csoc_model::error::ErrorCode;
use serde_yaml_ng::Value;

fn reference_dir() -> Option<PathBuf> {
    csoc_test_support::shared("gen3-reference")
}

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).expect("test YAML parses")
}

fn errors(findings: &[Finding]) -> Vec<&Finding> {
    findings.iter().filter(|f| f.severity == Severity::Error).collect()
}

fn find<'a>(findings: &'a [Finding], code: &str, key: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.code == code && f.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("no {code} finding at {key} in {findings:#?}"))
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

/// Helm's merge of value files: maps merge key by key, anything else is replaced.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// A gen3-gitops commons folder's values, merged in the order its Argo CD app lists them. Files the
/// app lists that are not in the reference copy are skipped.
fn gitops_values(commons: &Path) -> Value {
    let app = read_yaml(&commons.join("templates/app.yaml"));
    let files: Vec<String> = app["spec"]["sources"]
        .as_sequence()
        .expect("app.yaml has sources")
        .iter()
        .filter_map(|s| s["helm"]["valueFiles"].as_sequence())
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect();
    assert!(!files.is_empty(), "app.yaml lists value files");
    let mut merged = Value::Mapping(Default::default());
    for file in files {
        let name = file.rsplit("/values/").next().expect("value file under values/");
        let path = commons.join("values").join(name);
        if path.exists() {
            merge(&mut merged, read_yaml(&path));
        } else {
            println!("note: {file} is listed by app.yaml but not in the reference copy");
        }
    }
    merged
}

// ---------------------------------------------------------------------------------------------
// Catalog

#[test]
fn catalog_matches_the_umbrella_chart_and_its_defaults() {
    let Some(dir) = reference_dir() else { return };
    let chart = read_yaml(&dir.join("gen3-helm/gen3/Chart.yaml"));
    let deps: Vec<(String, Option<String>)> = chart["dependencies"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap().to_string(), d["condition"].as_str().map(str::to_string)))
        .collect();
    assert_eq!(deps.len(), 48);
    let ours: Vec<(String, Option<String>)> =
        services().iter().map(|s| (s.name.to_string(), s.condition.map(str::to_string))).collect();
    assert_eq!(ours, deps);

    let values = read_yaml(&dir.join("gen3-helm/gen3/values.yaml"));
    for s in services() {
        let Some(condition) = s.condition else { continue };
        let at = condition.split('.').try_fold(&values, |v, k| v.as_mapping()?.get(k));
        assert_eq!(at.and_then(Value::as_bool), Some(s.default_enabled), "{} default ({condition})", s.name);
    }
    let defaults: Vec<String> = enabled_in(&values);
    assert_eq!(defaults, enabled_in(&Value::Null), "absent keys take the umbrella defaults");
}

#[test]
fn selection_reports_missing_dependencies_and_conflicts() {
    let sel = |names: &[&str]| check_selection(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>());

    let findings = sel(&["guppy", "arborist", "elasticsearch"]);
    assert_eq!(codes(&findings), ["missing_dependency"]);
    let msg = &findings[0].message;
    assert!(msg.contains("guppy") && msg.contains("etl"), "{msg}");
    assert_eq!(findings[0].key.as_deref(), Some("guppy.enabled"));

    let findings = sel(&["guppy", "etl", "sheepdog", "indexd", "arborist", "fence"]);
    let es = findings.iter().find(|f| f.message.starts_with("guppy")).expect("guppy lacks Elasticsearch");
    assert!(es.message.contains("elasticsearch, aws-es-proxy, aws-sigv4-proxy"), "{}", es.message);
    assert!(findings.iter().any(|f| f.message.starts_with("etl")), "etl lacks Elasticsearch too");

    let findings = sel(&["aws-es-proxy", "aws-sigv4-proxy"]);
    assert_eq!(codes(&findings), ["exclusive_services"]);
    assert!(findings[0].message.contains("aws-es-proxy and aws-sigv4-proxy"));

    let findings = sel(&["hatchery", "fence", "arborist", "wts"]);
    let missing: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert!(missing.iter().any(|m| m.contains("ambassador")) && missing.iter().any(|m| m.contains("manifestservice")));

    let all_defaults = enabled_in(&Value::Null);
    assert!(check_selection(&all_defaults).is_empty(), "gen3-helm's defaults are consistent");
}

#[test]
fn enabled_in_follows_conditions_and_defaults() {
    let on = enabled_in(&yaml(
        "global: {dev: false, netPolicy: {enabled: true}}\ngen3-workflow: {enabled: true}\nportal: {enabled: false}",
    ));
    for name in ["funnel", "gen3-workflow", "gen3-network-policies", "fence", "common"] {
        assert!(on.iter().any(|s| s == name), "{name} on");
    }
    for name in ["portal", "elasticsearch", "postgresql", "guppy"] {
        assert!(!on.iter().any(|s| s == name), "{name} off");
    }
    assert_eq!(catalog::service("funnel").unwrap().condition, Some("gen3-workflow.enabled"));
}

// ---------------------------------------------------------------------------------------------
// Values model

#[test]
fn reference_values_files_have_no_errors() {
    let Some(dir) = reference_dir() else { return };
    let umbrella = read_yaml(&dir.join("gen3-helm/gen3/values.yaml"));
    let findings = validate_values(&umbrella, "values.yaml");
    assert!(errors(&findings).is_empty(), "{:#?}", errors(&findings));
    find(&findings, "unknown_key", "pidgin");

    let ci = read_yaml(&dir.join("gen3-helm/gen3/ci-values.yaml"));
    let findings = validate_values(&ci, "ci/values.yaml");
    assert!(errors(&findings).is_empty(), "{:#?}", errors(&findings));
    let tag = find(&findings, "unquoted_tag", "fence.image.tag");
    assert!(tag.message.contains("2025.01") || tag.message.contains("2025.1"), "{}", tag.message);

    let ci_default = read_yaml(&dir.join("gen3-gitops/ci-default/values/values.yaml"));
    let findings = validate_values(&ci_default, "values/values.yaml");
    assert!(errors(&findings).is_empty(), "{:#?}", errors(&findings));
    // The chart's templates read global.aws.sower_role (it has no default): the chart wins.
    assert!(!findings.iter().any(|f| f.key.as_deref() == Some("global.aws.sower_role")), "{findings:#?}");

    let aids = gitops_values(&dir.join("gen3-gitops/aids.diseasedatahub.org"));
    assert_eq!(aids["guppy"]["enabled"], Value::Bool(true), "the split guppy.yaml was merged");
    let findings = validate_values(&aids, "values/values.yaml");
    assert!(errors(&findings).is_empty(), "{:#?}", errors(&findings));

    // The subcharts' own defaults as overrides: fence's FENCE_CONFIG and USER_YAML, metadata's
    // aggMdsConfig JSON.
    for chart in ["fence", "metadata"] {
        let mut values = serde_yaml_ng::Mapping::new();
        values.insert(chart.into(), read_yaml(&dir.join(format!("gen3-helm/{chart}/values.yaml"))));
        let findings = validate_values(&Value::Mapping(values), "values.yaml");
        assert!(errors(&findings).is_empty(), "{chart}: {:#?}", errors(&findings));
        if chart == "fence" {
            // Fence's default USER_YAML really does repeat `cloud_providers`; fence keeps the last.
            let dup = find(&findings, "duplicate_key", "fence.USER_YAML");
            assert!(dup.message.contains("cloud_providers"), "{}", dup.message);
        }
    }
}

#[test]
fn unknown_keys_and_wrong_types() {
    let values = yaml(
        "global:\n  hostnmae: data.example.org\n  dev: \"yes\"\n  tierAccessLevel: public\n  postgres:\n    master:\n      port: abc\n      password: 12345\nfnce:\n  enabled: true\nwhatever: 1\nfence:\n  enabled: \"true\"\n  replicaCount: two\n  someChartSetting: [1]\n  FENCE_CONFIG:\n    MOCK_AUTH: \"false\"\n",
    );
    let findings = validate_values(&values, "values/values.yaml");
    assert!(findings.iter().all(|f| f.file.as_deref() == Some("values/values.yaml")));

    let typo = find(&findings, "unknown_key", "global.hostnmae");
    assert_eq!(typo.severity, Severity::Warning);
    assert!(typo.message.contains("Did you mean global.hostname?"), "{}", typo.message);
    let top = find(&findings, "unknown_key", "fnce");
    assert!(top.message.contains("Did you mean fence?"), "{}", top.message);
    assert!(!find(&findings, "unknown_key", "whatever").message.contains("Did you mean"));

    // Quoted text where the chart has a boolean: Helm passes it on and templates read any
    // non-empty text as true, so it is a warning, not a failure.
    let dev = find(&findings, "wrong_type", "global.dev");
    assert_eq!(dev.severity, Severity::Warning);
    assert!(dev.message.contains("true or false"), "{}", dev.message);
    find(&findings, "invalid_value", "global.tierAccessLevel");
    find(&findings, "wrong_type", "global.postgres.master.port");
    assert!(findings.iter().all(|f| !f.message.contains("12345")), "a secret's value must not be shown");
    // "true" in quotes is read as true by the chart's templates: it works, so nothing to report.
    assert!(!findings.iter().any(|f| f.key.as_deref() == Some("fence.enabled")), "{findings:#?}");
    find(&findings, "wrong_type", "fence.replicaCount");
    find(&findings, "wrong_type", "fence.FENCE_CONFIG.MOCK_AUTH");
    assert!(!findings.iter().any(|f| f.key.as_deref() == Some("fence.someChartSetting")), "chart keys are the chart's");
}

#[test]
fn inconsistent_settings() {
    let values = yaml(
        r#"
global:
  dev: false
  frontendRoot: gen3ff
  aws:
    secretStoreServiceAccount: {enabled: true}
guppy:
  enabled: true
  indices:
    - index: cases
metadata:
  useAggMds: true
fence:
  usersync:
    usersync: true
    userYamlS3Path: https://bucket/user.yaml
"#,
    );
    let findings = validate_values(&values, "values.yaml");
    let db = find(&findings, "no_database", "global.postgres");
    assert!(db.message.contains("global.postgres.externalSecret"), "{}", db.message);
    let root = find(&findings, "frontend_root_disabled", "global.frontendRoot");
    assert!(root.message.contains("frontend-framework.enabled: true"), "{}", root.message);
    let default_root =
        validate_values(&yaml("portal: {enabled: false}\nfrontend-framework: {enabled: true}"), "v.yaml");
    let root = find(&default_root, "frontend_root_disabled", "global.frontendRoot");
    assert!(root.message.contains("default is \"portal\"") && root.message.contains("portal.enabled: true"));
    let guppy = find(&findings, "missing_dependency", "guppy.enabled");
    assert!(guppy.message.contains("Elasticsearch"), "{}", guppy.message);
    assert_eq!(guppy.file.as_deref(), Some("values.yaml"));
    find(&findings, "guppy_index_incomplete", "guppy.indices.0");
    find(&findings, "agg_mds_incomplete", "metadata.aggMdsConfig");
    find(&findings, "agg_mds_incomplete", "metadata.aggMdsNamespace");
    find(&findings, "agg_mds_no_elasticsearch", "metadata.esEndpoint");
    find(&findings, "invalid_value", "fence.usersync.userYamlS3Path");
    find(&findings, "missing_setting", "global.aws.secretStoreServiceAccount.roleArn");

    let fixed = yaml(
        r#"
global:
  dev: false
  postgres: {externalSecret: master-creds}
aws-sigv4-proxy: {enabled: true, esEndpoint: vpc-es.us-east-1.es.amazonaws.com}
guppy:
  enabled: true
  indices: [{index: cases, type: case}]
metadata:
  useAggMds: true
  aggMdsNamespace: mesh
  esEndpoint: https://vpc-es.us-east-1.es.amazonaws.com
  aggMdsConfig: '{"adapter_commons": {}}'
"#,
    );
    let findings = validate_values(&fixed, "values.yaml");
    assert!(errors(&findings).is_empty(), "{:#?}", errors(&findings));
}

#[test]
fn json_and_embedded_user_yaml_are_checked() {
    let values = yaml(
        "metadata:\n  aggMdsConfig: |\n    {\n      \"a\": 1,\n      \"b\": \n    }\nportal:\n  gitops:\n    json: '{\"ok\": true}'\nfence:\n  USER_YAML: |\n    authz:\n      policies:\n      - id: p\n        role_ids: [ghost]\n        resource_paths: [/nowhere]\n",
    );
    let findings = validate_values(&values, "values.yaml");
    let json = find(&findings, "invalid_json", "metadata.aggMdsConfig");
    assert!(json.message.contains("line 4"), "{}", json.message);
    assert!(!findings.iter().any(|f| f.key.as_deref() == Some("portal.gitops.json")));
    let embedded: Vec<&Finding> = findings.iter().filter(|f| f.key.as_deref() == Some("fence.USER_YAML")).collect();
    assert!(embedded.iter().any(|f| f.code == "policy_missing_role" && f.message.contains("ghost")), "{embedded:#?}");
    assert!(embedded.iter().any(|f| f.code == "policy_missing_resource" && f.message.contains("/nowhere")));

    let broken = validate_values(&yaml("fence:\n  USER_YAML: |\n    authz:\n      policies: 7\n"), "values.yaml");
    let f = find(&broken, "user_yaml_invalid", "fence.USER_YAML");
    assert!(f.message.contains("line 2"), "{}", f.message);
}

// ---------------------------------------------------------------------------------------------
// user.yaml

#[test]
fn reference_base_user_yaml_checks_clean() {
    let Some(dir) = reference_dir() else { return };
    let text = std::fs::read_to_string(dir.join("fence/base_user.yaml")).unwrap();
    let doc = parse_user_yaml(&text, "base_user.yaml").expect("parses");
    assert_eq!(doc.authz.policies.len(), 7);
    assert_eq!(doc.users["username2"].policies, ["MyFirstProject_submitter"]);
    assert!(check_user_yaml(&doc).is_empty(), "{:#?}", check_user_yaml(&doc));
}

#[test]
fn broken_user_yaml_findings_name_the_policy_and_the_missing_thing() {
    let text = r#"
authz:
  anonymous_policies: [public_all]
  all_users_policies: [ghost_policy]
  groups:
    - name: submitters
      policies: [reader_policy, nope]
      users: [alice@example.org, stranger@example.org, alice@example.org]
    - name: submitters
      users: []
  resources:
    - name: programs
      subresources:
        - name: my-program
        - name: ok
    - name: open
    - name: open
  policies:
    - id: reader_policy
      role_ids: [reader, missing_role]
      resource_paths: [/programs/ok, /programs/absent, relative]
    - id: public_all
      role_ids: [everything]
      resource_paths: [/open]
    - id: reader_policy
      role_ids: [reader]
      resource_paths: [/open]
    - id: empty
  roles:
    - id: reader
      permissions:
        - id: r
          action: {service: '*', method: read_storage}
    - id: everything
      permissions:
        - id: all
          action: {service: '*', method: '*'}
clients:
  wts:
    policies: [client_ghost]
users:
  alice@example.org:
    policies: [user_ghost]
  bob@example:
    tags: {email: not-an-email}
"#;
    let doc = parse_user_yaml(text, "user.yaml").expect("parses");
    let findings = check_user_yaml(&doc);
    assert!(findings.iter().all(|f| f.severity == Severity::Error));
    let has = |code: &str, parts: &[&str]| {
        assert!(
            findings.iter().any(|f| f.code == code && parts.iter().all(|p| f.message.contains(p))),
            "no {code} with {parts:?} in {findings:#?}"
        )
    };
    has("policy_missing_role", &["\"missing_role\"", "\"reader_policy\""]);
    has("policy_missing_resource", &["\"/programs/absent\"", "\"reader_policy\"", "not defined in resource tree"]);
    has("policy_missing_resource", &["\"relative\"", "should start with"]);
    has("policy_incomplete", &["\"empty\"", "role_ids"]);
    has("policy_incomplete", &["\"empty\"", "resource_paths"]);
    has("undefined_policy", &["\"ghost_policy\"", "all_users_policies"]);
    has("undefined_policy", &["\"nope\"", "\"submitters\""]);
    has("undefined_policy", &["\"client_ghost\"", "client \"wts\""]);
    has("undefined_policy", &["\"user_ghost\"", "user \"alice@example.org\""]);
    has("group_unknown_user", &["\"stranger@example.org\"", "\"submitters\""]);
    has("group_unknown_user", &["Duplicate users", "alice@example.org"]);
    has("group_incomplete", &["does not have policies"]);
    has("duplicate_id", &["policy id", "reader_policy"]);
    has("duplicate_id", &["group name", "submitters"]);
    has("duplicate_id", &["Resource \"open\""]);
    has("program_name_dash", &["my-program"]);
    has("unknown_method", &["read_storage"]);
    has("public_broad_role", &["'everything'", "'public_all'", "anonymous_policies"]);
    has("invalid_email", &["bob@example"]);
    has("invalid_email", &["not-an-email"]);
}

#[test]
fn parse_errors_name_the_file_and_line() {
    let err = parse_user_yaml("authz:\n  policies:\n    - id: a\n      role_ids: 5\n", "users/user.yaml").unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("users/user.yaml") && err.message.contains("line 4"), "{}", err.message);
    let err = parse_user_yaml("authz:\n  roles:\n  - permissions: []\n", "user.yaml").unwrap_err();
    assert!(err.message.contains("missing field `id`") && err.message.contains("line 3"), "{}", err.message);
    assert!(parse_user_yaml("  \n", "user.yaml").unwrap_err().message.contains("empty"));

    // Repeated keys are read as fence reads them (last wins) and reported, not refused.
    let doc =
        parse_user_yaml("users:\n  a@example.org: {}\nauthz:\n  roles: []\nusers:\n  b@example.org: {}\n", "u.yaml")
            .expect("repeated keys are tolerated");
    assert!(doc.users.contains_key("b@example.org") && !doc.users.contains_key("a@example.org"));
    let findings = check_user_yaml(&doc);
    assert_eq!(codes(&findings), ["duplicate_key"]);
    assert_eq!((findings[0].severity, findings[0].key.as_deref()), (Severity::Warning, Some("users")));
    let err = parse_user_yaml("users: {}\nusers: {}\nauthz:\n  roles: 5\n", "u.yaml").unwrap_err();
    assert!(err.message.contains("roles"), "{}", err.message);
}

fn sample_spec() -> UserYamlSpec {
    UserYamlSpec {
        admins: vec!["admin@example.org".into(), "ops@example.org".into()],
        programs: vec![
            ProgramSpec { name: "TCGA".into(), projects: vec!["BRCA".into(), "LUAD-2".into()] },
            ProgramSpec { name: "open_prog".into(), projects: vec![] },
        ],
        groups: vec![GroupSpec {
            name: "brca_submitters".into(),
            users: vec!["alice@example.org".into(), "eRA_user1".into(), "admin@example.org".into()],
            policies: vec!["programs.TCGA.projects.BRCA-submitter".into(), "data_upload".into()],
        }],
        extra_policies: vec![PolicySpec {
            id: "dashboard_reader".into(),
            description: "see the dashboard".into(),
            role_ids: vec!["reader".into()],
            resource_paths: vec!["/dashboard".into()],
        }],
        extra_resources: vec!["/dashboard".into()],
        open_data: true,
    }
}

#[test]
fn built_user_yaml_is_complete_and_checks_clean() {
    let spec = sample_spec();
    let text = build_user_yaml(&spec).expect("builds");
    let doc = parse_user_yaml(&text, "user.yaml").expect("built file re-parses");
    assert!(check_user_yaml(&doc).is_empty(), "{:#?}\n{text}", check_user_yaml(&doc));

    let policy = |id: &str| doc.authz.policies.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("policy {id}"));
    assert_eq!(policy("programs.TCGA.projects.LUAD-2-submitter").resource_paths, ["/programs/TCGA/projects/LUAD-2"]);
    assert_eq!(policy("programs.open_prog-reader").resource_paths, ["/programs/open_prog"]);
    assert_eq!(
        policy("services.sheepdog-admin").resource_paths,
        ["/services/sheepdog/submission/program", "/services/sheepdog/submission/project"]
    );
    assert_eq!(policy("dashboard_reader").description.as_deref(), Some("see the dashboard"));
    for role in [
        "admin",
        "creator",
        "reader",
        "updater",
        "deleter",
        "storage_reader",
        "storage_writer",
        "workspace_user",
        "sower_user",
    ] {
        assert!(doc.authz.roles.iter().any(|r| r.id == role), "role {role}");
    }
    assert_eq!(doc.authz.anonymous_policies, ["open_data_reader"]);
    assert_eq!(doc.authz.all_users_policies, ["open_data_reader"]);
    assert_eq!(doc.clients["wts"].policies, ["all_programs_reader", "open_data_reader"]);
    let admins = doc.authz.groups.iter().find(|g| g.name == "administrators").expect("admin group");
    assert_eq!(admins.users.as_deref().unwrap(), ["admin@example.org", "ops@example.org"]);
    assert!(admins.policies.as_ref().unwrap().contains(&"services.sheepdog-admin".to_string()));
    assert_eq!(doc.users["admin@example.org"].admin, Some(true));
    assert!(doc.users.contains_key("eRA_user1"), "group members are declared users");

    let closed = UserYamlSpec { open_data: false, ..spec };
    let doc = parse_user_yaml(&build_user_yaml(&closed).unwrap(), "user.yaml").unwrap();
    assert!(doc.authz.anonymous_policies.is_empty() && doc.authz.all_users_policies.is_empty());
}

#[test]
fn bad_answers_are_refused_with_every_problem() {
    let spec = UserYamlSpec {
        admins: vec!["not an email".into()],
        programs: vec![ProgramSpec { name: "has-dash".into(), projects: vec![] }],
        groups: vec![GroupSpec { name: "g".into(), users: vec!["x@y".into()], policies: vec!["no_such".into()] }],
        extra_policies: vec![PolicySpec {
            id: "p".into(),
            description: String::new(),
            role_ids: vec!["superuser".into()],
            resource_paths: vec!["/nowhere".into()],
        }],
        extra_resources: vec!["bad path".into()],
        open_data: false,
    };
    let err = build_user_yaml(&spec).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    for part in
        ["\"not an email\"", "\"has-dash\"", "\"no_such\"", "\"x@y\"", "\"superuser\"", "\"/nowhere\"", "\"bad path\""]
    {
        assert!(err.message.contains(part), "{part} missing from: {}", err.message);
    }
}

/// `gen3users validate` (Gen3's own validator) on the builder's output; set GEN3USERS_BIN to the
/// `gen3users` executable (tests/conformance/run.sh installs it).
#[test]
fn gen3users_accepts_the_built_user_yaml() {
    let Some(bin) = std::env::var_os("GEN3USERS_BIN") else {
        println!("skipped: GEN3USERS_BIN is not set (tests/conformance/run.sh installs gen3users)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("user.yaml");
    std::fs::write(&good, build_user_yaml(&sample_spec()).unwrap()).unwrap();
    let out = std::process::Command::new(&bin).arg("validate").arg(&good).output().expect("gen3users runs");
    assert!(out.status.success(), "gen3users rejected the built user.yaml:\n{}", String::from_utf8_lossy(&out.stderr));

    // The validator really checks: a policy with a missing role fails it, as our check says.
    let text = std::fs::read_to_string(&good).unwrap().replace("- sower_user", "- no_such_role");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, &text).unwrap();
    let ours = check_user_yaml(&parse_user_yaml(&text, "bad.yaml").unwrap());
    assert!(ours.iter().any(|f| f.code == "policy_missing_role"));
    let out = std::process::Command::new(&bin).arg("validate").arg(&bad).output().unwrap();
    assert!(!out.status.success(), "gen3users accepted a policy with a missing role");
    // gen3users logs to stdout; our finding uses its wording.
    let log = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let theirs = "Role \"no_such_role\" in policy \"sower\" is not defined in list of roles";
    assert!(log.contains(theirs), "{log}");
    assert!(ours.iter().any(|f| f.message == theirs), "{ours:#?}");
}

// ---------------------------------------------------------------------------------------------
// Security and consistency

const RISKY: &str = r#"
global:
  hostname: data.example.org
  dev: true
  postgres:
    master:
      password: s3cr3t-master-pw
  aws:
    awsSecretAccessKey: AKIAFAKESECRETVALUE
    externalSecrets:
      externalSecretAwsCreds: my-aws-creds
secrets:
  awsSecretAccessKey: ANOTHERFAKESECRET
fence:
  postgres:
    password: ""
  FENCE_CONFIG:
    MOCK_AUTH: true
    MOCK_GOOGLE_AUTH: "True"
    INDEXD: http://indexd-service
    ARBORIST: http://arborist-service.gen3.svc.cluster.local
    AUDIT_SERVICE: http://127.0.0.1:8080
    ENCRYPTION_KEY: REPLACEME
    OPENID_CONNECT:
      cilogon:
        mock_default_user: http://cilogon.org/serverT/users/64703
      generic_oidc_idp:
        client_id: abc
        client_secret: oidc-client-secret-value
        redirect_url: "{{BASE_URL}}/login/generic_oidc_idp/login"
metadata:
  esEndpoint: http://user:pw@es.example.org:9200
revproxy:
  ingress:
    annotations: {cert-manager.io/cluster-issuer: letsencrypt}
"#;

#[test]
fn production_security_findings_are_acknowledgeable_errors() {
    let values = yaml(RISKY);
    let findings = security_findings(&values, true, "data.example.org");
    for (code, key) in [
        ("mock_auth", "fence.FENCE_CONFIG.MOCK_AUTH"),
        ("mock_google_auth", "fence.FENCE_CONFIG.MOCK_GOOGLE_AUTH"),
        ("dev_mode", "global.dev"),
        ("network_policies_off", "global.netPolicy.enabled"),
        ("insecure_url", "metadata.esEndpoint"),
        ("secret_value", "global.postgres.master.password"),
        ("secret_value", "global.aws.awsSecretAccessKey"),
        ("secret_value", "secrets.awsSecretAccessKey"),
        ("secret_value", "fence.FENCE_CONFIG.OPENID_CONNECT.generic_oidc_idp.client_secret"),
    ] {
        let f = find(&findings, code, key);
        assert_eq!((f.severity, f.acknowledgeable), (Severity::Error, true), "{code} at {key}");
    }
    let url = find(&findings, "insecure_url", "metadata.esEndpoint");
    assert!(url.message.contains("http://es.example.org") && !url.message.contains("pw"), "{}", url.message);
    assert!(find(&findings, "secret_value", "global.postgres.master.password")
        .message
        .contains("global.postgres.externalSecret"));
    // In-cluster http, loopback, empty and placeholder values and secret names are fine.
    for key in [
        "fence.FENCE_CONFIG.INDEXD",
        "fence.FENCE_CONFIG.ARBORIST",
        "fence.FENCE_CONFIG.AUDIT_SERVICE",
        "fence.FENCE_CONFIG.OPENID_CONNECT.cilogon.mock_default_user",
    ] {
        assert!(!findings.iter().any(|f| f.key.as_deref() == Some(key)), "{key} flagged");
    }
    for key in [
        "fence.postgres.password",
        "fence.FENCE_CONFIG.ENCRYPTION_KEY",
        "global.aws.externalSecrets.externalSecretAwsCreds",
    ] {
        assert!(!findings.iter().any(|f| f.key.as_deref() == Some(key)), "{key} flagged");
    }
    let all = serde_json::to_string(&findings).unwrap();
    for secret in ["s3cr3t-master-pw", "AKIAFAKESECRETVALUE", "ANOTHERFAKESECRET", "oidc-client-secret-value"] {
        assert!(!all.contains(secret), "a secret value leaked into the findings");
    }
    assert!(!codes(&findings).contains(&"tls_not_configured"), "cert-manager is configured");
    assert!(!codes(&findings).contains(&"hostname_mismatch"));

    let dev = security_findings(&values, false, "data.example.org");
    let f = find(&dev, "mock_auth", "fence.FENCE_CONFIG.MOCK_AUTH");
    assert_eq!((f.severity, f.acknowledgeable), (Severity::Warning, false));
    assert_eq!(
        dev.iter().filter(|f| f.severity == Severity::Error).count(),
        0,
        "outside production the same values only warn"
    );
}

#[test]
fn absent_dev_and_netpol_take_the_risky_defaults() {
    let findings = security_findings(&yaml("global: {hostname: data.example.org}"), true, "data.example.org");
    assert!(find(&findings, "dev_mode", "global.dev").message.contains("default is true"));
    find(&findings, "network_policies_off", "global.netPolicy.enabled");
    find(&findings, "tls_not_configured", "global.revproxyArn");

    let safe = yaml(
        "global:\n  hostname: data.example.org\n  dev: false\n  aws: {enabled: true}\n  netPolicy: {enabled: true}\n  revproxyArn: arn:aws:acm:us-east-1:111122223333:certificate/abc\n",
    );
    let findings = security_findings(&safe, true, "data.example.org");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn hostname_and_login_url_consistency() {
    let values = yaml(
        r#"
global:
  hostname: old.example.org
  dev: false
  netPolicy: {enabled: true}
  revproxyArn: arn:aws:acm:us-east-1:111122223333:certificate/abc
fence:
  FENCE_CONFIG:
    BASE_URL: https://old.example.org/user
    LOGIN_REDIRECT_WHITELIST: [https://data.example.org/x, https://partner.example.net]
    OPENID_CONNECT:
      google:
        redirect_url: https://elsewhere.example.com/user/login/google/login/
      okta:
        redirect_url: https://data.example.org/login/okta
      fence:
        client_kwargs: {redirect_uri: "{{BASE_URL}}/login/fence/login"}
"#,
    );
    let findings = security_findings(&values, false, "data.example.org");
    let host = find(&findings, "hostname_mismatch", "global.hostname");
    assert!(host.message.contains("old.example.org") && host.message.contains("data.example.org"));
    assert!(find(&findings, "base_url_mismatch", "fence.FENCE_CONFIG.BASE_URL")
        .message
        .contains("https://data.example.org/user"));
    let redirect = find(&findings, "redirect_host_mismatch", "fence.FENCE_CONFIG.OPENID_CONNECT.google.redirect_url");
    assert!(redirect.message.contains("elsewhere.example.com"), "{}", redirect.message);
    assert!(redirect.message.contains("https://data.example.org/user/login/google/login/"), "{}", redirect.message);
    find(&findings, "redirect_path_unusual", "fence.FENCE_CONFIG.OPENID_CONNECT.okta.redirect_url");
    assert!(!findings.iter().any(|f| f.key.as_deref().is_some_and(|k| k.contains("OPENID_CONNECT.fence"))));
    let whitelist = find(&findings, "login_redirect_other_host", "fence.FENCE_CONFIG.LOGIN_REDIRECT_WHITELIST");
    assert!(whitelist.message.contains("partner.example.net") && !whitelist.message.contains("data.example.org"));
    assert!(errors(&findings).iter().all(|f| !f.acknowledgeable), "consistency errors must be fixed");

    let local = security_findings(&yaml("global: {hostname: localhost}"), true, "localhost");
    let f = find(&local, "localhost", "global.hostname");
    assert_eq!((f.severity, f.acknowledgeable), (Severity::Error, false));
    let local = security_findings(&yaml("global: {hostname: localhost}"), false, "localhost");
    assert_eq!(find(&local, "localhost", "global.hostname").severity, Severity::Warning);
    let missing = security_findings(&yaml("global: {dev: false}"), false, "data.example.org");
    find(&missing, "hostname_missing", "global.hostname");
}

#[test]
fn reference_gitops_commons_has_only_the_network_policy_finding() {
    let Some(dir) = reference_dir() else { return };
    let aids = gitops_values(&dir.join("gen3-gitops/aids.diseasedatahub.org"));
    let findings = security_findings(&aids, true, "aids.diseasedatahub.org");
    assert_eq!(codes(&findings), ["network_policies_off"], "{findings:#?}");

    let ci = read_yaml(&dir.join("gen3-helm/gen3/ci-values.yaml"));
    let findings = security_findings(&ci, true, "ci.example.org");
    for code in ["mock_google_auth", "dev_mode", "hostname_missing"] {
        assert!(codes(&findings).contains(&code), "{code} in {findings:#?}");
    }
}
