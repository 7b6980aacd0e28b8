//! tus 1.0 uploads (core, creation, checksum with sha256, termination, expiration), content-addressed: the upload
//! URL is `/api/v1/uploads/{sha256}`, so a file the server already has is never sent again.
//!
//! Partial files live on this replica's disk; behind a load balancer, route one upload's requests to one replica
//! (or put the upload folder on shared storage).

use std::io::SeekFrom;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::Engine;
use chrono::{DateTime, Utc};
use ruhu_core::{
    form::is_sha256_hex,
    protocol::{Problem, TUS_VERSION},
};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::{
    access::caller::Caller,
    app::state::AppState,
    store::audit,
    store::db::{parse_ts, ts},
    store::error::{ApiError, ApiPath, ApiResult},
    sync::merge,
};

pub const TUS_EXTENSIONS: &str = "creation,checksum,termination,expiration";
const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");

fn err(status: StatusCode, code: &'static str, message: &str) -> ApiError {
    ApiError::new(status, code, message)
}

/// Every upload response carries `Tus-Resumable` (errors included).
pub async fn add_tus_header(mut res: Response) -> Response {
    res.headers_mut().insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    res
}

fn require_tus_version(headers: &HeaderMap) -> ApiResult<()> {
    if headers.get(&TUS_RESUMABLE).and_then(|v| v.to_str().ok()) == Some(TUS_VERSION) {
        return Ok(());
    }
    let mut e = err(StatusCode::PRECONDITION_FAILED, "tus_version_unsupported", "上传协议版本不受支持（需要 tus 1.0.0）");
    e.details = Some(json!({ "tus_version": TUS_VERSION }));
    Err(e)
}

fn header_u64(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn upload_id(raw: &str) -> ApiResult<String> {
    let id = raw.to_ascii_lowercase();
    if is_sha256_hex(&id) { Ok(id) } else { Err(err(StatusCode::NOT_FOUND, "unknown_upload", "上传任务不存在")) }
}

/// `key base64,key base64` → the decoded value of `key`.
fn metadata_value(headers: &HeaderMap, key: &str) -> Option<String> {
    let raw = headers.get("upload-metadata")?.to_str().ok()?;
    raw.split(',').find_map(|pair| {
        let mut parts = pair.trim().splitn(2, ' ');
        if parts.next()? != key {
            return None;
        }
        let encoded = parts.next().unwrap_or("");
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
        String::from_utf8(bytes).ok()
    })
}

fn offset_response(status: StatusCode, offset: u64, length: Option<u64>, expires: Option<DateTime<Utc>>) -> Response {
    let mut res = status.into_response();
    let h = res.headers_mut();
    h.insert(UPLOAD_OFFSET, HeaderValue::from(offset));
    if let Some(l) = length {
        h.insert(UPLOAD_LENGTH, HeaderValue::from(l));
    }
    if let Some(e) = expires.and_then(|e| HeaderValue::from_str(&http_date(e)).ok()) {
        h.insert(UPLOAD_EXPIRES, e);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

struct UploadRow {
    length: u64,
    offset: u64,
    content_type: String,
    expires_at: DateTime<Utc>,
}

async fn load_upload(state: &AppState, id: &str) -> ApiResult<Option<UploadRow>> {
    let row = sqlx::query("SELECT length, upload_offset, content_type, expires_at FROM uploads WHERE sha256 = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(UploadRow {
        length: row.try_get::<i64, _>("length")?.max(0) as u64,
        offset: row.try_get::<i64, _>("upload_offset")?.max(0) as u64,
        content_type: row.try_get("content_type")?,
        expires_at: parse_ts(&row.try_get::<String, _>("expires_at")?)?,
    }))
}

async fn stored_size(state: &AppState, id: &str) -> ApiResult<Option<u64>> {
    let row = sqlx::query("SELECT size FROM media_objects WHERE sha256 = $1").bind(id).fetch_optional(&state.db.pool).await?;
    Ok(row.map(|r| r.try_get::<i64, _>("size")).transpose()?.map(|s| s.max(0) as u64))
}

async fn discard(state: &AppState, id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM uploads WHERE sha256 = $1").bind(id).execute(&state.db.pool).await?;
    match tokio::fs::remove_file(state.blobs.partial_path(id)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Drops unfinished uploads past their expiry (tus expiration).
async fn purge_expired(state: &AppState) -> ApiResult<()> {
    let rows = sqlx::query("SELECT sha256 FROM uploads WHERE expires_at < $1").bind(ts(state.db.now())).fetch_all(&state.db.pool).await?;
    for r in rows {
        discard(state, &r.try_get::<String, _>("sha256")?).await?;
    }
    Ok(())
}

#[utoipa::path(options, path = "/api/v1/uploads", tag = "uploads",
    description = "tus discovery: version, extensions, maximum size, checksum algorithm.",
    responses((status = 204, description = "Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm headers")))]
pub async fn options(State(state): State<AppState>) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert("tus-version", HeaderValue::from_static(TUS_VERSION));
    h.insert("tus-extension", HeaderValue::from_static(TUS_EXTENSIONS));
    h.insert("tus-max-size", HeaderValue::from(state.config.upload_max_size));
    h.insert("tus-checksum-algorithm", HeaderValue::from_static("sha256"));
    res
}

