//! Due periodic reviews (定期核查) become visit assignments: for each chosen case that is receiving assistance and
//! whose next review date is overdue or due soon, one transaction starts the review in the workflow (`start_review`)
//! and assigns the visit with the newest published `periodic_review` form. The merged visit records its facts
//! (`review.recommendation` …) like any visit; the reviewer then records the outcome (keep / adjust / stop).

use axum::{Json, extract::State, http::StatusCode};
use chrono::NaiveDate;
use ruhu_core::{
    form::FormPurpose,
    protocol::Problem,
    workflow::{Action, Stage, deadlines},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use super::{actions, api_error, case_state};
use crate::{
    access::caller::Caller,
    app::state::AppState,
    records::assignments,
    records::calendar,
    records::cases,
    store::audit,
    store::db::parse_uuid,
    store::error::{ApiError, ApiJson, ApiResult},
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AssignReviews {
    /// The cases to review; each must be receiving assistance with its review due. Or give `township_code`.
    #[serde(default)]
    pub case_ids: Option<Vec<Uuid>>,
    /// Every case of this township (in the caller's scope) whose review is due.
    #[serde(default)]
    pub township_code: Option<String>,
    /// Two investigators of the case's township.
    pub investigator_ids: Vec<Uuid>,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewAssigned {
    pub case_id: Uuid,
    pub case_no: String,
    pub assignment_id: Uuid,
    /// The review date that fell due.
    pub review_due: NaiveDate,
    pub form_id: String,
    pub form_version: u32,
}

fn conflict(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, message)
}

/// The review date of `s` when it is overdue or due soon, or why not.
fn review_due(
    s: &ruhu_core::workflow::CaseState,
    case_no: &str,
    state: &AppState,
    calendar: &ruhu_core::calendar::WorkCalendar,
) -> ApiResult<NaiveDate> {
    if s.stage != Stage::Active {
        return Err(conflict("review_case_not_active", format!("案件{case_no}当前处于“{}”，不是救助中的案件，不能安排定期核查", s.stage.label_zh())));
    }
    let Some(due) = s.next_review_on else {
        return Err(conflict("review_not_due", format!("案件{case_no}没有下次定期核查日期，不能安排定期核查")));
    };
    match deadlines::classify(due, state.db.today(), &state.policy, calendar).map_err(api_error)? {
        deadlines::Urgency::Overdue | deadlines::Urgency::DueSoon => Ok(due),
        deadlines::Urgency::OnTime => Err(conflict("review_not_due", format!("案件{case_no}的下次定期核查日期为{due}，尚未到期，不能提前安排"))),
    }
}

#[utoipa::path(post, path = "/api/v1/periodic-reviews/assign", tag = "workflow", security(("bearer" = [])), request_body = AssignReviews,
    description = "Township visit supervisors: turns due periodic reviews (定期核查) into visit assignments with the newest published \
        periodic-review form and starts each review in the workflow. Explicit cases are all-or-nothing: a case not receiving \
        assistance or not yet due refuses the whole request and changes nothing.",
    responses((status = 201, body = Vec<ReviewAssigned>),
              (status = 403, body = Problem, description = "forbidden_role, out_of_scope, near_relative_conflict"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "review_case_not_active, review_not_due, no_reviews_due, assignment_exists"),
              (status = 422, body = Problem, description = "cases_or_township_required, investigators_not_two, investigator_out_of_township, invalid_due_date, unknown_form, near_relative_investigator")))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<AssignReviews>,
) -> ApiResult<(StatusCode, Json<Vec<ReviewAssigned>>)> {
    caller.require(|r| r.may_assign_visits())?;
    let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut conn = state.db.pool.acquire().await?;
    let explicit = match (&req.case_ids, req.township_code.as_deref().map(str::trim).filter(|t| !t.is_empty())) {
        (Some(ids), None) if !ids.is_empty() => {
            let mut out = Vec::new();
            for id in ids {
                let case = cases::load(&mut conn, *id).await?.ok_or_else(|| ApiError::not_found("案件").with_field("case_ids"))?;
                if !out.iter().any(|c: &cases::CaseRow| c.id == case.id) {
                    out.push(case);
                }
            }
            Some(out)
        }
        (None, Some(_)) => None,
        _ => return Err(ApiError::invalid_field("case_ids", "请选择要核查的案件，或指定乡镇（街道）（二者选其一）")),
    };
    let chosen = match explicit {
        Some(list) => {
            drop(conn);
            for case in &list {
                caller.guard(&state, "case", &case.id.to_string(), &case.org_path).await?;
            }
            list
        }
        None => {
            let township = req.township_code.as_deref().map(str::trim).unwrap_or_default().to_string();
            let scope = caller.scope();
            let sql = format!("SELECT id FROM cases WHERE {} AND township_code = $3 AND step = 'active' ORDER BY id", scope.condition("org_path", 1));
            let ids: Vec<String> = scope
                .bind(sqlx::query(&sql))
                .bind(&township)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
            let mut due = Vec::new();
            for id in ids {
                let Some(case) = cases::load(&mut conn, parse_uuid(&id)?).await? else { continue };
                let (s, _) = case_state::load_state(&mut conn, &case).await?;
                if review_due(&s, &case.case_no, &state, &calendar).is_ok() {
                    due.push(case);
                }
            }
            drop(conn);
            if due.is_empty() {
                return Err(conflict("no_reviews_due", "该乡镇（街道）在您的管辖范围内没有到期或即将到期的定期核查".into()));
            }
            due
        }
    };

    let mut tx = state.db.begin().await?;
    let mut out = Vec::with_capacity(chosen.len());
    for case in &chosen {
        let (s, _) = case_state::load_state(tx.conn(), case).await?;
        let review_due = review_due(&s, &case.case_no, &state, &calendar)?;
        actions::apply_in(&mut tx, &state, &calendar, &caller, case, Action::StartReview, None).await?;
        let new = super::assign::NewAssignment {
            case_id: case.id,
            investigator_ids: req.investigator_ids.clone(),
            due_date: req.due_date,
            form_id: None,
            form_version: None,
        };
        let id = super::assign::insert_for(&mut tx, &state.policy, &calendar, case, &new, &actions::Acting::of(&caller), FormPurpose::PeriodicReview)
            .await?;
        let a = assignments::load(tx.conn(), id).await?.ok_or_else(ApiError::internal)?;
        let entry = caller.audit("assignment.create", "assignment", id, Some(&case.org_path)).with_detail(json!({
            "case_id": case.id, "purpose": FormPurpose::PeriodicReview, "investigators": new.investigator_ids, "due_date": req.due_date, "review_due": review_due,
        }));
        audit::record(&mut tx, entry).await?;
        out.push(ReviewAssigned {
            case_id: case.id,
            case_no: case.case_no.clone(),
            assignment_id: id,
            review_due,
            form_id: a.form_id,
            form_version: a.form_version,
        });
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(out)))
}
