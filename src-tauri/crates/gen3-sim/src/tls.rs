//! The fleet's test CA and the server certificates for each [`crate::TlsMode`].

use std::sync::Arc;

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

fn err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

pub(crate) struct FleetTls {
    pub(crate) ca_pem: String,
    pub(crate) trusted: TlsAcceptor,
    pub(crate) self_signed: TlsAcceptor,
    pub(crate) expired: TlsAcceptor,
    pub(crate) expires_soon: TlsAcceptor,
}

fn leaf_params(cn: &str) -> std::io::Result<CertificateParams> {
    let mut p = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).map_err(err)?;
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name.push(DnType::OrganizationName, "Gen3 fleet simulator");
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.not_before = date_time_ymd(2024, 1, 1);
    p.not_after = date_time_ymd(2099, 1, 1);
    Ok(p)
}

fn acceptor(cert: CertificateDer<'static>, key: &KeyPair) -> std::io::Result<TlsAcceptor> {
    // Explicit provider: the process may link rustls with several providers enabled, in which
    // case `ServerConfig::builder()` would panic for lack of a process default.
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(vec![cert], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
        .map_err(err)?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(cfg)))
}

impl FleetTls {
    pub(crate) fn generate() -> std::io::Result<Self> {
        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name.push(DnType::CommonName, "Gen3 fleet simulator test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        ca.not_before = date_time_ymd(2024, 1, 1);
        ca.not_after = date_time_ymd(2099, 1, 1);
        let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
        let ca_pem = ca_cert.pem();
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().map_err(err)?;
        let trusted_cert = leaf_params("127.0.0.1")?.signed_by(&key, &issuer).map_err(err)?;
        let trusted = acceptor(trusted_cert.der().clone(), &key)?;

        let ss_key = KeyPair::generate().map_err(err)?;
        let ss_cert = leaf_params("127.0.0.1")?.self_signed(&ss_key).map_err(err)?;
        let self_signed = acceptor(ss_cert.der().clone(), &ss_key)?;

        let mut expired_params = leaf_params("127.0.0.1")?;
        expired_params.not_before = date_time_ymd(2020, 1, 1);
        expired_params.not_after = date_time_ymd(2021, 1, 1);
        let expired_cert = expired_params.signed_by(&key, &issuer).map_err(err)?;
        let expired = acceptor(expired_cert.der().clone(), &key)?;

        let mut soon_params = leaf_params("127.0.0.1")?;
        soon_params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(5);
        let soon_cert = soon_params.signed_by(&key, &issuer).map_err(err)?;
        let expires_soon = acceptor(soon_cert.der().clone(), &key)?;

        Ok(Self { ca_pem, trusted, self_signed, expired, expires_soon })
    }
}