#[utoipa::path(post, path = "/api/v1/uploads", tag = "uploads", security(("bearer" = [])),
    description = "tus creation. Headers: Upload-Length; Upload-Metadata with `sha256` (hex of the whole file) and \
                   `content_type`. 201 with Location `/api/v1/uploads/{sha256}` and Upload-Offset (= Upload-Length when \
                   the server already holds the file, so nothing is sent twice).",
    responses((status = 201, description = "Location, Upload-Offset, Upload-Expires"),
              (status = 400, body = Problem), (status = 412, body = Problem), (status = 413, body = Problem)))]
pub async fn create(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> ApiResult<Response> {
    require_tus_version(&headers)?;
    let length = header_u64(&headers, &UPLOAD_LENGTH)
        .ok_or_else(|| err(StatusCode::BAD_REQUEST, "invalid_upload", "缺少 Upload-Length（不支持延后声明长度）"))?;
    if length > state.config.upload_max_size {
        return Err(err(StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large", "文件超过允许的大小"));
    }
    if length == 0 {
        return Err(err(StatusCode::BAD_REQUEST, "invalid_upload", "文件不能为空"));
    }
    let sha = metadata_value(&headers, "sha256")
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| is_sha256_hex(s))
        .ok_or_else(|| err(StatusCode::BAD_REQUEST, "invalid_upload", "Upload-Metadata 须包含文件的 sha256"))?;
    let content_type = metadata_value(&headers, "content_type")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 100)
        .unwrap_or_else(|| "application/octet-stream".into());
    let location = format!("/api/v1/uploads/{sha}");
    let with_location = |mut res: Response| {
        if let Ok(v) = HeaderValue::from_str(&location) {
            res.headers_mut().insert(header::LOCATION, v);
        }
        res
    };

    if let Some(size) = stored_size(&state, &sha).await? {
        return Ok(with_location(offset_response(StatusCode::CREATED, size, Some(size), None)));
    }
    purge_expired(&state).await?;
    if let Some(up) = load_upload(&state, &sha).await? {
        if up.length != length {
            return Err(err(StatusCode::CONFLICT, "upload_length_mismatch", "同一文件的上传长度与进行中的上传不一致"));
        }
        return Ok(with_location(offset_response(StatusCode::CREATED, up.offset, Some(up.length), Some(up.expires_at))));
    }
    let now = state.db.now();
    let expires = now + chrono::Duration::from_std(state.config.upload_expiry).unwrap_or(chrono::Duration::days(7));
    tokio::fs::File::create(state.blobs.partial_path(&sha)).await?;
    sqlx::query(
        "INSERT INTO uploads (sha256, length, upload_offset, content_type, created_by, created_at, expires_at) VALUES ($1, $2, 0, $3, $4, $5, $6) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&sha)
    .bind(length as i64)
    .bind(&content_type)
    .bind(caller.user_id.to_string())
    .bind(ts(now))
    .bind(ts(expires))
    .execute(&state.db.pool)
    .await?;
    Ok(with_location(offset_response(StatusCode::CREATED, 0, Some(length), Some(expires))))
}

#[utoipa::path(head, path = "/api/v1/uploads/{sha256}", tag = "uploads", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "hex sha256 of the whole file")),
    description = "Where to resume: Upload-Offset and Upload-Length.",
    responses((status = 200, description = "Upload-Offset, Upload-Length, Cache-Control: no-store"), (status = 404, description = "unknown or expired")))]
