//! Everything a request handler needs, as plain data: the configuration, the database, the signing keys, the blob
//! store and the district policy. Opened once at start (`app::start`).

use ruhu_core::policy::Policy;
use std::{
    collections::HashMap,
    ops::Deref,
    sync::{Arc, Mutex},
};

use crate::{
    access::jwt::JwtKeys,
    app::config::ServerConfig,
    store::{blobs::BlobStore, db::Db},
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: ServerConfig,
    pub db: Db,
    pub jwt: JwtKeys,
    pub blobs: BlobStore,
    /// The district policy, validated at start.
    pub policy: Policy,
    /// One PATCH at a time per upload (partial files live on this replica's disk).
    upload_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The state made of its parts (see `app::start::open_state`, which opens them).
    pub fn new(config: ServerConfig, db: Db, jwt: JwtKeys, blobs: BlobStore, policy: Policy) -> Self {
        AppState(Arc::new(Inner { config, db, jwt, blobs, policy, upload_locks: Mutex::new(HashMap::new()) }))
    }

    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    pub fn upload_lock(&self, sha256: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.upload_locks.lock().unwrap_or_else(|p| p.into_inner());
        // Forget locks nobody holds any more, so the map does not grow forever.
        locks.retain(|_, l| Arc::strong_count(l) > 1);
        locks.entry(sha256.to_string()).or_default().clone()
    }

    pub async fn close(&self) {
        self.0.db.close().await;
    }
}
