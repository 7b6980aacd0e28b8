//! Long-running sync: the app starts it, shows progress per page and per upload chunk, and may cancel it.

use std::sync::{Arc, Mutex};

use ruhu_core::device::{CancelToken, SyncProgress};
use tokio::sync::oneshot;

use crate::error::RuhuError;
use crate::records::SyncSummary;

/// Implemented by the app; called from a background thread (post to the UI thread yourself).
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    fn on_page(&self, pages_done: u32, changes_applied: u32);
    fn on_upload_chunk(&self, sha256: String, bytes_sent: u64, total_bytes: u64);
}

pub(crate) struct ListenerProgress(pub Arc<dyn SyncListener>);

impl SyncProgress for ListenerProgress {
    fn on_page(&self, pages_done: u32, changes_applied: u32) {
        self.0.on_page(pages_done, changes_applied);
    }
    fn on_upload_chunk(&self, sha256: String, bytes_sent: u64, total_bytes: u64) {
        self.0.on_upload_chunk(sha256, bytes_sent, total_bytes);
    }
}

#[derive(uniffi::Object)]
pub struct SyncHandle {
    cancel: CancelToken,
    result: Mutex<Option<oneshot::Receiver<Result<SyncSummary, RuhuError>>>>,
}

impl SyncHandle {
    pub(crate) fn new(cancel: CancelToken, result: oneshot::Receiver<Result<SyncSummary, RuhuError>>) -> Self {
        Self { cancel, result: Mutex::new(Some(result)) }
    }
}

#[uniffi::export]
impl SyncHandle {
    /// Stops at the next page or chunk boundary; what was applied stays applied and the next sync resumes from there.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Waits for the sync to end. Can be awaited once.
    pub async fn wait(&self) -> Result<SyncSummary, RuhuError> {
        let receiver = self.result.lock().unwrap_or_else(|p| p.into_inner()).take();
        let receiver =
            receiver.ok_or_else(|| RuhuError::Failed { code: "already_awaited".into(), message: "同步结果已被读取".into(), field: None })?;
        receiver.await.map_err(|_| RuhuError::Internal { message: "同步任务异常结束".into() })?
    }
}