pub async fn head(State(state): State<AppState>, _caller: Caller, headers: HeaderMap, ApiPath(raw): ApiPath<String>) -> ApiResult<Response> {
    require_tus_version(&headers)?;
    let id = upload_id(&raw)?;
    if let Some(size) = stored_size(&state, &id).await? {
        return Ok(offset_response(StatusCode::OK, size, Some(size), None));
    }
    match load_upload(&state, &id).await? {
        Some(up) if up.expires_at > state.db.now() => Ok(offset_response(StatusCode::OK, up.offset, Some(up.length), Some(up.expires_at))),
        Some(_) => {
            discard(&state, &id).await?;
            Err(err(StatusCode::NOT_FOUND, "unknown_upload", "上传任务已过期，请重新上传"))
        }
        None => Err(err(StatusCode::NOT_FOUND, "unknown_upload", "上传任务不存在")),
    }
}

fn chunk_checksum(headers: &HeaderMap) -> ApiResult<Option<Vec<u8>>> {
    let Some(raw) = headers.get("upload-checksum") else { return Ok(None) };
    let raw = raw.to_str().map_err(|_| err(StatusCode::BAD_REQUEST, "invalid_checksum", "Upload-Checksum 格式无效"))?;
    let (algo, value) = raw.trim().split_once(' ').ok_or_else(|| err(StatusCode::BAD_REQUEST, "invalid_checksum", "Upload-Checksum 格式无效"))?;
    if !algo.eq_ignore_ascii_case("sha256") {
        return Err(err(StatusCode::BAD_REQUEST, "checksum_algorithm_unsupported", "仅支持 sha256 校验"));
    }
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map(Some)
        .map_err(|_| err(StatusCode::BAD_REQUEST, "invalid_checksum", "Upload-Checksum 格式无效"))
}

async fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    let mut f = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[utoipa::path(patch, path = "/api/v1/uploads/{sha256}", tag = "uploads", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "hex sha256 of the whole file")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    description = "Appends a chunk at Upload-Offset. Optional Upload-Checksum `sha256 <base64>` of the chunk (460 and the \
                   chunk is discarded on mismatch). The last chunk is checked against the whole-file sha256 (422 \
                   `media_hash_mismatch`, upload discarded).",
    responses((status = 204, description = "Upload-Offset"), (status = 409, body = Problem, description = "upload_offset_mismatch"),
              (status = 415, body = Problem), (status = 422, body = Problem, description = "media_hash_mismatch"),
              (status = 460, body = Problem, description = "checksum_mismatch")))]
