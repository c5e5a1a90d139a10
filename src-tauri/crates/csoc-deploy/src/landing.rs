//! Where answers land, and where they would not: findings for values the wizard has but gen3-helm
//! would not deliver to the service as things stand. Client secrets stay in the vault; in GitOps
//! mode or with External Secrets they never reach the cluster through the app, so the review and
//! the launch say where the operator must put them. A user.yaml in the values does nothing when
//! usersync reads it from S3.

use serde_yaml_ng::Value;

use crate::answers::{CommonsAnswers, Destination};
use crate::yaml::get_path;
use crate::{Finding, Severity};

fn warning(code: &str, key: &str, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        code: code.into(),
        message,
        file: None,
        key: Some(key.into()),
        acknowledgeable: false,
    }
}

fn is_true(values: &Value, path: &str) -> bool {
    get_path(values, path) == Some(&Value::Bool(true))
}

/// Whether fence's private configuration (`fence-config.yaml`) comes from the secret manager: with
/// External Secrets, unless `fence.externalSecrets.createK8sFenceConfigSecret` has the chart render it.
pub(crate) fn fence_config_from_secret_manager(values: &Value) -> bool {
    is_true(values, "global.externalSecrets.deploy")
        && !is_true(values, "fence.externalSecrets.createK8sFenceConfigSecret")
}

/// The secret-manager entry fence-config.yaml is read from (`fence.externalSecrets.fenceConfig`).
pub(crate) fn fence_config_entry(values: &Value) -> String {
    get_path(values, "fence.externalSecrets.fenceConfig")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or("fence-config")
        .to_string()
}

/// For each login provider, where its client secret must go when the app cannot deliver it: the
/// secret-manager entry and key with External Secrets, or the values key and why it is not
/// committed in GitOps mode. Empty when the launch delivers it (the operator's helm, no External
/// Secrets, secret in the vault).
pub(crate) fn login_secret_findings(a: &CommonsAnswers, values: &Value) -> Vec<Finding> {
    let gitops = matches!(a.destination, Destination::Gitops(_));
    let from_manager = fence_config_from_secret_manager(values);
    let mut out = Vec::new();
    for p in &a.login.providers {
        let idp = p.idp.trim();
        let key = format!("fence.FENCE_CONFIG.OPENID_CONNECT.{idp}.client_secret");
        let stored = if p.secret_stored {
            " The secret you entered stays in this app's vault and is not sent there."
        } else {
            ""
        };
        if from_manager {
            out.push(warning(
                "login_secret_in_secret_manager",
                &key,
                format!(
                    "With External Secrets, Fence reads its private configuration from the secret-manager entry `{entry}` \
                     (fence.externalSecrets.fenceConfig), whose value is the file fence-config.yaml. For “{label}” \
                     (idp {idp}) to log anyone in it must hold OPENID_CONNECT.{idp}.client_secret (with client_id {id}); the chart \
                     does not render fence.FENCE_CONFIG from the values.{stored}",
                    entry = fence_config_entry(values),
                    label = p.label.trim(),
                    id = if p.client_id.trim().is_empty() { "<its client id>" } else { p.client_id.trim() },
                ),
            ));
        } else if gitops {
            out.push(warning(
                "login_secret_not_committed",
                &key,
                format!(
                    "Argo CD renders fence-config from the values in Git, and the app never commits a secret, so the client \
                     secret of “{label}” must reach {key} another way: turn on External Secrets (Database step) and \
                     keep it in the secret manager's `fence-config` entry, or add it to a values file your repository \
                     keeps private. Without it the login fails.{stored}",
                    label = p.label.trim(),
                ),
            ));
        }
    }
    out
}

/// A user.yaml in the values reaches the `useryaml` Job only when usersync is off; with usersync
/// on, Fence syncs from `usersync.userYamlS3Path` and the built user.yaml does nothing.
pub(crate) fn user_yaml_findings(values: &Value) -> Vec<Finding> {
    if !is_true(values, "fence.usersync.usersync") || get_path(values, "fence.USER_YAML").is_none() {
        return Vec::new();
    }
    let path = get_path(values, "fence.usersync.userYamlS3Path").and_then(Value::as_str).unwrap_or("(not set)");
    vec![warning(
        "user_yaml_from_s3",
        "fence.USER_YAML",
        format!(
            "usersync is on (fence.usersync.usersync), so Fence syncs users from {path} and the user.yaml written \
             into fence.USER_YAML is not used. Upload this user.yaml to that S3 path, or turn usersync off so the \
             useryaml job loads it."
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{HelmDestination, LoginProvider};

    fn values(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap()
    }

    fn answers(destination: Destination) -> CommonsAnswers {
        let mut a = CommonsAnswers { destination, ..Default::default() };
        a.login.providers.push(LoginProvider { client_id: "cid".into(), secret_stored: true, ..Default::default() });
        a
    }

    #[test]
    fn a_client_secret_is_never_silently_dropped() {
        let es = values(
            "global:\n  externalSecrets:\n    deploy: true\nfence:\n  externalSecrets:\n    fenceConfig: my-fence\n",
        );
        let gitops = answers(Destination::default());
        let found = login_secret_findings(&gitops, &es);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("`my-fence`") && found[0].message.contains("OPENID_CONNECT.google.client_secret")
        );
        assert!(found[0].message.contains("vault"), "{}", found[0].message);

        let plain = values("global:\n  dev: true\n");
        let found = login_secret_findings(&gitops, &plain);
        assert_eq!(found[0].code, "login_secret_not_committed");
        assert!(found[0].message.contains("fence.FENCE_CONFIG.OPENID_CONNECT.google.client_secret"));

        let helm = answers(Destination::Helm(HelmDestination::default()));
        assert!(login_secret_findings(&helm, &plain).is_empty(), "the helm launch delivers it");
        assert_eq!(login_secret_findings(&helm, &es)[0].code, "login_secret_in_secret_manager");
        let rendered = values(
            "global:\n  externalSecrets:\n    deploy: true\nfence:\n  externalSecrets:\n    createK8sFenceConfigSecret: true\n",
        );
        assert!(login_secret_findings(&helm, &rendered).is_empty());
    }

    #[test]
    fn usersync_from_s3_makes_the_user_yaml_unused() {
        let on = values(
            "fence:\n  USER_YAML: 'users: {}'\n  usersync:\n    usersync: true\n    userYamlS3Path: s3://b/user.yaml\n",
        );
        let found = user_yaml_findings(&on);
        assert!(found[0].message.contains("s3://b/user.yaml"), "{}", found[0].message);
        let off = values("fence:\n  USER_YAML: 'users: {}'\n  usersync:\n    usersync: false\n");
        assert!(user_yaml_findings(&off).is_empty());
    }
}
