//! The sync client over real HTTP on 127.0.0.1 against a small stand-in server (axum) that speaks the v1 contract:
//! login/refresh with rotating tokens, paged pull, idempotent submissions, tus uploads with sha256 checksums.
//! The end-to-end suite in `tests/` runs the same client against the real ruhu-server.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{head, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::Duration;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::tests::*;
use super::*;
use crate::protocol::*;
use crate::roles::Role;

#[derive(Default)]
struct Fake {
    access: HashSet<String>,
    refresh: String,
    issued: u32,
    refreshes: u32,
    /// Answer every bearer request with 401 token_expired once.
    expire_access: bool,
    revoked: bool,
    changes: Vec<Change>,
    cancelled: HashSet<Uuid>,
    refuse_protocol: bool,
    submissions: HashMap<Uuid, String>,
    /// sha → (declared length, bytes so far)
    uploads: HashMap<String, (u64, Vec<u8>)>,
    /// Every PATCH as (sha, offset, len), to prove no chunk is sent twice.
    patches: Vec<(String, u64, usize)>,
    user: Option<UserInfo>,
}

type Shared = Arc<Mutex<Fake>>;

fn problem(status: u16, code: &str, message: &str) -> Response {
    let body = Problem { status, code: code.into(), message: message.into(), field: None, details: None };
    (StatusCode::from_u16(status).unwrap(), [("content-type", "application/problem+json")], Json(body)).into_response()
}

fn tokens(f: &mut Fake) -> TokenResponse {
    f.issued += 1;
    let access = format!("access-{}", f.issued);
    f.access.insert(access.clone());
    f.refresh = format!("refresh-{}", f.issued);
    TokenResponse {
        access_token: access,
        access_expires_at: crate::time::process_clock().now() + Duration::minutes(15),
        refresh_token: f.refresh.clone(),
        refresh_expires_at: crate::time::process_clock().now() + Duration::days(30),
        user: f.user.clone().unwrap(),
    }
}

/// Bearer check shared by every protected route.
fn authorize(f: &mut Fake, headers: &HeaderMap) -> Result<(), Box<Response>> {
    if headers.get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()) != Some("1") {
        return Err(Box::new(problem(400, "protocol_version", "协议版本不受支持")));
    }
    if f.revoked {
        return Err(Box::new(problem(401, "device_revoked", "此设备已被停用")));
    }
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    if f.expire_access {
        f.expire_access = false;
        f.access.clear();
    }
    if !f.access.contains(token) {
        return Err(Box::new(problem(401, "token_expired", "登录已过期")));
    }
    Ok(())
}

async fn login(State(s): State<Shared>, Json(req): Json<LoginRequest>) -> Response {
    let mut f = s.lock().unwrap();
    if req.password != "secret" || req.device_id.is_empty() {
        return problem(401, "invalid_credentials", "用户名或密码错误");
    }
    Json(tokens(&mut f)).into_response()
}

async fn refresh(State(s): State<Shared>, Json(req): Json<RefreshRequest>) -> Response {
    let mut f = s.lock().unwrap();
    if req.refresh_token != f.refresh {
        return problem(401, "refresh_reused", "登录已失效，请重新登录");
    }
    f.refreshes += 1;
    Json(tokens(&mut f)).into_response()
}

#[derive(serde::Deserialize)]
struct PullQuery {
    since: i64,
    limit: usize,
}

async fn pull(State(s): State<Shared>, headers: HeaderMap, Query(q): Query<PullQuery>) -> Response {
    let mut f = s.lock().unwrap();
    if let Err(r) = authorize(&mut f, &headers) {
        return *r;
    }
    let after: Vec<Change> = f.changes.iter().filter(|c| c.seq > q.since).cloned().collect();
    let page: Vec<Change> = after.iter().take(q.limit).cloned().collect();
    let next_cursor = page.last().map_or(q.since, |c| c.seq);
    Json(PullPage { has_more: after.len() > page.len(), next_cursor, changes: page }).into_response()
}

