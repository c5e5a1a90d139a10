//! The lowest room: what every other crate speaks. The commons record and its filters, the error
//! envelope the UI branches on, the secret type, validation, dates and inert display text, bounded
//! reads of the files an operator hands in (credentials.json, gen3 profiles, a private CA), and
//! where the data folder is. No SQLite connection, no network.

pub mod ca_pem;
pub mod counted;
pub mod credentials;
pub mod dates;
pub mod display_text;
pub mod error;
pub mod model;
pub mod operator_files;
pub mod paths;
pub mod secret;
pub mod validate;
