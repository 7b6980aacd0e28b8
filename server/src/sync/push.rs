//! `POST /api/v1/sync/submissions`: a finalised visit. Idempotent by client id and content hash; validated with
//! the same form engine the device used; merged once every referenced file has arrived.

use std::collections::BTreeSet;

use axum::{Json, extract::State, http::StatusCode};
use ruhu_core::{
    form::{FormSession, QuestionKind, is_sha256_hex},
    protocol::{AssignmentStatus, Problem, SubmissionReceipt, SubmissionState, VisitSubmission, submission_content_hash},
    time::china_day,
};
use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::{
    access::caller::Caller,
    access::devices::{self, SyncKind},
    app::state::AppState,
    records::assignments,
    records::cases,
    records::forms,
    records::submissions::{self, StoredSubmission, state_str},
    store::audit,
    store::db::{to_json, ts},
    store::error::{ApiError, ApiJson, ApiResult},
    sync::merge,
};

fn err(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

fn unprocessable(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> ApiError {
    err(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field(field)
}

fn conflict_with_stored() -> ApiError {
    err(StatusCode::CONFLICT, "submission_conflict", "服务器上已有同一编号但内容不同的调查记录，本条记录未被接收")
}

async fn receipt(conn: &mut AnyConnection, s: &StoredSubmission) -> Result<SubmissionReceipt, sqlx::Error> {
    let missing = if s.state == SubmissionState::Merged {
        Vec::new()
    } else {
        submissions::missing_media(conn, &submissions::referenced_media(&s.body)).await?
    };
    Ok(SubmissionReceipt {
        submission_id: s.id,
        case_id: s.case_id,
        state: s.state,
        missing_media: missing,
        conflicts: submissions::conflicts_of(conn, s.id).await?,
    })
}

/// Same id: same content from the same user gets the same answer; anything else is a conflict.
async fn replay(conn: &mut AnyConnection, caller: &Caller, sub: &VisitSubmission, hash: &str) -> ApiResult<Option<SubmissionReceipt>> {
    let Some(existing) = submissions::load_submission(conn, sub.id).await? else { return Ok(None) };
    if existing.content_hash == hash && existing.submitted_by == caller.user_id {
        return Ok(Some(receipt(conn, &existing).await?));
    }
    Err(conflict_with_stored())
}

/// The checks that need no database, in the order a device can fix them.
fn check_content(
    sub: &VisitSubmission,
    form: &ruhu_core::form::FormDefinition,
    caller: &Caller,
    pair: &[uuid::Uuid; 2],
    max_size: u64,
) -> ApiResult<()> {
    if sub.device_id != caller.installation_id {
        return Err(unprocessable("device_mismatch", "device_id", "调查记录的设备标识与登录设备不一致"));
    }
    if sub.finalized_at < sub.started_at {
        return Err(unprocessable("invalid_field", "finalized_at", "完成时间早于开始时间"));
    }
    // The same evaluator as the phone, as of the same day (the day the visit was finalised).
    let state = match FormSession::new(form) {
        Ok(session) => session.with_today(china_day(sub.finalized_at)).evaluate(&sub.answers),
        Err(e) => {
            tracing::error!(form = %form.id, version = form.version, error = %e, "a published form does not compile");
            return Err(ApiError::internal());
        }
    };
    let errors = state.errors;
    if !errors.is_empty() {
        let first = errors.first().map(|e| e.question_id.clone());
        let mut e = err(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", format!("调查表有{}处需要修改", errors.len()))
            .with_details(serde_json::to_value(&errors).unwrap_or(Value::Null));
        e.field = first;
        return Err(e);
    }
    for (i, m) in sub.media.iter().enumerate() {
        if !is_sha256_hex(&m.sha256) {
            return Err(unprocessable("invalid_media_ref", format!("media[{i}].sha256"), "照片的内容摘要格式无效"));
        }
        if m.size == 0 || m.size > max_size {
            return Err(unprocessable("invalid_media_ref", format!("media[{i}].size"), "照片大小无效"));
        }
        if m.content_type.trim().is_empty() {
            return Err(unprocessable("invalid_media_ref", format!("media[{i}].content_type"), "照片类型无效"));
        }
        if form.question(&m.question_id).is_none_or(|q| q.kind != QuestionKind::Photo) {
            return Err(unprocessable("invalid_media_ref", format!("media[{i}].question_id"), "照片对应的问题不存在"));
        }
    }
    for (i, g) in sub.signatures.iter().enumerate() {
        if !is_sha256_hex(&g.media_sha256) {
            return Err(unprocessable("invalid_media_ref", format!("signatures[{i}].media_sha256"), "签名的内容摘要格式无效"));
        }
        if g.signer_name.trim().is_empty() {
            return Err(unprocessable("invalid_signature", format!("signatures[{i}].signer_name"), "签名人姓名不能为空"));
        }
        if let Some(uid) = g.signer_user_id
            && !pair.contains(&uid)
        {
            return Err(unprocessable("invalid_signature", format!("signatures[{i}].signer_user_id"), "签名的调查人员不是本次安排的调查人员"));
        }
    }
    let photo_hashes: BTreeSet<&str> = sub.media.iter().map(|m| m.sha256.as_str()).collect();
    let signature_hashes: BTreeSet<&str> = sub.signatures.iter().map(|g| g.media_sha256.as_str()).collect();
    for q in &form.questions {
        let Some(answer) = sub.answers.get(&q.id) else { continue };
        match q.kind {
            QuestionKind::Photo => {
                for h in answer.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if !photo_hashes.contains(h) {
                        return Err(unprocessable("media_not_listed", q.id.clone(), format!("{}：照片未随记录提交", q.label)));
                    }
                }
            }
            QuestionKind::Signature => {
                if let Some(h) = answer.as_str()
                    && !signature_hashes.contains(h)
                {
                    return Err(unprocessable("media_not_listed", q.id.clone(), format!("{}：签名未随记录提交", q.label)));
                }
            }
            _ => {}
        }
    }
    // A signature is needed where its question is relevant and required (e.g. no family signature when nobody was home).
    let needs_signature = |q: &&ruhu_core::form::Question| state.questions.iter().any(|s| s.path == q.id && s.relevant && s.required);
    for q in form.questions.iter().filter(|q| q.kind == QuestionKind::Signature).filter(needs_signature) {
        let Some(role) = q.signer else { continue };
        if !sub.signatures.iter().any(|g| g.role == role) {
            return Err(unprocessable("signature_missing", q.id.clone(), format!("缺少{}的签名", role.label_zh())));
        }
    }
    for (i, f) in sub.gps_fixes.iter().enumerate() {
        let valid = ruhu_core::geo::LatLon { lat: f.lat, lon: f.lon }.is_valid() && f.accuracy_m.is_finite() && f.accuracy_m >= 0.0;
        if !valid {
            return Err(unprocessable("invalid_gps_fix", format!("gps_fixes[{i}]"), "定位数据无效"));
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/sync/submissions", tag = "sync", security(("bearer" = [])), request_body = VisitSubmission,
    description = "Pushes a finalised visit. Same id and same content: the same receipt again. Same id, other content: 409. \
                   Merged into the case once all referenced media have been uploaded.",
    responses((status = 200, body = SubmissionReceipt),
              (status = 403, body = Problem, description = "not_assigned"),
              (status = 404, body = Problem, description = "unknown_assignment"),
              (status = 409, body = Problem, description = "submission_conflict, assignment_cancelled, assignment_reassigned"),
              (status = 422, body = Problem, description = "validation_failed (details: the field errors), unknown_form, form_mismatch, invalid_media_ref, media_not_listed, signature_missing, invalid_signature, invalid_gps_fix, device_mismatch")))]
#[tracing::instrument(name = "push", skip_all, fields(submission = %sub.id, user = %caller.username))]
pub async fn push(State(state): State<AppState>, caller: Caller, ApiJson(sub): ApiJson<VisitSubmission>) -> ApiResult<Json<SubmissionReceipt>> {
    let hash = submission_content_hash(&sub);
    let mut conn = state.db.pool.acquire().await?;
    if let Some(r) = replay(&mut conn, &caller, &sub, &hash).await? {
        drop(conn);
        devices::mark_sync(&state.db, caller.device_id, SyncKind::Push).await?;
        return Ok(Json(r));
    }
    let assignment = assignments::load(&mut conn, sub.assignment_id)
        .await?
        .ok_or_else(|| err(StatusCode::NOT_FOUND, "unknown_assignment", "服务器上没有这项入户调查安排").with_field("assignment_id"))?;
    if !assignment.investigators.contains(&caller.user_id) {
        let was_assigned = sqlx::query("SELECT 1 AS was FROM assignment_history WHERE assignment_id = $1 AND user_id = $2")
            .bind(assignment.id.to_string())
            .bind(caller.user_id.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        return Err(if was_assigned {
            err(StatusCode::CONFLICT, "assignment_reassigned", "这项入户调查已改派给其他调查人员，本条记录未被接收")
        } else {
            err(StatusCode::FORBIDDEN, "not_assigned", "您不是这项入户调查的调查人员")
        });
    }
    if assignment.status == AssignmentStatus::Cancelled {
        return Err(err(StatusCode::CONFLICT, "assignment_cancelled", "这项入户调查已取消，本条记录未被接收"));
    }
    let form = forms::load(&mut conn, &sub.form_id, sub.form_version)
        .await?
        .ok_or_else(|| unprocessable("unknown_form", "form_version", "服务器上没有这个版本的调查表"))?;
    if form.id != assignment.form_id {
        return Err(unprocessable("form_mismatch", "form_id", "调查表与入户调查安排不符"));
    }
    drop(conn);
    check_content(&sub, &form, &caller, &assignment.investigators, state.config.upload_max_size)?;

    let now = state.db.now();
    let mut tx = state.db.begin().await?;
    // Orders this push against blob completions (see merge::merge_waiting_for): whichever commits second sees the other.
    tx.lock_journal().await?;
    let inserted = sqlx::query(
        "INSERT INTO submissions (id, assignment_id, case_id, org_path, submitted_by, device_id, investigators, form_id, form_version, \
         content_hash, body, state, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(sub.id.to_string())
    .bind(assignment.id.to_string())
    .bind(assignment.case_id.to_string())
    .bind(&assignment.org_path)
    .bind(caller.user_id.to_string())
    .bind(caller.device_id.to_string())
    .bind(to_json(&assignment.investigators))
    .bind(&sub.form_id)
    .bind(i64::from(sub.form_version))
    .bind(&hash)
    .bind(to_json(&sub))
    .bind(state_str(SubmissionState::AwaitingMedia))
    .bind(ts(now))
    .execute(tx.conn())
    .await;
    if let Err(sqlx::Error::Database(e)) = &inserted
        && e.is_unique_violation()
    {
        // The same id arrived twice at once: answer as a replay.
        drop(tx);
        let mut conn = state.db.pool.acquire().await?;
        return match replay(&mut conn, &caller, &sub, &hash).await? {
            Some(r) => Ok(Json(r)),
            None => Err(conflict_with_stored()),
        };
    }
    inserted?;
    let referenced = submissions::referenced_media(&sub);
    for h in &referenced {
        sqlx::query("INSERT INTO submission_media (submission_id, sha256) VALUES ($1, $2)")
            .bind(sub.id.to_string())
            .bind(h)
            .execute(tx.conn())
            .await?;
    }
    let detail = json!({ "submission_id": sub.id, "assignment_id": assignment.id, "form": forms::feed_key(&sub.form_id, sub.form_version) });
    cases::add_step(&mut tx, assignment.case_id, ruhu_core::workflow::CaseEvent::VisitSubmitted.as_str(), Some(caller.user_id), None, detail.clone())
        .await?;
    audit::record(&mut tx, caller.audit("submission.receive", "submission", sub.id, Some(&assignment.org_path)).with_detail(detail)).await?;
    let stored = submissions::load_submission(tx.conn(), sub.id).await?.ok_or_else(ApiError::internal)?;
    let missing = submissions::missing_media(tx.conn(), &referenced).await?;
    let (state_now, conflicts) = if missing.is_empty() {
        (SubmissionState::Merged, merge::merge(&mut tx, &state, &stored).await?)
    } else {
        (SubmissionState::AwaitingMedia, Vec::new())
    };
    tx.commit().await?;
    devices::mark_sync(&state.db, caller.device_id, SyncKind::Push).await?;
    Ok(Json(SubmissionReceipt { submission_id: sub.id, case_id: assignment.case_id, state: state_now, missing_media: missing, conflicts }))
}
