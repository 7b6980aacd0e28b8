//! Plain owned types the engine hands out (easy for uniffi to wrap).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::geo::LatLon;
use crate::protocol::{AssignmentSnapshot, SubmissionReceipt};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceConfig {
    /// Folder owned by the engine: the database and the `media/` folder live here.
    pub data_dir: String,
    /// 32 random bytes from the platform keystore.
    pub db_key: Vec<u8>,
    /// e.g. "https://ruhu.example.gov.cn" (no trailing `/api/v1`).
    pub server_url: String,
    /// Stable per installation.
    pub device_id: String,
    pub device_name: Option<String>,
    pub app_version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftState {
    Open,
    Finalised,
}

impl DraftState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Finalised => "finalised",
        }
    }
    pub(crate) fn parse(s: &str) -> Self {
        if s == "finalised" { Self::Finalised } else { Self::Open }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DraftSummary {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub form_id: String,
    pub form_version: u32,
    pub state: DraftState,
    pub started_at: DateTime<Utc>,
    pub finalised_at: Option<DateTime<Utc>>,
    pub submission_id: Option<Uuid>,
    pub answered: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Finalised, not yet accepted by the server.
    Pending,
    /// Accepted; the server still waits for some photos or signatures.
    AwaitingMedia,
    /// Merged into the case on the server.
    Sent,
    /// Refused by the server; `last_error` says why (in Chinese). Not retried.
    Rejected,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::AwaitingMedia => "awaiting_media",
            Self::Sent => "sent",
            Self::Rejected => "rejected",
        }
    }
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "awaiting_media" => Self::AwaitingMedia,
            "sent" => Self::Sent,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pending => "待上传",
            Self::AwaitingMedia => "照片上传中",
            Self::Sent => "已提交",
            Self::Rejected => "被退回",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub submission_id: Uuid,
    pub draft_id: Uuid,
    pub assignment_id: Uuid,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error_code: Option<String>,
    /// zh-CN, as the server said it.
    pub last_error: Option<String>,
    pub receipt: Option<SubmissionReceipt>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An assignment with what this phone has done about it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalAssignment {
    pub assignment: AssignmentSnapshot,
    /// The newest draft (open or finalised), if any.
    pub draft: Option<DraftSummary>,
    /// The newest finalised submission of this assignment, if any.
    pub outbox: Option<OutboxEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhotoInfo {
    pub sha256: String,
    pub size: u64,
    pub width: u32,
    pub height: u32,
    pub taken_at: Option<DateTime<Utc>>,
    /// Where the camera said the photo was taken; kept as data, removed from the file.
    pub exif_location: Option<LatLon>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedSubmission {
    pub submission_id: Uuid,
    pub assignment_id: Uuid,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Submissions sent (first pushes and replays).
    pub pushed: u32,
    /// Submissions now merged into their case.
    pub merged: u32,
    pub rejected: Vec<RejectedSubmission>,
    pub uploaded_bytes: u64,
    pub chunks_sent: u32,
    /// Media files fully on the server after this sync.
    pub media_uploaded: u32,
    pub pages_pulled: u32,
    pub changes_applied: u32,
    pub deleted_assignments: u32,
    pub round_trips: u32,
    pub bytes_received: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// tus PATCH size.
    pub chunk_size: u64,
    /// `limit` of each pull page.
    pub page_limit: u32,
    /// Stop (as if cancelled) after this many chunks: lets a test interrupt an upload half-way.
    pub max_chunks: Option<u32>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self { chunk_size: 256 * 1024, page_limit: 200, max_chunks: None }
    }
}

/// Called from the sync task; the app posts to its UI thread.
pub trait SyncProgress: Send + Sync {
    fn on_page(&self, pages_done: u32, changes_applied: u32);
    fn on_upload_chunk(&self, sha256: String, bytes_sent: u64, total_bytes: u64);
}

/// Progress nobody listens to.
pub struct NoProgress;

impl SyncProgress for NoProgress {
    fn on_page(&self, _: u32, _: u32) {}
    fn on_upload_chunk(&self, _: String, _: u64, _: u64) {}
}

/// Shared flag checked between pages and chunks.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}
