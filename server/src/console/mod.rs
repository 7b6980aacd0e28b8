//! The web console: a small single-page app served by the server itself (every asset compiled into the binary, no
//! CDN, no build step) over the same API and scoping as the phones (the API it uses is in `desk`).

mod assets;

use axum::{Router, routing::get};

use crate::app::state::AppState;

/// `/` (the console) and `/console/*` (its assets).
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(assets::index)).route("/console/{file}", get(assets::asset))
}
