//! ruhu-server: case records, visit assignments and the device sync API, on SQLite (embedded default) or
//! PostgreSQL through one sqlx `Any` layer.
//!
//! The folders are the layers, each importing only those below it:
//!
//! - `store`    the database (one query text for both backends), blobs, the audit chain, errors
//! - `access`   who is calling: login sessions and tokens, users and their roles, devices, org units and scoping
//! - `records`  the case records as stored: households, cases and their facts and steps, assignments, forms,
//!   submissions, the working-day calendar, and the per-user sync feed
//! - `workflow` the procedure: the stored workflow state and its transitions (rules in `ruhu_core::workflow`),
//!   assigning visits, deadlines, supervision
//! - `sync`     the device protocol: pull, push, resumable uploads, merging a visit into its case
//! - `desk`     the HTTP API the console and the desk use: case records, households, assignments, visit review,
//!   conflicts, visit progress, map, calendar, policy, administration
//! - `console`  the web console's assets
//! - `app`      configuration, the shared state handed to handlers, start-up, demo data, the router and its OpenAPI
//!   document
//!
//! (`app::config` and `app::state` are plain data every handler receives; the rest of `app` sits on top.)

#![forbid(unsafe_code)]

pub mod access;
pub mod app;
pub mod console;
pub mod desk;
pub mod records;
pub mod store;
pub mod sync;
pub mod workflow;

pub use app::{
    config::ServerConfig,
    router::{RunningServer, app, spawn},
    state::AppState,
};
pub use store::{
    audit::{BrokenLink, verify_audit_chain},
    error::{ApiError, Error, Result},
};
