//! A commons' private CA as the operator pastes it: PEM text that must hold X.509 certificates a
//! TLS client can trust. Checked when the commons is saved (validate) and when the client builds
//! its trust store (csoc-gen3's tls_cert), so both read the text the same way.

use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::RootCertStore;

/// Checks that a private CA is one or more X.509 certificates a TLS client can trust, so a bad
/// one is refused when it is entered (and fails only its own commons if it was stored earlier).
pub fn check_ca(pem: &str) -> Result<(), String> {
    let begun = pem.lines().filter(|l| l.trim().starts_with("-----BEGIN CERTIFICATE")).count();
    let blocks = pem_blocks(pem);
    if begun == 0 {
        return Err("The private CA must be a PEM certificate (-----BEGIN CERTIFICATE----- ...).".into());
    }
    if blocks.len() != begun {
        return Err("A certificate in the private CA is damaged (its base64 text does not decode).".into());
    }
    for (i, der) in blocks.into_iter().enumerate() {
        if RootCertStore::empty().add(CertificateDer::from(der)).is_err() {
            return Err(format!(
                "Certificate {} of the private CA is not a valid X.509 certificate a TLS client can trust.",
                i + 1
            ));
        }
    }
    Ok(())
}

pub fn pem_blocks(pem: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in pem.lines().map(str::trim) {
        if line.starts_with("-----BEGIN CERTIFICATE") {
            current = Some(String::new());
        } else if line.starts_with("-----END CERTIFICATE") {
            if let Some(b64) = current.take() {
                if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
                    out.push(der);
                }
            }
        } else if let Some(buf) = current.as_mut() {
            buf.push_str(line);
        }
    }
    out
}
