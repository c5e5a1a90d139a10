//! The vault against the real OS keyring (Secret Service; scripts/test.sh runs the tests inside
//! `dbus-run-session` with an unlocked gnome-keyring), and the secret canary: a stored key's text
//! appears in no file the app writes.

use std::path::Path;
use std::process::Command;

use csoc_model::credentials::parse_credentials;
use csoc_model::error::ErrorCode;
use csoc_model::model::Environment;
use csoc_model::secret::{Secret, SecretKind};
use csoc_store::{Store, DB_FILE};
use csoc_vault::keys::{self, KeySource, NewCommons};
use csoc_vault::{KeyStatus, Vault, VaultMode};

/// A credentials.json shaped like fence's, with an unmistakable signature to hunt for (fake: not
/// signed by anyone; the vault does not verify signatures, the commons does).
fn credentials(marker: &str, host: &str, expires_in: i64) -> String {
    use base64::Engine;
    let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let now = csoc_model::model::now_ms() / 1000;
    let claims = serde_json::json!({"pur": "api_key", "iss": format!("https://{host}/user"), "sub": "7",
        "jti": format!("jti-{}", marker.to_lowercase()), "iat": now, "exp": now + expires_in, "aud": ["gen3"], "azp": "",
        "scope": ["fence", "openid", "user", "data"]});
    let jwt = format!("{}.{}.{marker}", b64(serde_json::json!({"alg": "RS256", "kid": "fake"})), b64(claims));
    serde_json::json!({"key_id": format!("jti-{}", marker.to_lowercase()), "api_key": jwt}).to_string()
}

fn text(s: String) -> KeySource {
    KeySource::Text { text: Secret::new(SecretKind::ApiKey, s) }
}

fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in walk(dir) {
        if std::fs::read(&entry).map(|b| b.windows(needle.len()).any(|w| w == needle)).unwrap_or(false) {
            hits.push(entry.display().to_string());
        }
    }
    hits
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn keys_round_trip_through_the_system_keyring_and_never_touch_disk_in_the_clear() {
    let dir = tempfile::tempdir().unwrap();
    let _log = csoc_app::logging::init(&dir.path().join("logs"));
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    let marker = format!("CANARY{}", uuid_like());
    let creds = credentials(&marker, "canary.example.org", 30 * 86400);
    let profile_dir = dir.path().join("no-profiles");

    let preview = keys::preview(&vault, &store, &text(creds.clone()), &profile_dir).unwrap();
    assert_eq!(preview.info.commons_url, "https://canary.example.org");
    assert!(preview.commons.is_none(), "the commons is not in the inventory yet");
    let missing = keys::import(&vault, &store, &text(creds.clone()), None, &profile_dir).unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound, "importing for an unknown commons needs the user's consent");

    let add = NewCommons { name: "Canary".into(), environment: Environment::Production };
    let view = keys::import(&vault, &store, &text(creds.clone()), Some(&add), &profile_dir).unwrap();
    assert_eq!(view.status, KeyStatus::Valid);
    assert_eq!(view.commons_name, "Canary");
    assert!(view.production);
    assert_eq!(vault.status(&store).unwrap().mode, VaultMode::Keyring);

    // A fresh Vault (as after a restart) loads the master key from the keyring and decrypts.
    let again = Vault::new();
    let key = again.api_key(&store, &view.commons_id).unwrap();
    let original = parse_credentials(&creds).unwrap();
    assert_eq!(key.secret.expose(), original.secret.expose());

    // The canary: nothing the app wrote holds the key or its signature.
    let export = dir.path().join("inventory-export.json");
    csoc_store::transfer::export_to(&store, &export).unwrap();
    tracing::info!(key = ?key.secret, "a log line that mentions the key's wrapper");
    drop(_log);
    drop(store);
    let hits = files_containing(dir.path(), marker.as_bytes());
    assert!(hits.is_empty(), "the secret marker leaked into {hits:?}");
    let export_text = std::fs::read_to_string(&export).unwrap();
    assert!(export_text.contains("canary.example.org") && !export_text.contains("api_key"));
    let logs: String = walk(&dir.path().join("logs")).iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(logs.contains("<redacted api_key>"), "logs name the secret's kind: {logs}");
}

