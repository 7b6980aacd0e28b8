//! Blob storage: finished files in an `object_store` (a local folder by default; any S3-compatible store fits the
//! same trait), keyed by sha256; unfinished tus uploads as plain files in the upload folder.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use axum::body::Bytes;
use object_store::{GetResult, ObjectStore, ObjectStoreExt, PutPayload, local::LocalFileSystem, path::Path as ObjectPath};

use crate::store::error::Result;

pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    upload_dir: PathBuf,
}

impl BlobStore {
    pub fn open(blob_dir: &Path, upload_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(blob_dir)?;
        std::fs::create_dir_all(upload_dir)?;
        let store = LocalFileSystem::new_with_prefix(blob_dir)?;
        Ok(Self { store: Arc::new(store), upload_dir: upload_dir.to_path_buf() })
    }

    /// "ab/abcdef…": two-character fan-out keeps folders small.
    fn location(sha256: &str) -> ObjectPath {
        ObjectPath::from(format!("{}/{}", &sha256[..2.min(sha256.len())], sha256))
    }

    pub async fn put(&self, sha256: &str, bytes: Bytes) -> Result<()> {
        self.store.put(&Self::location(sha256), PutPayload::from(bytes)).await?;
        Ok(())
    }

    pub async fn get(&self, sha256: &str) -> Result<GetResult> {
        Ok(self.store.get(&Self::location(sha256)).await?)
    }

    pub fn partial_path(&self, sha256: &str) -> PathBuf {
        self.upload_dir.join(format!("{sha256}.part"))
    }
}
