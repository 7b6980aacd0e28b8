//! The server as a whole: the HTTP router with its middleware (`app(state) -> Router`), and `spawn`, which opens
//! the state and serves it on a listener with a handle that shuts down gracefully (so tests can stop and restart a
//! server on the same data).

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Request},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use ruhu_core::protocol::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::{compression::CompressionLayer, decompression::RequestDecompressionLayer, trace::TraceLayer};

use super::{config::ServerConfig, demo, openapi, start, state::AppState};
use crate::{
    console,
    store::error::{ApiError, Result},
};

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "请求的地址不存在")
}

/// Refuses devices that speak a protocol version this server does not (absent header: accepted).
async fn check_protocol(req: Request, next: Next) -> Response {
    if let Some(v) = req.headers().get(PROTOCOL_HEADER) {
        let supported = v.to_str().ok().and_then(|s| s.trim().parse::<u32>().ok()) == Some(PROTOCOL_VERSION);
        if !supported {
            return ApiError::new(StatusCode::BAD_REQUEST, "unsupported_protocol", "应用版本过旧或过新，请更新应用后重试")
                .with_details(serde_json::json!({ "supported": PROTOCOL_VERSION }))
                .into_response();
        }
    }
    next.run(req).await
}

/// The whole HTTP API.
pub fn app(state: AppState) -> Router {
    let (router, api) = openapi::router(state.config.upload_chunk_limit).split_for_parts();
    let api = Arc::new(api);
    router
        .route("/api/v1/openapi.json", get(move || async move { Json(api.as_ref().clone()) }))
        .merge(console::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.config.json_body_limit))
        .layer(middleware::from_fn(check_protocol))
        .layer(CompressionLayer::new())
        .layer(RequestDecompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A server running on a background task.
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, lets requests in flight finish (up to 10 s), then closes the database pool.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(10), &mut self.task).await.is_err() {
            tracing::warn!("graceful shutdown timed out; aborting open connections");
            abort.abort();
        }
        self.state.close().await;
    }
}

/// Opens the state (seeding demo data when configured) and serves the API on `listener`.
pub async fn spawn(config: ServerConfig, listener: TcpListener) -> Result<RunningServer> {
    let state = start::open_state(&config).await?;
    if config.demo {
        demo::seed_demo(&state).await?;
    }
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let router = app(state.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(%addr, "ruhu-server listening");
    Ok(RunningServer { addr, state, stop: Some(stop), task })
}
