//! The console's files, embedded at compile time. Served with a strict content security policy: the pages load
//! nothing but their own scripts and styles, and images only from the server or blob URLs made from its replies.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{app::state::AppState, store::error::ApiError};

const INDEX_HTML: &str = include_str!("../../console/index.html");

/// (file name, content type, bytes)
const FILES: [(&str, &str, &str); 3] = [
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../console/app.js")),
    ("workflow.js", "text/javascript; charset=utf-8", include_str!("../../console/workflow.js")),
    ("app.css", "text/css; charset=utf-8", include_str!("../../console/app.css")),
];

/// The policy; images may also come from the configured map tile provider's origin (and nowhere else).
fn csp(state: &AppState) -> String {
    let tiles = state.config.map_tiles.as_ref().map(|t| format!(" {}", t.origin)).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:{tiles}; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

fn with_headers(state: &AppState, content_type: &'static str, body: &'static str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(policy) = HeaderValue::from_str(&csp(state)) {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // The assets change with the binary; revalidating is cheap on a LAN and avoids a stale console after an upgrade.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

pub async fn index(State(state): State<AppState>) -> Response {
    with_headers(&state, "text/html; charset=utf-8", INDEX_HTML)
}

pub async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => with_headers(&state, content_type, body),
        None => ApiError::new(StatusCode::NOT_FOUND, "not_found", "请求的地址不存在").into_response(),
    }
}
