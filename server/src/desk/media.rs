//! `GET /api/v1/media/{sha256}`: a stored file, to callers who may see a submission that refers to it. Audited.

use axum::{
    body::Body,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use ruhu_core::{form::is_sha256_hex, protocol::Problem};
use sqlx::Row;

use crate::{
    access::caller::Caller,
    app::state::AppState,
    store::audit,
    store::error::{ApiError, ApiPath, ApiResult},
};

#[utoipa::path(get, path = "/api/v1/media/{sha256}", tag = "media", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "hex sha256 of the file")),
    description = "The bytes of a photo or signature, when a submission in the caller's scope refers to it. Audited.",
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
              (status = 403, body = Problem, description = "out_of_scope (audited)"), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, caller: Caller, ApiPath(raw): ApiPath<String>) -> ApiResult<Response> {
    let sha = raw.to_ascii_lowercase();
    if !is_sha256_hex(&sha) {
        return Err(ApiError::not_found("文件"));
    }
    let mut conn = state.db.pool.acquire().await?;
    let paths: Vec<(String, String)> = sqlx::query(
        "SELECT s.id, s.org_path FROM submission_media m JOIN submissions s ON s.id = m.submission_id WHERE m.sha256 = $1 ORDER BY s.received_at",
    )
    .bind(&sha)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("org_path")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let object = sqlx::query("SELECT size, content_type FROM media_objects WHERE sha256 = $1").bind(&sha).fetch_optional(&mut *conn).await?;
    drop(conn);
    let Some((_, first_path)) = paths.first().cloned() else { return Err(ApiError::not_found("文件")) };
    let Some((submission, path)) = paths.into_iter().find(|(_, p)| caller.scope().contains(p)) else {
        caller.guard(&state, "media", &sha, &first_path).await?;
        return Err(ApiError::out_of_scope());
    };
    let Some(object) = object else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "media_not_uploaded", "该文件尚未上传到服务器"));
    };
    let size: i64 = object.try_get("size")?;
    let content_type: String = object.try_get("content_type")?;
    let result = state.blobs.get(&sha).await?;
    let entry = caller.audit("media.read", "media", &sha, Some(&path)).with_detail(serde_json::json!({ "submission_id": submission }));
    audit::record_alone(&state.db, entry).await?;
    let mut res = Body::from_stream(result.into_stream()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{sha}\"")) {
        h.insert(header::ETAG, etag);
    }
    Ok(res)
}
