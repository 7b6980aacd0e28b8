//! ruhu-mobile: the one library the Android and iOS apps load. A thin uniffi layer over `ruhu_core::device`:
//! objects wrap core types, one public error ([`RuhuError`]) converted in one place, async calls run on one
//! Rust-owned tokio runtime, and the platform's key store is a foreign trait.

mod clock;
mod device;
mod error;
mod geo;
mod keystore;
mod records;
mod runtime;
mod sync;
mod unlock;

pub use device::RuhuDevice;
pub use error::RuhuError;
pub use keystore::{KeyStore, KeyStoreError};
pub use records::*;
pub use sync::{SyncHandle, SyncListener};
pub use unlock::{PinAttempt, PinResult, UnlockStatus, UnlockStep};

uniffi::setup_scaffolding!();
