//! Tests that need this crate's inner functions (readers, migrations, checks, the launch steps):
//! they live inside the crate so those functions stay `pub(crate)`.

mod checks;
mod formats;
mod launch;
mod memory;
mod parsers;
