//! ruhu-core: the one domain that decides on the phone and on the server.
//!
//! Without features this crate is pure domain and wire protocol (what the server links).
//! The `device` feature adds the offline engine: encrypted store, photos, GPS, drafts, outbox and sync client.
//!
//! Modules import downwards only. At the bottom, the shared words, which import nothing of the crate: `assistance`,
//! `roles`, `org`, `geo`, `money`, `urgency`, `facts`, `resident_id`, `time`, `vocabulary` and the TOML reader; above them
//! `calendar`, then `policy`; `form`; `protocol` (which carries forms and policy figures); then `eligibility` and
//! `workflow`, which read the protocol's types and never each other; `device` on top.

#![forbid(unsafe_code)]

pub mod assistance;
pub mod calendar;
pub mod eligibility;
pub mod facts;
pub mod form;
pub mod gcj02;
pub mod geo;
pub mod money;
pub mod org;
pub mod policy;
pub mod protocol;
pub mod resident_id;
pub mod roles;
pub mod time;
mod toml_reader;
pub mod urgency;
mod vocabulary;
pub mod workflow;

#[cfg(feature = "device")]
pub mod device;
