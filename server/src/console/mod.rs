//! The web console: a small single-page app served by the server itself (every asset compiled into the binary, no
//! CDN, no build step) over the same API and scoping as the phones, plus the read-only form endpoint it needs to
//! label a visit's answers.

mod assets;
mod forms_api;

use axum::{Router, routing::get};

use crate::state::AppState;

/// `/` (the console), `/console/*` (its assets) and `GET /api/v1/forms/{id}/{version}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(assets::index))
        .route("/console/{file}", get(assets::asset))
        .route("/api/v1/forms/{id}/{version}", get(forms_api::get))
}
