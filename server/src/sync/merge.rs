//! Merging a complete submission into its case, fact by fact. A fact changes only when the case still holds the
//! value the device based its answer on (same source); a different change from the same base becomes a visible
//! Conflict for a supervisor, never a silent last-writer-wins.

use ruhu_core::{
    form::{FormDefinition, FormPurpose, FormSession, SignerRole},
    protocol::AssignmentStatus,
    time::china_day,
    workflow::{Action, CaseEvent},
};
use serde_json::{Value, json};
use sqlx::Row;
use uuid::Uuid;

use crate::{
    app::state::AppState,
    records::{
        assignments, calendar,
        cases::{self, CaseRow},
        feed, forms, households,
        submissions::{self, StoredSubmission},
    },
    store::{
        audit::{self, AuditEntry},
        db::{self, Tx, flag, to_json, ts},
        error::{ApiError, ApiResult},
    },
    workflow::{
        actions::{self, Acting},
        revisit_comparison, revisits,
    },
};

/// Merges `s` (all its media present) inside `tx`, in three steps: the visit's facts into the case (a change from a
/// base the case no longer holds becomes a conflict), the visit's evidence beside it (GPS, the assignment done), and
/// the procedure moved on. Returns the fact keys that became conflicts.
#[tracing::instrument(name = "merge", skip_all, fields(submission = %s.id, case = %s.case_id))]
pub async fn merge(tx: &mut Tx, app: &AppState, s: &StoredSubmission) -> ApiResult<Vec<String>> {
    let form = forms::load(tx.conn(), &s.body.form_id, s.body.form_version).await?.ok_or_else(ApiError::internal)?;
    let case = cases::load(tx.conn(), s.case_id).await?.ok_or_else(ApiError::internal)?;
    let now = ts(tx.now());
    // Facts as the evaluator reports them: relevant answers and calculated values (per-capita income and the like),
    // as of the day the visit was finalised, exactly as the phone computed them.
    let session = FormSession::new(&form).map_err(|e| {
        tracing::error!(form = %form.id, version = form.version, error = %e, "a published form does not compile");
        ApiError::internal()
    })?;
    let evaluated = session.with_today(china_day(s.body.finalized_at)).evaluate(&s.body.answers);
    let revisit = form.purpose == FormPurpose::Revisit;
    let conflicts = if revisit {
        // The district's check: kept beside the record for comparison, never written over the township's facts.
        let current = cases::facts(tx.conn(), case.id).await?;
        revisit_comparison::record_findings(tx, s, &current, evaluated.facts(), &now).await?;
        Vec::new()
    } else {
        apply_facts(tx, &case, s, evaluated.facts(), &now).await?
    };
    record_evidence(tx, &case, s, &now).await?;
    advance_procedure(tx, app, &case, s, &form, evaluated.facts(), &conflicts).await?;
    Ok(conflicts)
}

