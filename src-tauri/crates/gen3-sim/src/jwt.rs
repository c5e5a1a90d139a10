//! RS256 JSON Web Tokens, signed with the fleet's one RSA key (each commons has its own `kid`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer as _, Verifier as _};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::Value;
use sha2::Sha256;

pub(crate) struct JwtKey {
    signing: SigningKey<Sha256>,
    verifying: VerifyingKey<Sha256>,
    public_pem: String,
    /// The public key's modulus and exponent, base64url, as a JWKS publishes them.
    n: String,
    e: String,
}

impl JwtKey {
    pub(crate) fn generate() -> std::io::Result<Self> {
        let mut rng = rsa::rand_core::OsRng;
        let private = RsaPrivateKey::new(&mut rng, 2048).map_err(std::io::Error::other)?;
        let public = RsaPublicKey::from(&private);
        let public_pem = public.to_public_key_pem(LineEnding::LF).map_err(std::io::Error::other)?;
        use rsa::traits::PublicKeyParts as _;
        let n = URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(public.e().to_bytes_be());
        Ok(Self {
            n,
            e,
            signing: SigningKey::<Sha256>::new(private),
            verifying: VerifyingKey::<Sha256>::new(public),
            public_pem,
        })
    }

    pub(crate) fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The JWK of the public key under this `kid` (fence's `/.well-known/jwks` entry).
    pub(crate) fn jwk(&self, kid: &str) -> Value {
        serde_json::json!({"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": self.n, "e": self.e})
    }

    pub(crate) fn sign(&self, kid: &str, claims: &Value) -> String {
        let header = serde_json::json!({"alg": "RS256", "kid": kid, "typ": "JWT"});
        let mut out = String::new();
        out.push_str(&URL_SAFE_NO_PAD.encode(header.to_string()));
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
        let sig = self.signing.sign(out.as_bytes());
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(sig.to_bytes()));
        out
    }

    /// Checks the signature and returns (header, claims). Claims are not validated here.
    pub(crate) fn verify(&self, token: &str) -> Result<(Value, Value), &'static str> {
        let token = token.trim();
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err("Not enough segments");
        };
        let header: Value = decode_part(h).ok_or("Invalid header padding")?;
        let claims: Value = decode_part(p).ok_or("Invalid payload padding")?;
        if header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err("The specified alg value is not allowed");
        }
        let sig = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).map_err(|_| "Invalid crypto padding")?;
        let sig = Signature::try_from(sig.as_slice()).map_err(|_| "Signature verification failed")?;
        let signed = &token[..h.len() + 1 + p.len()];
        self.verifying.verify(signed.as_bytes(), &sig).map_err(|_| "Signature verification failed")?;
        Ok((header, claims))
    }
}

fn decode_part(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.is_object().then_some(v)
}