async fn submit(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut f = s.lock().unwrap();
    if let Err(r) = authorize(&mut f, &headers) {
        return *r;
    }
    let Ok(sub) = serde_json::from_slice::<VisitSubmission>(&body) else { return problem(422, "invalid_submission", "提交内容无效") };
    if f.refuse_protocol {
        return problem(400, "unsupported_protocol", "应用版本过旧或过新，请更新应用后重试");
    }
    if f.cancelled.contains(&sub.assignment_id) {
        return problem(409, "assignment_cancelled", "该调查任务已取消，本次调查未被采用");
    }
    let hash = submission_content_hash(&sub);
    if f.submissions.get(&sub.id).is_some_and(|h| *h != hash) {
        return problem(409, "submission_conflict", "同一编号的调查内容不一致");
    }
    f.submissions.insert(sub.id, hash);
    let needed = sub.media.iter().map(|m| m.sha256.clone()).chain(sub.signatures.iter().map(|s| s.media_sha256.clone()));
    let mut missing: Vec<String> = needed.filter(|sha| f.uploads.get(sha).is_none_or(|(len, b)| b.len() as u64 != *len)).collect();
    missing.sort();
    missing.dedup();
    let state = if missing.is_empty() { SubmissionState::Merged } else { SubmissionState::AwaitingMedia };
    Json(SubmissionReceipt { submission_id: sub.id, case_id: Uuid::nil(), state, missing_media: missing, conflicts: vec![] }).into_response()
}

