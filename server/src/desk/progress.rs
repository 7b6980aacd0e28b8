//! Following visits: each assignment in the caller's scope with the state a supervisor cares about (assigned, pulled
//! to a phone, media uploading, synced, incomplete media, conflict) and when each investigator's devices last pulled
//! and pushed. Reads only what the list needs: no household members, no ID numbers, no audited full record.

use std::collections::{HashMap, hash_map::Entry};

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use ruhu_core::{
    protocol::{AssignmentStatus, PersonRef, Problem},
    roles::Role,
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    access::caller::Caller,
    access::users,
    app::state::AppState,
    store::db::{parse_ts, parse_uuid},
    store::error::ApiResult,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitState {
    /// No investigator's device has fetched the assignment as it now stands.
    Assigned,
    /// An investigator's device pulled the assignment after its last change.
    Pulled,
    /// The visit arrived and its photos and signatures are uploading right now.
    InProgress,
    /// The visit is merged into the case.
    Synced,
    /// The visit arrived but some photos or signatures have not, and none is uploading.
    IncompleteMedia,
    /// The visit changed facts another visit had changed: a supervisor must decide.
    Conflict,
    Cancelled,
}

impl VisitState {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Assigned => "已安排，待下载",
            Self::Pulled => "已下载到手机",
            Self::InProgress => "进行中（照片上传中）",
            Self::Synced => "已同步",
            Self::IncompleteMedia => "照片或签名未传齐",
            Self::Conflict => "有数据冲突",
            Self::Cancelled => "已取消",
        }
    }
}

/// What the state is derived from.
#[derive(Debug, Default)]
pub struct StateInputs {
    pub cancelled: bool,
    pub pulled_since_change: bool,
    pub any_merged: bool,
    pub any_awaiting_media: bool,
    pub media_uploading: bool,
    pub open_conflicts: bool,
}