#[tracing::instrument(name = "upload", skip_all, fields(sha256 = %raw, user = %caller.username))]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiPath(raw): ApiPath<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    require_tus_version(&headers)?;
    let id = upload_id(&raw)?;
    if headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) != Some("application/offset+octet-stream") {
        return Err(err(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "上传内容须使用 application/offset+octet-stream"));
    }
    let claimed = header_u64(&headers, &UPLOAD_OFFSET).ok_or_else(|| err(StatusCode::BAD_REQUEST, "invalid_upload", "缺少 Upload-Offset"))?;
    let checksum = chunk_checksum(&headers)?;
    let chunk = body?;

    let lock = state.upload_lock(&id);
    let _held = lock.lock().await;
    if let Some(size) = stored_size(&state, &id).await? {
        // Already complete (e.g. another device sent the same file): nothing more to write.
        return if claimed == size {
            Ok(offset_response(StatusCode::NO_CONTENT, size, None, None))
        } else {
            Err(err(StatusCode::CONFLICT, "upload_offset_mismatch", "上传位置与服务器不一致，请先查询进度"))
        };
    }
    let up = load_upload(&state, &id).await?.ok_or_else(|| err(StatusCode::NOT_FOUND, "unknown_upload", "上传任务不存在"))?;
    if up.expires_at <= state.db.now() {
        discard(&state, &id).await?;
        return Err(err(StatusCode::GONE, "upload_expired", "上传任务已过期，请重新上传"));
    }
    if claimed != up.offset {
        return Err(err(StatusCode::CONFLICT, "upload_offset_mismatch", "上传位置与服务器不一致，请先查询进度"));
    }
    if up.offset + chunk.len() as u64 > up.length {
        return Err(err(StatusCode::BAD_REQUEST, "upload_exceeds_length", "上传内容超过声明的文件长度"));
    }
    if let Some(expected) = checksum
        && Sha256::digest(&chunk)[..] != expected[..]
    {
        return Err(err(StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST), "checksum_mismatch", "数据块校验失败，请重新发送该数据块"));
    }

    let path = state.blobs.partial_path(&id);
    let mut file = tokio::fs::OpenOptions::new().write(true).create(true).truncate(false).open(&path).await?;
    // The database offset is the truth: drop anything a crashed earlier PATCH left beyond it.
    file.set_len(up.offset).await?;
    file.seek(SeekFrom::Start(up.offset)).await?;
    file.write_all(&chunk).await?;
    file.sync_data().await?;
    drop(file);
    let new_offset = up.offset + chunk.len() as u64;
    sqlx::query("UPDATE uploads SET upload_offset = $1 WHERE sha256 = $2").bind(new_offset as i64).bind(&id).execute(&state.db.pool).await?;
    if new_offset < up.length {
        return Ok(offset_response(StatusCode::NO_CONTENT, new_offset, None, Some(up.expires_at)));
    }

    if file_sha256(&path).await? != id {
        discard(&state, &id).await?;
        return Err(err(StatusCode::UNPROCESSABLE_ENTITY, "media_hash_mismatch", "文件内容与摘要不符，已丢弃，请重新上传"));
    }
    let bytes = tokio::fs::read(&path).await?;
    state.blobs.put(&id, Bytes::from(bytes)).await?;
    let mut tx = state.db.begin().await?;
    // Ordered against submission pushes (see sync::push): one of the two always sees the other.
    tx.lock_journal().await?;
    sqlx::query("INSERT INTO media_objects (sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING")
        .bind(&id)
        .bind(up.length as i64)
        .bind(&up.content_type)
        .bind(ts(state.db.now()))
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM uploads WHERE sha256 = $1").bind(&id).execute(tx.conn()).await?;
    let entry = caller.audit("media.store", "media", &id, None).with_detail(json!({ "size": up.length, "content_type": up.content_type }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let _ = tokio::fs::remove_file(&path).await;
    merge::merge_waiting_for(&state, &id).await?;
    Ok(offset_response(StatusCode::NO_CONTENT, new_offset, None, None))
}

#[utoipa::path(delete, path = "/api/v1/uploads/{sha256}", tag = "uploads", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "hex sha256 of the whole file")),
    description = "tus termination: discards an unfinished upload. Finished files are kept (submissions refer to them).",
    responses((status = 204, description = "terminated"), (status = 404, body = Problem)))]
pub async fn terminate(State(state): State<AppState>, _caller: Caller, headers: HeaderMap, ApiPath(raw): ApiPath<String>) -> ApiResult<StatusCode> {
    require_tus_version(&headers)?;
    let id = upload_id(&raw)?;
    let lock = state.upload_lock(&id);
    let _held = lock.lock().await;
    if load_upload(&state, &id).await?.is_some() {
        discard(&state, &id).await?;
        return Ok(StatusCode::NO_CONTENT);
    }
    if stored_size(&state, &id).await?.is_some() {
        return Ok(StatusCode::NO_CONTENT);
    }
    Err(err(StatusCode::NOT_FOUND, "unknown_upload", "上传任务不存在"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_metadata_pairs_are_base64_values() {
        let mut h = HeaderMap::new();
        h.insert("upload-metadata", HeaderValue::from_static("sha256 YWJj,content_type aW1hZ2UvanBlZw==,empty"));
        assert_eq!(metadata_value(&h, "sha256").as_deref(), Some("abc"));
        assert_eq!(metadata_value(&h, "content_type").as_deref(), Some("image/jpeg"));
        assert_eq!(metadata_value(&h, "empty").as_deref(), Some(""));
        assert_eq!(metadata_value(&h, "missing"), None);
    }
}
