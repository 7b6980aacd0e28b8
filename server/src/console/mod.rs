//! The web console: a small single-page app served by the server itself (every asset compiled into the binary, no
//! CDN, no build step) over the same API and scoping as the phones, plus the read-only form endpoint it needs to
//! label a visit's answers (registered with the API in `openapi.rs`, so it is documented like the rest).

pub mod admin_api;
mod assets;
pub mod conflicts;
pub mod forms_api;
pub mod map;
pub mod progress;

use axum::{Router, routing::get};

use crate::state::AppState;

/// `/` (the console) and `/console/*` (its assets).
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(assets::index)).route("/console/{file}", get(assets::asset))
}
