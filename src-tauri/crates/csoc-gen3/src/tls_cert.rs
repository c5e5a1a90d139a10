//! Reads a commons' TLS leaf certificate expiry, also when the certificate has already expired or
//! is not trusted: the verifier records the certificate, then verifies it exactly as the client
//! does. Nothing but the handshake is sent, so "accept any" is never needed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{self, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use ts_rs::TS;

use csoc_model::ca_pem::{check_ca, pem_blocks};
use csoc_model::error::{CoreError, CoreResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CertInfo {
    /// Unix seconds of the leaf certificate's `notAfter`.
    #[ts(type = "number | null")]
    pub not_after: Option<i64>,
    /// Why the certificate is not trusted, if it is not (expired, unknown issuer, wrong name).
    pub problem: Option<String>,
}

#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    leaf: Mutex<Option<Vec<u8>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.leaf.lock().unwrap_or_else(|p| p.into_inner()) = Some(end_entity.to_vec());
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn roots(extra_ca_pem: Option<&str>) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(pem) = extra_ca_pem {
        for der in pem_blocks(pem) {
            let _ = roots.add(CertificateDer::from(der));
        }
    }
    roots
}

/// The shared trust store; loading the system's roots costs milliseconds, so it is done once.
pub(crate) fn default_roots() -> Arc<RootCertStore> {
    static ROOTS: std::sync::OnceLock<Arc<RootCertStore>> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| Arc::new(roots(None))).clone()
}

/// The trust store for a commons: the shared one, plus its private CA if it has one.
pub(crate) fn trust_store(extra_ca_pem: Option<&str>) -> CoreResult<Arc<RootCertStore>> {
    match extra_ca_pem {
        None => Ok(default_roots()),
        Some(pem) => match check_ca(pem) {
            Err(why) => Err(CoreError::new(csoc_model::error::ErrorCode::Tls, why)),
            Ok(()) => Ok(Arc::new(roots(Some(pem)))),
        },
    }
}

/// Connects to `host:port`, completes (or fails) the handshake, and reports the leaf's expiry.
/// `None` when nothing answered at all.
pub async fn probe(host: &str, port: u16, extra_ca_pem: Option<&str>, timeout: Duration) -> Option<CertInfo> {
    let roots = trust_store(extra_ca_pem).ok()?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner = WebPkiServerVerifier::builder_with_provider(roots, provider.clone()).build().ok()?;
    let verifier = Arc::new(Recording { inner, leaf: Mutex::new(None) });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .dangerous() // only to install the recording wrapper; verification is the standard one
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']').to_string()).ok()?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let result = tokio::time::timeout(timeout, async {
        let tcp = tokio::net::TcpStream::connect((host.trim_start_matches('[').trim_end_matches(']'), port)).await?;
        connector.connect(name, tcp).await.map(drop)
    })
    .await;
    let leaf = verifier.leaf.lock().unwrap_or_else(|p| p.into_inner()).take()?;
    let problem = match result {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(describe(&e.to_string())),
        Err(_) => Some("the TLS handshake did not finish in time".into()),
    };
    Some(CertInfo { not_after: not_after(&leaf), problem })
}

fn describe(err: &str) -> String {
    let lower = err.to_lowercase();
    if lower.contains("expired") {
        "the certificate has expired".into()
    } else if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
        "the certificate is not signed by a trusted authority (self-signed or a private CA)".into()
    } else if lower.contains("notvalidforname") {
        "the certificate is for another hostname".into()
    } else {
        "the certificate is not trusted".into()
    }
}

/// Reads `tbsCertificate.validity.notAfter` from a DER certificate (RFC 5280 4.1).
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (cert, _) = der_item(der, 0x30)?;
    let (tbs, _) = der_item(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = der_skip(rest)?; // [0] version
    }
    rest = der_skip(rest)?; // serialNumber
    rest = der_skip(rest)?; // signature algorithm
    rest = der_skip(rest)?; // issuer
    let (validity, _) = der_item(rest, 0x30)?;
    let after_before = der_skip(validity)?;
    let tag = *after_before.first()?;
    let (time, _) = der_item(after_before, tag)?;
    let text = std::str::from_utf8(time).ok()?;
    let full = match tag {
        0x17 => {
            let yy: i64 = text.get(0..2)?.parse().ok()?;
            format!("{}{}", if yy >= 50 { 19 } else { 20 }, text)
        }
        0x18 => text.to_string(),
        _ => return None,
    };
    let n = |r: std::ops::Range<usize>| full.get(r)?.parse::<i64>().ok();
    Some(unix_seconds(n(0..4)?, n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?, n(12..14)?))
}

fn der_len(b: &[u8]) -> Option<(usize, usize)> {
    let first = *b.first()?;
    if first < 0x80 {
        return Some((first as usize, 1));
    }
    let count = (first & 0x7f) as usize;
    if count == 0 || count > 4 || b.len() < 1 + count {
        return None;
    }
    Some((b[1..=count].iter().fold(0usize, |acc, x| (acc << 8) | *x as usize), 1 + count))
}

/// The content of the item at the start of `b` (which must have `tag`) and what follows it.
fn der_item(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *b.first()? != tag {
        return None;
    }
    let (len, used) = der_len(&b[1..])?;
    let start = 1 + used;
    Some((b.get(start..start + len)?, b.get(start + len..)?))
}

fn der_skip(b: &[u8]) -> Option<&[u8]> {
    der_item(b, *b.first()?).map(|(_, rest)| rest)
}

/// Days from the civil date, after Howard Hinnant's algorithm.
fn unix_seconds(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400 + hh * 3600 + mm * 60 + ss
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::unix_seconds(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(super::unix_seconds(2026, 11, 21, 12, 0, 0), 1_795_262_400);
        assert_eq!(super::unix_seconds(2000, 2, 29, 0, 0, 0), 951_782_400);
    }
}