/// Step 1: each fact the visit recorded, where the case still holds the value the visit was based on; a different
/// value from a base the case no longer holds is a conflict for a supervisor. Returns the conflicting keys.
async fn apply_facts(tx: &mut Tx, case: &CaseRow, s: &StoredSubmission, facts: &[(String, Value)], now: &str) -> ApiResult<Vec<String>> {
    let current = cases::facts(tx.conn(), case.id).await?;
    let mut conflicts = Vec::new();
    for (key, value) in facts {
        let key = key.as_str();
        match current.get(key) {
            None => {
                sqlx::query("INSERT INTO case_facts (case_id, fact_key, value, source_submission, updated_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(case.id.to_string())
                    .bind(key)
                    .bind(to_json(value))
                    .bind(s.id.to_string())
                    .bind(now)
                    .execute(tx.conn())
                    .await?;
            }
            Some(cur) => {
                let based_on_current = s.body.base_facts.get(key) == Some(&cur.source_submission);
                if based_on_current {
                    sqlx::query("UPDATE case_facts SET value = $1, source_submission = $2, updated_at = $3 WHERE case_id = $4 AND fact_key = $5")
                        .bind(to_json(value))
                        .bind(s.id.to_string())
                        .bind(now)
                        .bind(case.id.to_string())
                        .bind(key)
                        .execute(tx.conn())
                        .await?;
                } else if &cur.value == value {
                    // Someone else already recorded the same value: nothing to decide.
                } else {
                    sqlx::query(
                        "INSERT INTO conflicts (id, case_id, fact_key, current_value, current_source, proposed_value, proposed_source, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(Uuid::new_v4().to_string())
                    .bind(case.id.to_string())
                    .bind(key)
                    .bind(to_json(&cur.value))
                    .bind(cur.source_submission.map(|u| u.to_string()))
                    .bind(to_json(value))
                    .bind(s.id.to_string())
                    .bind(now)
                    .execute(tx.conn())
                    .await?;
                    conflicts.push(key.to_string());
                }
            }
        }
    }
    Ok(conflicts)
}

/// Step 2: the visit's evidence (best GPS fix, distance to the household, mock flag) beside the case, the submission
/// merged, its assignment completed; both investigators' phones learn it.
async fn record_evidence(tx: &mut Tx, case: &CaseRow, s: &StoredSubmission, now: &str) -> ApiResult<()> {
    let household = households::load(tx.conn(), case.household_id).await?;
    let evidence = submissions::gps_evidence(&s.body.gps_fixes, household.and_then(|h| h.location));
    sqlx::query(
        "INSERT INTO visits (submission_id, case_id, assignment_id, best_fix, distance_m, any_mock, merged_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(s.id.to_string())
    .bind(case.id.to_string())
    .bind(s.assignment_id.to_string())
    .bind(evidence.best_fix.as_ref().map(to_json))
    .bind(evidence.distance_m)
    .bind(flag(evidence.any_mock))
    .bind(now)
    .execute(tx.conn())
    .await?;
    sqlx::query("UPDATE submissions SET state = 'merged', merged_at = $1 WHERE id = $2").bind(now).bind(s.id.to_string()).execute(tx.conn()).await?;

    if let Some(a) = assignments::load(tx.conn(), s.assignment_id).await? {
        if a.status == AssignmentStatus::Assigned {
            sqlx::query("UPDATE assignments SET status = 'completed', completed_submission = $1, updated_at = $2 WHERE id = $3")
                .bind(s.id.to_string())
                .bind(now)
                .bind(a.id.to_string())
                .execute(tx.conn())
                .await?;
        } else {
            sqlx::query("UPDATE assignments SET updated_at = $1 WHERE id = $2").bind(now).bind(a.id.to_string()).execute(tx.conn()).await?;
        }
        if a.status != AssignmentStatus::Cancelled {
            // Both devices learn the visit is done (and see the merged facts).
            feed::assignment_upsert(tx, a.id, &a.investigators, &a.form_id, a.form_version).await?;
        }
    }
    Ok(())
}

/// Step 3: the procedure moves on — the investigation done (a district re-visit instead records the district's visit
/// where one is owed), the case's steps and the audit chain.
async fn advance_procedure(
    tx: &mut Tx,
    app: &AppState,
    case: &CaseRow,
    s: &StoredSubmission,
    form: &FormDefinition,
    facts: &[(String, Value)],
    conflicts: &[String],
) -> ApiResult<()> {
    match form.purpose {
        // A district re-visit is a check beside the procedure, not the case's investigation.
        FormPurpose::Revisit => revisits::record_district_visit(tx, app, case, s, form, facts).await?,
        FormPurpose::HomeVisit | FormPurpose::PeriodicReview => record_home_visit(tx, app, case, s).await?,
        FormPurpose::Declaration => {}
    }
    let detail = json!({ "submission_id": s.id, "assignment_id": s.assignment_id, "conflicts": conflicts });
    cases::add_step(tx, case.id, CaseEvent::VisitMerged.as_str(), Some(s.submitted_by), None, detail.clone()).await?;
    if !conflicts.is_empty() {
        let detail = json!({ "submission_id": s.id, "facts": conflicts });
        cases::add_step(tx, case.id, CaseEvent::ConflictRecorded.as_str(), None, None, detail).await?;
    }
    let mut entry = AuditEntry::system("submission.merge", "submission", s.id, Some(&s.org_path)).with_detail(detail);
    entry.actor_user_id = Some(s.submitted_by);
    audit::record(tx, entry).await?;
    Ok(())
}

/// The merged visit is the procedure's home visit (57号 第十六条), recorded in the name of the investigator who pushed
/// it, with the pair, the day it was finalised and whether the family signed. When the rules refuse it (the case has
/// moved on, say), the merge goes on: an accepted visit is never held back by a procedural step, and the refusal is
/// logged for a person to look at.
async fn record_home_visit(tx: &mut Tx, app: &AppState, case: &CaseRow, s: &StoredSubmission) -> ApiResult<()> {
    let acting = Acting::user(tx.conn(), s.submitted_by, None).await?;
    let action = Action::RecordHomeVisit {
        investigators: s.investigators.clone(),
        visited_on: china_day(s.body.finalized_at),
        family_signed: s.body.signatures.iter().any(|g| g.role == SignerRole::FamilyMember),
    };
    let calendar = calendar::work_calendar_on(tx.conn(), app.config.unloaded_years).await.map_err(ApiError::from)?;
    let about = json!({ "submission_id": s.id, "assignment_id": s.assignment_id });
    match actions::apply_with(tx, &app.policy, &calendar, &acting, case, action, None, about).await {
        Ok(_) => Ok(()),
        Err(e) if e.status.is_client_error() => {
            tracing::warn!(case = %case.id, code = e.code, "a merged visit could not be recorded as the case's home visit");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// After a blob arrives: merges every waiting submission that now has all its media.
pub async fn merge_waiting_for(app: &AppState, sha256: &str) -> ApiResult<()> {
    let db = &app.db;
    let ids: Vec<String> = sqlx::query(
        "SELECT s.id FROM submissions s JOIN submission_media m ON m.submission_id = s.id WHERE m.sha256 = $1 AND s.state = 'awaiting_media'",
    )
    .bind(sha256)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    for id in ids {
        let mut tx = db.begin().await?;
        let Some(s) = submissions::load_submission(tx.conn(), db::parse_uuid(&id)?).await? else { continue };
        if s.state != ruhu_core::protocol::SubmissionState::AwaitingMedia {
            continue;
        }
        if submissions::missing_media(tx.conn(), &submissions::referenced_media(&s.body)).await?.is_empty() {
            merge(&mut tx, app, &s).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}