#[test]
fn delete_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    let add = NewCommons { name: "Data".into(), environment: Environment::Dev };
    let nowhere = dir.path().join("none");
    let first =
        keys::import(&vault, &store, &text(credentials("ONE", "data.example.org", 3 * 86400)), Some(&add), &nowhere)
            .unwrap();
    assert_eq!(first.status, KeyStatus::Expiring, "3 days left is within the 7-day warning");
    let preview =
        keys::preview(&vault, &store, &text(credentials("TWO", "data.example.org", 30 * 86400)), &nowhere).unwrap();
    assert_eq!(preview.replaces.map(|i| i.key_id), Some("jti-one".to_string()));
    let second =
        keys::import(&vault, &store, &text(credentials("TWO", "data.example.org", 30 * 86400)), None, &nowhere)
            .unwrap();
    assert_eq!(second.commons_id, first.commons_id);
    assert_eq!(vault.list(&store).unwrap().len(), 1);
    assert_eq!(vault.api_key(&store, &first.commons_id).unwrap().info.key_id, "jti-two");
    vault.delete(&store, &first.commons_id).unwrap();
    assert!(vault.list(&store).unwrap().is_empty());
    assert_eq!(vault.delete(&store, &first.commons_id).unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn a_passphrase_vault_must_be_unlocked_each_session() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    let pass = |s: &str| Secret::new(SecretKind::Passphrase, s.into());
    assert_eq!(vault.use_passphrase(&store, &pass("short")).unwrap_err().code, ErrorCode::Invalid);
    let status = vault.use_passphrase(&store, &pass("a long enough passphrase")).unwrap();
    assert_eq!((status.mode, status.unlocked), (VaultMode::Passphrase, true));
    let add = NewCommons { name: "P".into(), environment: Environment::Dev };
    let view =
        keys::import(&vault, &store, &text(credentials("PASS", "p.example.org", 86400 * 30)), Some(&add), dir.path())
            .unwrap();

    let next_session = Vault::new();
    assert_eq!(next_session.api_key(&store, &view.commons_id).unwrap_err().code, ErrorCode::VaultLocked);
    assert_eq!(
        next_session.use_passphrase(&store, &pass("the wrong passphrase")).unwrap_err().code,
        ErrorCode::Invalid
    );
    next_session.use_passphrase(&store, &pass("a long enough passphrase")).unwrap();
    assert_eq!(next_session.api_key(&store, &view.commons_id).unwrap().info.key_id, "jti-pass");
}

/// Without a reachable keyring service the vault says so in words and stores nothing in the clear.
/// Runs in a child process whose session bus address points nowhere.
#[test]
fn without_a_keyring_the_vault_explains_and_stores_nothing() {
    if let Some(dir) = std::env::var_os("CSOC_NO_KEYRING_CHILD") {
        let store = Store::open(&Path::new(&dir).join(DB_FILE)).unwrap();
        let vault = Vault::new();
        let status = vault.status(&store).unwrap();
        let add = NewCommons { name: "N".into(), environment: Environment::Dev };
        let err = keys::import(
            &vault,
            &store,
            &text(credentials("NOKEYRING", "n.example.org", 86400)),
            Some(&add),
            Path::new(&dir),
        )
        .unwrap_err();
        println!("STATUS {}", serde_json::to_string(&status).unwrap());
        println!("ERROR {}", serde_json::to_string(&err).unwrap());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "without_a_keyring_the_vault_explains_and_stores_nothing", "--nocapture", "--test-threads=1"])
        .env("CSOC_NO_KEYRING_CHILD", dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = |p: &str| -> serde_json::Value {
        let found = stdout.lines().find_map(|l| l.find(p).map(|i| &l[i + p.len()..]));
        serde_json::from_str(found.unwrap_or_else(|| panic!("no {p:?} line in {stdout}"))).unwrap()
    };
    let status = line("STATUS ");
    assert_eq!(status["mode"], "unset");
    assert!(status["keyring_problem"].as_str().unwrap().contains("passphrase"), "{status}");
    let err = line("ERROR ");
    assert_eq!(err["code"], "keyring_unavailable");
    assert!(err["message"].as_str().unwrap().contains("passphrase"), "{err}");
    assert!(files_containing(dir.path(), b"NOKEYRING").is_empty(), "a secret was written without a master key");
}

fn uuid_like() -> String {
    format!("{:x}", csoc_model::model::now_ms() ^ (std::process::id() as i64) << 20)
}

/// An OIDC client secret from the commons wizard: sealed like API keys, found by its draft's name,
/// dropped with the draft, and never in any file the app writes.
#[test]
fn wizard_client_secrets_are_sealed_and_dropped_with_their_draft() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    let marker = "ClientSecretCanary9f3e";
    let name = csoc_deploy::launch::secret_name("draft-1", "google");
    vault.store_named(&store, &name, &Secret::new(SecretKind::ClientSecret, marker.into())).unwrap();
    vault.store_named(&store, "wizard/draft-2/google", &Secret::new(SecretKind::ClientSecret, "other".into())).unwrap();
    assert!(vault.has_named(&store, &name).unwrap());
    assert_eq!(vault.named(&store, &name).unwrap().expose(), marker);
    assert!(
        vault.store_named(&store, &name, &Secret::new(SecretKind::ClientSecret, "  ".into())).is_err(),
        "an empty secret is refused"
    );
    // The cache, its WAL and the logs: the secret is in none of them in the clear.
    assert!(files_containing(dir.path(), marker.as_bytes()).is_empty(), "the secret is in no file in the clear");

    assert_eq!(vault.delete_named_prefix(&store, &csoc_deploy::launch::secret_name("draft-1", "")).unwrap(), 1);
    assert_eq!(vault.named(&store, &name).unwrap_err().code, ErrorCode::NotFound);
    assert!(vault.has_named(&store, "wizard/draft-2/google").unwrap(), "another draft's secret stays");
}
