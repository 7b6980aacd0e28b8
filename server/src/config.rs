//! Server configuration: where it listens, where it keeps data, how long tokens live, how big bodies may be.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Holds the SQLite database (by default), the JWT signing key, blobs and partial uploads.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; None means the SQLite file `<data_dir>/ruhu.db`.
    pub database_url: Option<String>,
    /// Seed the clearly marked demo org units, accounts and households on start.
    pub demo: bool,
    /// The district policy file (TOML, docs/policy.md); None means Huaxi's bundled policy.
    pub policy_file: Option<PathBuf>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long after a refresh token was rotated it may be presented again (the reply was lost) without being
    /// treated as stolen, provided its successor has not been used yet.
    pub refresh_grace: Duration,
    /// Largest JSON request body.
    pub json_body_limit: usize,
    /// Largest tus PATCH chunk.
    pub upload_chunk_limit: usize,
    /// Largest whole upload (advertised as Tus-Max-Size).
    pub upload_max_size: u64,
    /// Unfinished uploads are discarded after this long (tus expiration extension).
    pub upload_expiry: Duration,
}

impl ServerConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            database_url: None,
            demo: false,
            policy_file: None,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_grace: Duration::from_secs(60),
            json_body_limit: 2 * 1024 * 1024,
            upload_chunk_limit: 8 * 1024 * 1024,
            upload_max_size: 64 * 1024 * 1024,
            upload_expiry: Duration::from_secs(7 * 24 * 3600),
        }
    }

    /// The database URL actually used.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("ruhu.db").display()),
        }
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    pub fn signing_key_path(&self) -> PathBuf {
        self.data_dir.join("jwt-signing.key")
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self::new("ruhu-data")
    }
}