fn tus_headers(offset: u64, len: u64) -> [(&'static str, String); 3] {
    [("Tus-Resumable", "1.0.0".into()), ("Upload-Offset", offset.to_string()), ("Upload-Length", len.to_string())]
}

async fn tus_create(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let mut f = s.lock().unwrap();
    if let Err(r) = authorize(&mut f, &headers) {
        return *r;
    }
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let len: u64 = h("Upload-Length").parse().unwrap_or(0);
    let meta = h("Upload-Metadata");
    let sha = meta
        .split(',')
        .find_map(|kv| kv.trim().strip_prefix("sha256 "))
        .and_then(|b| B64.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    assert!(meta.contains("content_type "), "content type in metadata");
    f.uploads.entry(sha.clone()).or_insert((len, Vec::new()));
    (StatusCode::CREATED, [("Location", format!("/api/v1/uploads/{sha}")), ("Tus-Resumable", "1.0.0".into())]).into_response()
}

async fn tus_head(State(s): State<Shared>, headers: HeaderMap, UrlPath(sha): UrlPath<String>) -> Response {
    let mut f = s.lock().unwrap();
    if let Err(r) = authorize(&mut f, &headers) {
        return *r;
    }
    match f.uploads.get(&sha) {
        Some((len, b)) => (StatusCode::OK, tus_headers(b.len() as u64, *len)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn tus_patch(State(s): State<Shared>, headers: HeaderMap, UrlPath(sha): UrlPath<String>, body: Bytes) -> Response {
    let mut f = s.lock().unwrap();
    if let Err(r) = authorize(&mut f, &headers) {
        return *r;
    }
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let offset: u64 = h("Upload-Offset").parse().unwrap_or(u64::MAX);
    let expected = format!("sha256 {}", B64.encode(Sha256::digest(&body)));
    if h("Upload-Checksum") != expected {
        return StatusCode::from_u16(460).unwrap().into_response();
    }
    f.patches.push((sha.clone(), offset, body.len()));
    let Some((len, bytes)) = f.uploads.get_mut(&sha) else { return StatusCode::NOT_FOUND.into_response() };
    if offset != bytes.len() as u64 {
        return problem(409, "offset_mismatch", "上传位置不一致");
    }
    bytes.extend_from_slice(&body);
    let (now, len) = (bytes.len() as u64, *len);
    if now == len {
        assert_eq!(media::sha256_hex(bytes), sha, "uploaded bytes hash to their name");
    }
    (StatusCode::NO_CONTENT, tus_headers(now, len)).into_response()
}

async fn serve(fake: Shared) -> String {
    let app = Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/sync/pull", axum::routing::get(pull))
        .route("/api/v1/sync/submissions", post(submit))
        .route("/api/v1/uploads", post(tus_create))
        .route("/api/v1/uploads/{sha}", head(tus_head).patch(tus_patch))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn user() -> UserInfo {
    UserInfo {
        id: Uuid::new_v4(),
        username: "wangmin".into(),
        display_name: "王敏".into(),
        roles: vec![Role::Investigator],
        org_unit_code: "520111100".into(),
        org_unit_name: "青岩镇".into(),
    }
}

#[derive(Default)]
struct Recorder {
    pages: Mutex<Vec<(u32, u32)>>,
    chunks: Mutex<Vec<(String, u64, u64)>>,
}

impl SyncProgress for Recorder {
    fn on_page(&self, pages_done: u32, changes_applied: u32) {
        self.pages.lock().unwrap().push((pages_done, changes_applied));
    }
    fn on_upload_chunk(&self, sha256: String, bytes_sent: u64, total_bytes: u64) {
        self.chunks.lock().unwrap().push((sha256, bytes_sent, total_bytes));
    }
}

async fn setup() -> (tempfile::TempDir, tempfile::TempDir, Shared, Device) {
    let fake: Shared = Arc::new(Mutex::new(Fake { user: Some(user()), ..Default::default() }));
    let url = serve(fake.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.server_url = url;
    let device = Device::open(cfg).unwrap();
    assert_eq!(device.login("wangmin", "wrong").await.unwrap_err().message_zh(), "用户名或密码错误");
    let me = device.login("wangmin", "secret").await.unwrap();
    assert_eq!(device.session().unwrap(), Some(me));
    (dir, files, fake, device)
}

fn add_changes(fake: &Shared, records: Vec<ChangeRecord>) {
    let mut f = fake.lock().unwrap();
    for record in records {
        let seq = f.changes.last().map_or(100, |c| c.seq + 7);
        f.changes.push(Change { seq, record });
    }
}

#[tokio::test]
async fn pull_push_and_an_interrupted_upload_that_resumes_without_resending() {
    let (dir, files, fake, device) = setup().await;
    let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    add_changes(&fake, ids.iter().map(|id| upsert(assignment(*id))).collect());

    let progress = Arc::new(Recorder::default());
    let opts = SyncOptions { page_limit: 2, ..Default::default() };
    let report = device.sync_with(progress.clone(), CancelToken::new(), opts.clone()).await.unwrap();
    assert_eq!((report.pages_pulled, report.changes_applied), (3, 5));
    assert_eq!(*progress.pages.lock().unwrap(), vec![(1, 2), (2, 4), (3, 5)]);
    assert_eq!(device.assignments().unwrap().len(), 5);
    let cursor = device.sync_cursor().unwrap();
    assert_eq!(cursor, fake.lock().unwrap().changes.last().unwrap().seq);
    assert!(report.round_trips >= 3 && report.bytes_received > 0);

    // Nothing new: one page, nothing applied, the cursor stays.
    let again = device.sync_with(Arc::new(NoProgress), CancelToken::new(), opts).await.unwrap();
    assert_eq!((again.pages_pulled, again.changes_applied, again.pushed), (1, 0, 0));

    let draft = device.start_draft(ids[0]).unwrap();
    complete_visit(&device, draft, files.path());
    let big = jpeg(1200, 900);
    let photo = device.import_photo(draft, "photos_outside", &write_file(files.path(), "big.jpg", &big)).unwrap();
    let sub = device.finalise(draft).unwrap();

    // Interrupted after 3 chunks of 8 KiB.
    let small_chunks = SyncOptions { chunk_size: 8 * 1024, page_limit: 50, max_chunks: Some(3) };
    let err = device.sync_with(Arc::new(NoProgress), CancelToken::new(), small_chunks.clone()).await.unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_eq!(device.outbox().unwrap()[0].state, OutboxState::AwaitingMedia);
    let sent_before = fake.lock().unwrap().patches.len();
    assert_eq!(sent_before, 3);

    let progress = Arc::new(Recorder::default());
    let resumed = device.sync_with(progress.clone(), CancelToken::new(), SyncOptions { max_chunks: None, ..small_chunks }).await.unwrap();
    assert_eq!((resumed.pushed, resumed.merged), (2, 1), "replayed once, then merged");
    let entry = &device.outbox().unwrap()[0];
    assert_eq!((entry.submission_id, entry.state), (sub, OutboxState::Sent));
    assert_eq!(entry.receipt.as_ref().unwrap().state, SubmissionState::Merged);

    let f = fake.lock().unwrap();
    let mut seen = HashSet::new();
    for (sha, offset, _) in &f.patches {
        assert!(seen.insert((sha.clone(), *offset)), "chunk {sha}@{offset} was sent twice");
    }
    // Every blob of the visit (photos and signatures) is complete on the server and hashes to its name.
    let s = device.submission(sub).unwrap();
    for sha in s.media.iter().map(|m| &m.sha256).chain(s.signatures.iter().map(|s| &s.media_sha256)) {
        let (len, bytes) = &f.uploads[sha];
        assert_eq!(bytes.len() as u64, *len);
    }
    assert!(s.media.iter().any(|m| m.sha256 == photo.sha256));
    let total: u64 = f.uploads.values().map(|(len, _)| *len).sum();
    assert_eq!(resumed.uploaded_bytes + (f.patches[..sent_before].iter().map(|p| p.2 as u64).sum::<u64>()), total);
    assert_eq!(resumed.chunks_sent as usize, f.patches.len() - sent_before);
    let chunks = progress.chunks.lock().unwrap();
    assert_eq!(chunks.len(), resumed.chunks_sent as usize);
    assert!(chunks.iter().all(|(_, sent, total)| sent <= total));
    drop(f);
    drop(dir);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_new_refresh_token_kept() {
    let (dir, _files, fake, device) = setup().await;
    add_changes(&fake, vec![upsert(assignment(Uuid::new_v4()))]);
    fake.lock().unwrap().expire_access = true;
    let report = device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert_eq!(report.changes_applied, 1);
    assert_eq!(fake.lock().unwrap().refreshes, 1);
    // The rotated token is the one stored: a second expiry refreshes again without a reuse error.
    fake.lock().unwrap().expire_access = true;
    device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert_eq!(fake.lock().unwrap().refreshes, 2);
    // A refresh token the server no longer accepts means logging in again; local data stays.
    fake.lock().unwrap().refresh = "something-else".into();
    fake.lock().unwrap().expire_access = true;
    let err = device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap_err();
    assert_eq!(err.code(), "not_logged_in");
    assert_eq!(device.session().unwrap(), None);
    assert_eq!(device.assignments().unwrap().len(), 1);
    drop(dir);
}

#[tokio::test]
async fn a_refused_visit_is_kept_with_the_server_message_and_not_retried() {
    let (dir, files, fake, device) = setup().await;
    let id = Uuid::new_v4();
    add_changes(&fake, vec![upsert(assignment(id))]);
    device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    let draft = device.start_draft(id).unwrap();
    complete_visit(&device, draft, files.path());
    let sub = device.finalise(draft).unwrap();
    // Not a verdict on the visit: it stays pending with the message.
    fake.lock().unwrap().refuse_protocol = true;
    let report = device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert!(report.rejected.is_empty());
    let entry = &device.outbox().unwrap()[0];
    assert_eq!(entry.state, OutboxState::Pending);
    assert_eq!(entry.last_error_code.as_deref(), Some("unsupported_protocol"));
    fake.lock().unwrap().refuse_protocol = false;
    fake.lock().unwrap().cancelled.insert(id);

    let report = device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].code, "assignment_cancelled");
    let entry = &device.outbox().unwrap()[0];
    assert_eq!((entry.submission_id, entry.state), (sub, OutboxState::Rejected));
    assert_eq!(entry.last_error.as_deref(), Some("该调查任务已取消，本次调查未被采用"));
    let next = device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert_eq!(next.pushed, 0, "a refused visit is not sent again");
    // A new visit may be started after a refusal.
    assert!(device.start_draft(id).is_ok());

    // The server takes the assignment away: everything of it leaves the phone.
    add_changes(&fake, vec![ChangeRecord::AssignmentDelete { id }]);
    let report = device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert_eq!(report.deleted_assignments, 1);
    assert!(device.outbox().unwrap().is_empty());
    assert!(device.assignments().unwrap().is_empty());
    assert_eq!(std::fs::read_dir(dir.path().join("media")).unwrap().count(), 0);
}

#[tokio::test]
async fn a_revoked_device_wipes_itself() {
    let (dir, files, fake, device) = setup().await;
    let id = Uuid::new_v4();
    add_changes(&fake, vec![upsert(assignment(id))]);
    device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    let draft = device.start_draft(id).unwrap();
    device.import_photo(draft, "photos_outside", &write_file(files.path(), "p.jpg", &jpeg(64, 64))).unwrap();
    fake.lock().unwrap().revoked = true;
    let err = device.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap_err();
    assert_eq!(err.code(), "device_revoked");
    assert!(err.message_zh().contains("已清除"));
    assert!(device.is_wiped());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(device.assignments().unwrap_err().code(), "wiped");
}

#[tokio::test]
async fn cancelling_stops_between_pages_and_keeps_what_was_applied() {
    let (dir, _files, fake, device) = setup().await;
    add_changes(&fake, (0..6).map(|_| upsert(assignment(Uuid::new_v4()))).collect());
    struct CancelAfterFirstPage(CancelToken);
    impl SyncProgress for CancelAfterFirstPage {
        fn on_page(&self, _: u32, _: u32) {
            self.0.cancel();
        }
        fn on_upload_chunk(&self, _: String, _: u64, _: u64) {}
    }
    let cancel = CancelToken::new();
    let opts = SyncOptions { page_limit: 2, ..Default::default() };
    let err = device.sync_with(Arc::new(CancelAfterFirstPage(cancel.clone())), cancel, opts.clone()).await.unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_eq!(device.assignments().unwrap().len(), 2, "the first page stays applied");
    let report = device.sync_with(Arc::new(NoProgress), CancelToken::new(), opts).await.unwrap();
    assert_eq!(report.changes_applied, 4, "resumes from the stored cursor, not from zero");
    drop(dir);
}
