//! Turning transport failures into the stable codes and words the UI explains. The raw library
//! error goes to the log only.

use csoc_model::error::{CoreError, ErrorCode};

/// The start of the words for a refused connection (below): the host answered, nothing listens on
/// the port. Monitoring reads it as "the commons is down", not "this computer cannot reach it".
pub const REFUSED: &str = "the connection was refused";

pub(super) fn transport(host: &str, err: &reqwest::Error, timeout_secs: u64) -> CoreError {
    let chain = error_chain(err);
    tracing::info!(host, error = %chain, "request failed");
    let lower = chain.to_lowercase();
    if err.is_timeout() {
        return CoreError::new(
            ErrorCode::Unreachable,
            format!("{host} did not answer within {timeout_secs} s. It may be down, overloaded, or behind a VPN you are not on."),
        );
    }
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return tls(host, &lower);
    }
    if err.is_connect() {
        let why = if lower.contains("dns") || lower.contains("failed to lookup") || lower.contains("name or service") {
            "its name does not resolve (check the hostname, or whether you need a VPN)"
        } else if lower.contains("refused") {
            "the connection was refused (nothing listens there: the commons or its load balancer is down)"
        } else {
            "the connection failed"
        };
        return CoreError::new(ErrorCode::Unreachable, format!("{host} cannot be reached: {why}."));
    }
    if err.is_body() || err.is_decode() {
        return CoreError::new(
            ErrorCode::MalformedResponse,
            format!("{host} stopped in the middle of its answer (the connection broke or the body was cut)."),
        );
    }
    CoreError::new(ErrorCode::Unreachable, format!("{host} cannot be reached (details are in the log file)."))
}

/// The server closed (or reset) the connection after the request went out and before any answer:
/// what a reused keep-alive connection does when the server dropped it at that moment.
pub(super) fn closed_before_answer(err: &reqwest::Error) -> bool {
    if err.is_timeout() || err.is_connect() || !err.is_request() {
        return false;
    }
    let lower = error_chain(err).to_lowercase();
    lower.contains("connection closed before message completed") || lower.contains("connection reset")
}

fn tls(host: &str, lower: &str) -> CoreError {
    let why = if lower.contains("expired") {
        "its TLS certificate has expired. Tell the commons' operators; until it is renewed, no client can trust it"
    } else if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("self-signed")
        || lower.contains("self signed")
    {
        "its TLS certificate is not signed by an authority this computer trusts (self-signed or a private CA). If the \
         commons uses a private CA, add that CA for this commons"
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        "its TLS certificate is for another hostname"
    } else {
        "the TLS handshake failed"
    };
    CoreError::new(ErrorCode::Tls, format!("{host} could not be trusted: {why}."))
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