/// The most pressing state wins: a conflict needs a decision even when everything else arrived.
pub fn derive_state(i: &StateInputs) -> VisitState {
    if i.cancelled {
        VisitState::Cancelled
    } else if i.open_conflicts {
        VisitState::Conflict
    } else if i.any_awaiting_media {
        if i.media_uploading { VisitState::InProgress } else { VisitState::IncompleteMedia }
    } else if i.any_merged {
        VisitState::Synced
    } else if i.pulled_since_change {
        VisitState::Pulled
    } else {
        VisitState::Assigned
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceSync {
    pub device_id: Uuid,
    pub name: Option<String>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_push_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InvestigatorSync {
    pub person: PersonRef,
    /// The investigator's devices that are not revoked.
    pub devices: Vec<DeviceSync>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitProgress {
    pub assignment_id: Uuid,
    pub case_id: Uuid,
    pub case_no: String,
    pub village_name: String,
    pub head_name: String,
    pub due_date: NaiveDate,
    pub status: AssignmentStatus,
    pub state: VisitState,
    pub state_label: String,
    pub investigators: Vec<InvestigatorSync>,
    pub last_submission_at: Option<DateTime<Utc>>,
}

async fn devices_of(conn: &mut AnyConnection, user: Uuid) -> Result<Vec<DeviceSync>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, name, last_pull_at, last_push_at FROM devices WHERE user_id = $1 AND revoked_at IS NULL ORDER BY registered_at")
            .bind(user.to_string())
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let pulled: Option<String> = r.try_get("last_pull_at")?;
        let pushed: Option<String> = r.try_get("last_push_at")?;
        out.push(DeviceSync {
            device_id: parse_uuid(&r.try_get::<String, _>("id")?)?,
            name: r.try_get("name")?,
            last_pull_at: pulled.as_deref().map(parse_ts).transpose()?,
            last_push_at: pushed.as_deref().map(parse_ts).transpose()?,
        });
    }
    Ok(out)
}

/// Submission states, the latest arrival, and the blobs still missing, for one assignment.
async fn submissions_of(conn: &mut AnyConnection, assignment: &str) -> Result<(StateInputs, Option<DateTime<Utc>>), sqlx::Error> {
    let rows = sqlx::query("SELECT id, state, received_at FROM submissions WHERE assignment_id = $1").bind(assignment).fetch_all(&mut *conn).await?;
    let mut inputs = StateInputs::default();
    let mut last = None::<DateTime<Utc>>;
    for r in rows {
        let id: String = r.try_get("id")?;
        let state: String = r.try_get("state")?;
        let received = parse_ts(&r.try_get::<String, _>("received_at")?)?;
        last = Some(last.map_or(received, |l| l.max(received)));
        if state == "merged" {
            inputs.any_merged = true;
        } else {
            inputs.any_awaiting_media = true;
            let uploading = sqlx::query(
                "SELECT 1 AS u FROM submission_media m JOIN uploads u ON u.sha256 = m.sha256 \
                 WHERE m.submission_id = $1 AND m.sha256 NOT IN (SELECT sha256 FROM media_objects) LIMIT 1",
            )
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
            inputs.media_uploading |= uploading.is_some();
        }
        let open = sqlx::query("SELECT 1 AS c FROM conflicts WHERE proposed_source = $1 AND resolved_at IS NULL LIMIT 1")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
        inputs.open_conflicts |= open.is_some();
    }
    Ok((inputs, last))
}

#[utoipa::path(get, path = "/api/v1/visits/progress", tag = "assignments", security(("bearer" = [])),
    description = "Assignments in the caller's scope with their visit state and the investigators' devices' last pull and \
                   push. For supervisors, reviewers and caseworkers; investigators use sync/pull.",
    responses((status = 200, body = Vec<VisitProgress>), (status = 403, body = Problem, description = "forbidden_role")))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<VisitProgress>>> {
    caller.require(|r| r.may_assign_visits() || r.may_manage_cases() || r == Role::Admin)?;
    let scope = caller.scope();
    let sql = format!(
        "SELECT a.id, a.case_id, a.status, a.due_date, a.investigator1, a.investigator2, a.updated_at, c.case_no, h.head_name, v.name AS village_name \
         FROM assignments a JOIN cases c ON c.id = a.case_id JOIN households h ON h.id = c.household_id \
         JOIN org_units v ON v.code = c.village_code WHERE {} ORDER BY a.due_date, c.case_no LIMIT 500",
        scope.condition("a.org_path", 1)
    );
    let mut conn = state.db.pool.acquire().await?;
    let rows = scope.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let mut people: HashMap<Uuid, InvestigatorSync> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get("id")?;
        let status_text: String = r.try_get("status")?;
        let status = AssignmentStatus::parse(&status_text).ok_or_else(|| sqlx::Error::Decode(format!("status {status_text}").into()))?;
        let due: String = r.try_get("due_date")?;
        let changed = parse_ts(&r.try_get::<String, _>("updated_at")?)?;
        let pair = [parse_uuid(&r.try_get::<String, _>("investigator1")?)?, parse_uuid(&r.try_get::<String, _>("investigator2")?)?];
        let mut investigators = Vec::with_capacity(2);
        for user in pair {
            if let Entry::Vacant(slot) = people.entry(user) {
                let person = users::person(&mut conn, user).await?;
                let devices = devices_of(&mut conn, user).await?;
                slot.insert(InvestigatorSync { person, devices });
            }
            if let Some(p) = people.get(&user) {
                investigators.push(p.clone());
            }
        }
        let (mut inputs, last_submission_at) = submissions_of(&mut conn, &id).await?;
        inputs.cancelled = status == AssignmentStatus::Cancelled;
        inputs.pulled_since_change = investigators.iter().flat_map(|i| &i.devices).any(|d| d.last_pull_at.is_some_and(|p| p >= changed));
        let visit_state = derive_state(&inputs);
        out.push(VisitProgress {
            assignment_id: parse_uuid(&id)?,
            case_id: parse_uuid(&r.try_get::<String, _>("case_id")?)?,
            case_no: r.try_get("case_no")?,
            village_name: r.try_get("village_name")?,
            head_name: r.try_get("head_name")?,
            due_date: NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|e| sqlx::Error::Decode(e.to_string().into()))?,
            status,
            state: visit_state,
            state_label: visit_state.label_zh().into(),
            investigators,
            last_submission_at,
        });
    }
    Ok(Json(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_pressing_state_is_shown() {
        let mut i = StateInputs::default();
        assert_eq!(derive_state(&i), VisitState::Assigned);
        i.pulled_since_change = true;
        assert_eq!(derive_state(&i), VisitState::Pulled);
        i.any_awaiting_media = true;
        assert_eq!(derive_state(&i), VisitState::IncompleteMedia);
        i.media_uploading = true;
        assert_eq!(derive_state(&i), VisitState::InProgress);
        i.any_awaiting_media = false;
        i.any_merged = true;
        assert_eq!(derive_state(&i), VisitState::Synced);
        i.open_conflicts = true;
        assert_eq!(derive_state(&i), VisitState::Conflict);
        i.cancelled = true;
        assert_eq!(derive_state(&i), VisitState::Cancelled);
    }
}
