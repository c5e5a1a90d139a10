//! The one error type that crosses into the UI and the CLI: a stable `code` the UI branches on and
//! a human `message`. Library errors (SQLite, I/O, JSON) are mapped here and never shown raw.

use serde::Serialize;
use ts_rs::TS;

/// Codes the UI branches on. Add a variant only when a consumer handles it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Input failed validation; the message says which field and why.
    Invalid,
    /// The record asked for does not exist (deleted elsewhere, stale view).
    NotFound,
    /// A record with the same unique value (base URL, mesh name) already exists.
    Conflict,
    /// The database was written by a newer version of the app; it is left untouched.
    DbTooNew,
    /// The database file is damaged or not a database; the UI offers to move it aside.
    DbCorrupt,
    /// The database could not be opened or written (permissions, disk full, locked).
    DbUnavailable,
    /// A file could not be read or written.
    Io,
    /// No OS keyring service answered (or it refused); the UI offers a passphrase instead.
    KeyringUnavailable,
    /// The vault uses a passphrase and it has not been entered in this session.
    VaultLocked,
    /// The commons could not be reached: DNS, connection refused, or no answer in time.
    Unreachable,
    /// The TLS certificate was not accepted (expired, self-signed, wrong host, unknown CA).
    Tls,
    /// The commons refused the access token for this request (401/403 after one fresh retry).
    Unauthorized,
    /// The API key's expiry has passed; a new credentials.json is needed.
    KeyExpired,
    /// The commons rejected the API key (revoked, or not one it issued).
    KeyRejected,
    /// The commons' URL no longer matches the origin its stored key is bound to, so the key is not
    /// sent until the operator confirms the new URL or imports a new key.
    KeySetAside,
    /// Something answered, but not as Gen3 does (an HTML page, a missing route, a redirect away).
    NotGen3,
    /// A Gen3 route answered with a body that is not what the service sends (garbage, cut, too big).
    MalformedResponse,
    /// An external tool the app runs (`git`, `helm`) is not installed or not on PATH; the message
    /// says how to install it.
    ToolMissing,
    /// An external tool (`git`, `helm`) ran and failed; the message carries its last output lines.
    ToolFailed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct CoreError {
    pub code: ErrorCode,
    pub message: String,
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn io(action: &str, path: &std::path::Path, err: &std::io::Error) -> Self {
        let why = match err.kind() {
            std::io::ErrorKind::NotFound => "it does not exist".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission was denied".to_string(),
            std::io::ErrorKind::AlreadyExists => "it already exists".to_string(),
            _ => format!("the system said: {}", err.kind()),
        };
        Self::new(ErrorCode::Io, format!("Could not {action} {} because {why}.", path.display()))
    }
}

/// SQLite errors during normal operation. Corruption found mid-session gets its own code so the UI
/// can offer the same recovery it offers at start-up.
impl From<rusqlite::Error> for CoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as Sql;
        tracing::error!(error = %err, "database error");
        match err.sqlite_error_code() {
            Some(Sql::DatabaseCorrupt | Sql::NotADatabase) => Self::new(
                ErrorCode::DbCorrupt,
                "The local cache is damaged. Move it aside and start fresh; the damaged file is kept.",
            ),
            Some(Sql::DatabaseBusy | Sql::DatabaseLocked) => Self::new(
                ErrorCode::DbUnavailable,
                "The local cache is busy (another Gen3 CSOC process is writing). Try again in a moment.",
            ),
            Some(Sql::DiskFull) => Self::new(
                ErrorCode::DbUnavailable,
                "The disk is full, so the change was not saved. Free some space and try again.",
            ),
            Some(Sql::ReadOnly | Sql::PermissionDenied | Sql::CannotOpen) => Self::new(
                ErrorCode::DbUnavailable,
                "The local cache cannot be written (read-only or no permission). Check the data folder.",
            ),
            _ => Self::new(
                ErrorCode::DbUnavailable,
                "The local cache could not complete the operation. Details are in the log file.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_code_and_message_only() {
        let json = serde_json::to_value(CoreError::new(ErrorCode::DbTooNew, "newer")).unwrap();
        assert_eq!(json, serde_json::json!({"code": "db_too_new", "message": "newer"}));
    }

    #[test]
    fn sqlite_corruption_maps_to_db_corrupt() {
        let err = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
            Some("file is not a database".into()),
        );
        let mapped = CoreError::from(err);
        assert_eq!(mapped.code, ErrorCode::DbCorrupt);
        assert!(!mapped.message.contains("file is not a database"), "raw SQLite text leaked");
    }
}
