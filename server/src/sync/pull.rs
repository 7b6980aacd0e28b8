//! `GET /api/v1/sync/pull`: the caller's feed after a cursor, in pages.

use axum::{Json, extract::State};
use chrono::Datelike;
use ruhu_core::{
    calendar::WorkCalendar,
    protocol::{AssignmentStatus, Change, ChangeRecord, PrecheckPolicy, Problem, PullPage},
};
use serde::Deserialize;
use sqlx::Row;

use crate::{
    access::caller::Caller,
    access::devices::{self, SyncKind},
    app::state::AppState,
    records::calendar,
    records::feed::{KIND_ASSIGNMENT, KIND_FORM, OP_DELETE},
    records::forms,
    store::db::parse_uuid,
    store::error::{ApiError, ApiQuery, ApiResult},
    sync::snapshot,
    workflow,
};

pub const DEFAULT_LIMIT: i64 = 500;
pub const MAX_LIMIT: i64 = 2000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PullQuery {
    /// The `next_cursor` of the previous page; 0 (or absent) is "from the start".
    pub since: Option<i64>,
    /// Default 500, at most 2000.
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("bearer" = [])), params(PullQuery),
    description = "The caller's slice as changes after `since`: assignment upserts (full snapshots), assignment deletes \
                   (tombstones) and the published forms they need. Resume with `next_cursor` while `has_more`.",
    responses((status = 200, body = PullPage), (status = 401, body = Problem)))]
pub async fn pull(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<PullQuery>) -> ApiResult<Json<PullPage>> {
    let since = q.since.unwrap_or(0).max(0);
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let mut conn = state.db.pool.acquire().await?;
    let rows = sqlx::query("SELECT seq, kind, entity_id, op FROM sync_feed WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
        .bind(caller.user_id.to_string())
        .bind(since)
        .bind(limit + 1)
        .fetch_all(&mut *conn)
        .await?;
    let has_more = rows.len() as i64 > limit;
    let mut changes = Vec::with_capacity(rows.len());
    let mut next_cursor = since;
    // Read once per page, and only when an assignment is on it.
    let mut calendar: Option<WorkCalendar> = None;
    for row in rows.into_iter().take(limit as usize) {
        let seq: i64 = row.try_get("seq")?;
        let kind: String = row.try_get("kind")?;
        let entity: String = row.try_get("entity_id")?;
        let op: String = row.try_get("op")?;
        next_cursor = seq;
        let record = match kind.as_str() {
            KIND_ASSIGNMENT => {
                let id = parse_uuid(&entity)?;
                let loaded = if op == OP_DELETE { None } else { snapshot::snapshot_with_case(&mut conn, id).await? };
                let mut snapshot = None;
                if let Some((mut s, case)) = loaded {
                    let facts = s.case.facts.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect();
                    s.case.precheck = PrecheckPolicy::for_case(&state.policy, s.case.assistance_type, &facts, state.db.today().year());
                    // Deadlines matter for work still to do; a finished visit's case is followed at the desk.
                    if s.status == AssignmentStatus::Assigned {
                        if calendar.is_none() {
                            calendar = Some(calendar::work_calendar_on(&mut conn, state.config.unloaded_years).await.map_err(ApiError::from)?);
                        }
                        if let Some(calendar) = &calendar {
                            s.case.progress = Some(workflow::case_state::progress(&mut conn, &case, &state.policy, calendar).await?);
                        }
                    }
                    snapshot = Some(s);
                }
                // A cancelled assignment is no longer work for anyone: the device deletes it.
                match snapshot.filter(|s| s.status != AssignmentStatus::Cancelled) {
                    Some(s) => ChangeRecord::AssignmentUpsert { assignment: Box::new(s) },
                    None => ChangeRecord::AssignmentDelete { id },
                }
            }
            KIND_FORM => {
                let Some((form_id, version)) = forms::parse_feed_key(&entity) else { continue };
                match forms::load(&mut conn, form_id, version).await? {
                    Some(form) => ChangeRecord::FormUpsert { form: Box::new(form) },
                    None => continue,
                }
            }
            _ => continue,
        };
        changes.push(Change { seq, record });
    }
    drop(conn);
    devices::mark_sync(&state.db, caller.device_id, SyncKind::Pull).await?;
    Ok(Json(PullPage { changes, next_cursor, has_more }))
}
