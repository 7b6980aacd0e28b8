//! Assigning a visit: two investigators of the case's township (or the district's, for a re-visit), neither related
//! to the household, a published form, the history of who held the visit, and the investigators' sync feeds.

use axum::http::StatusCode;
use chrono::NaiveDate;
use ruhu_core::{
    calendar::WorkCalendar,
    form::FormPurpose,
    org::path_contains,
    policy::Policy,
    workflow::{Action, CaseEvent},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{
    actions::{self, Acting},
    relatives,
};
use crate::{
    access::{org, users},
    records::{
        assignments::{purpose_key, record_history},
        cases, feed, forms,
    },
    store::{
        db::{Tx, ts},
        error::{ApiError, ApiResult},
    },
};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewAssignment {
    pub case_id: Uuid,
    /// Exactly two distinct users with an investigating role in the case's township: investigator 1, then 2.
    pub investigator_ids: Vec<Uuid>,
    pub due_date: NaiveDate,
    /// Defaults to the latest published form for the case's assistance type.
    #[serde(default)]
    pub form_id: Option<String>,
    #[serde(default)]
    pub form_version: Option<u32>,
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field("investigator_ids")
}

/// Two distinct, enabled users with an investigating role, both in the case's township; for a district re-visit
/// (`district`), both at the district level above it instead.
pub async fn check_pair(conn: &mut AnyConnection, ids: &[Uuid], case_path: &str, district: bool) -> ApiResult<[Uuid; 2]> {
    let [a, b] = ids else { return Err(unprocessable("investigators_not_two", "入户调查须安排两名调查人员")) };
    if a == b {
        return Err(unprocessable("same_investigator", "两名调查人员不能是同一人"));
    }
    let township_path = org::township_path_of(case_path).unwrap_or_else(|| case_path.to_string());
    let township_name = org::by_path(conn, &township_path).await?.map(|u| u.name).unwrap_or_default();
    for id in [a, b] {
        let row = sqlx::query("SELECT u.display_name, u.enabled, o.path FROM users u JOIN org_units o ON o.code = u.org_code WHERE u.id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Err(unprocessable("unknown_user", "所选调查人员不存在")) };
        let name: String = row.try_get("display_name")?;
        if row.try_get::<i64, _>("enabled")? == 0 {
            return Err(unprocessable("user_disabled", format!("{name}的账号已停用")));
        }
        if !users::roles_of(conn, *id).await?.iter().any(|r| r.may_investigate()) {
            return Err(unprocessable("not_investigator", format!("{name}不具有入户调查的角色")));
        }
        let path: String = row.try_get("path")?;
        if district {
            // Above the township, containing it: the district's own staff.
            if path == township_path || !path_contains(&path, &township_path) {
                return Err(unprocessable("revisitor_not_district", format!("{name}不是区级工作人员，抽查复核须由区级人员入户")));
            }
        } else if !path_contains(&township_path, &path) {
            return Err(unprocessable("investigator_out_of_township", format!("{name}不属于{township_name}，不能调查本乡镇的案件")));
        }
    }
    Ok([*a, *b])
}

pub fn check_due_date(due: NaiveDate, today: NaiveDate) -> ApiResult<()> {
    // Due dates are calendar days in China (UTC+8).
    if due < today {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_due_date", "完成期限不能早于今天").with_field("due_date"));
    }
    Ok(())
}

/// Creates a home-visit assignment in `tx` (scope already checked).
pub async fn insert(
    tx: &mut Tx,
    policy: &Policy,
    calendar: &WorkCalendar,
    case: &cases::CaseRow,
    req: &NewAssignment,
    acting: &Acting,
) -> ApiResult<Uuid> {
    insert_for(tx, policy, calendar, case, req, acting, FormPurpose::HomeVisit).await
}

/// Creates an assignment for a visit of `purpose` in `tx` (scope already checked). A home visit or a periodic
/// review's visit goes through the workflow (`assign_visit`, by `acting`: the investigation starts, or the pair is
/// added to it); a district re-visit runs beside the procedure and goes to district staff. A periodic review or a
/// re-visit takes the newest published form for its purpose.
pub async fn insert_for(
    tx: &mut Tx,
    policy: &Policy,
    calendar: &WorkCalendar,
    case: &cases::CaseRow,
    req: &NewAssignment,
    acting: &Acting,
    purpose: FormPurpose,
) -> ApiResult<Uuid> {
    check_due_date(req.due_date, tx.today())?;
    let pair = check_pair(tx.conn(), &req.investigator_ids, &case.org_path, purpose == FormPurpose::Revisit).await?;
    relatives::refuse_related_investigators(tx.conn(), policy, case.household_id, &pair).await?;
    // A district re-visit runs beside the township's own visits; each kind has at most one open assignment.
    let same_kind = if purpose == FormPurpose::Revisit { "purpose = 'revisit'" } else { "purpose <> 'revisit'" };
    let open = sqlx::query(&format!("SELECT id FROM assignments WHERE case_id = $1 AND status = 'assigned' AND {same_kind}"))
        .bind(case.id.to_string())
        .fetch_optional(tx.conn())
        .await?;
    if open.is_some() {
        let message = if purpose == FormPurpose::Revisit {
            "该案件已有进行中的抽查复核入户安排"
        } else {
            "该案件已有进行中的入户调查安排，请调整或取消后再安排"
        };
        return Err(ApiError::new(StatusCode::CONFLICT, "assignment_exists", message));
    }
    let form = match (&req.form_id, req.form_version) {
        _ if purpose != FormPurpose::HomeVisit => forms::latest_for_purpose(tx.conn(), case.assistance_type, purpose).await?,
        (Some(id), Some(v)) => forms::load(tx.conn(), id, v).await?,
        (Some(id), None) => {
            let latest = forms::latest_for(tx.conn(), case.assistance_type).await?.filter(|f| &f.id == id);
            match latest {
                Some(f) => Some(f),
                None => forms::load(tx.conn(), id, 1).await?,
            }
        }
        _ => forms::latest_for(tx.conn(), case.assistance_type).await?,
    };
    let Some(form) = form else {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_form", format!("没有可用的已发布{}表", purpose.label_zh()))
            .with_field("form_id"));
    };
    let id = Uuid::new_v4();
    let about = json!({ "assignment_id": id, "due_date": req.due_date, "purpose": purpose });
    if purpose == FormPurpose::Revisit {
        cases::add_step(tx, case.id, CaseEvent::VisitAssigned.as_str(), Some(acting.actor.user_id), Some(req.due_date), about).await?;
    } else {
        let assign = Action::AssignVisit { investigators: pair.to_vec() };
        actions::apply_with(tx, policy, calendar, acting, case, assign, None, about).await?;
    }
    let now = ts(tx.now());
    sqlx::query(
        "INSERT INTO assignments (id, case_id, status, due_date, form_id, form_version, investigator1, investigator2, assigned_by, org_path, created_at, updated_at, purpose) \
         VALUES ($1, $2, 'assigned', $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
    )
    .bind(id.to_string())
    .bind(case.id.to_string())
    .bind(req.due_date.to_string())
    .bind(&form.id)
    .bind(i64::from(form.version))
    .bind(pair[0].to_string())
    .bind(pair[1].to_string())
    .bind(acting.actor.user_id.to_string())
    .bind(&case.org_path)
    .bind(&now)
    .bind(purpose_key(purpose))
    .execute(tx.conn())
    .await?;
    record_history(tx, id, &pair).await?;
    feed::assignment_upsert(tx, id, &pair, &form.id, form.version).await?;
    Ok(id)
}
