//! Talking to a Gen3 commons over its public API.

mod client;
mod failure;

pub use client::{http_client, ClientOptions, Gen3Client, RawResponse};
