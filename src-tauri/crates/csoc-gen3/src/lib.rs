//! Talking to a Gen3 commons over its public API.

mod client;
mod failure;
pub mod tls_cert;

pub use client::{http_client, http_client_with, tls_config, ClientOptions, Gen3Client, RawResponse};
pub use failure::REFUSED;
