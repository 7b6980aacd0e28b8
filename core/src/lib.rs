//! ruhu-core: the one domain that decides on the phone and on the server.
//!
//! Without features this crate is pure domain and wire protocol (what the server links).
//! The `device` feature adds the offline engine: encrypted store, photos, GPS, drafts, outbox and sync client.

pub mod assistance;
pub mod calendar;
pub mod eligibility;
pub mod form;
pub mod gcj02;
pub mod geo;
pub mod org;
pub mod policy;
pub mod protocol;
pub mod resident_id;
pub mod roles;
pub mod time;
mod vocabulary;
pub mod workflow;

#[cfg(feature = "device")]
pub mod device;
