//! Everything a request handler needs, opened once at start.

use ruhu_core::policy::Policy;
use std::{
    collections::HashMap,
    ops::Deref,
    sync::{Arc, Mutex},
};

use crate::{
    auth::jwt::JwtKeys,
    blobs::BlobStore,
    config::ServerConfig,
    db::{Db, redact_url},
    error::Result,
    forms, org, policy,
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
    /// Loads the policy (a broken policy file stops here, before anything is touched), connects and migrates the
    /// database, seeds the org tree, the built-in forms and the bundled calendar years, loads (or creates) the JWT
    /// signing key and opens the blob store.
    pub async fn open(config: &ServerConfig) -> Result<AppState> {
        let policy = policy::load_policy(config.policy_file.as_deref())?;
        std::fs::create_dir_all(&config.data_dir)?;
        let url = config.database_url();
        tracing::info!(database = %redact_url(&url), "opening database");
        let db = Db::connect(&url, config.clock).await?;
        db.migrate().await?;
        org::seed_district(&db).await?;
        forms::publish_builtin(&db).await?;
        policy::seed_bundled_calendar(&db).await?;
        let jwt = JwtKeys::load_or_create(&config.signing_key_path())?;
        let blobs = BlobStore::open(&config.blob_dir(), &config.upload_dir())?;
        Ok(AppState(Arc::new(Inner { config: config.clone(), db, jwt, blobs, policy, upload_locks: Mutex::new(HashMap::new()) })))
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
