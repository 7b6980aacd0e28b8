//! A one-time data migration: before the workflow state became the only owner of a case's stage, cases could be
//! opened without one, and assignments and visit merges wrote a `step` string that was reinterpreted on every read.
//! At start, every case still in that shape gets its workflow state stored once (derived from its acceptance, its
//! open assignment and its merged visits, as the reads did) and `step` becomes the stage's projection. Recorded in
//! `data_migrations`, so it runs once per database.

use ruhu_core::{
    policy::Area,
    time::china_day,
    workflow::{CaseState, Duty, Participation, Stage},
};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    records::cases::{self, CaseRow},
    store::{
        db::{Db, parse_json, parse_ts, parse_uuid, to_json, ts},
        error::{ApiResult, Error, Result},
    },
};

const NAME: &str = "workflow_states";

/// Stores the workflow state of every case that has none or whose legacy step says more than its state.
pub async fn fill(db: &Db) -> Result<()> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("SELECT name FROM data_migrations WHERE name = $1").bind(NAME).fetch_optional(tx.conn()).await?;
    if done.is_some() {
        return Ok(());
    }
    let rows = sqlx::query(&format!("{} WHERE workflow IS NULL OR step IN ('accepted', 'investigating', 'investigated')", cases::SELECT))
        .fetch_all(tx.conn())
        .await?;
    let mut filled = 0;
    for row in &rows {
        let case = cases::from_row(row)?;
        let stored: Option<String> =
            sqlx::query("SELECT workflow FROM cases WHERE id = $1").bind(case.id.to_string()).fetch_one(tx.conn()).await?.try_get("workflow")?;
        let mut state = match stored {
            Some(json) => parse_json::<CaseState>(&json)?,
            None => legacy_state(tx.conn(), &case).await.map_err(|e| Error::Invalid(e.message))?,
        };
        reconcile(tx.conn(), &case, &mut state).await.map_err(|e| Error::Invalid(e.message))?;
        sqlx::query("UPDATE cases SET workflow = $1, step = $2 WHERE id = $3")
            .bind(to_json(&state))
            .bind(state.stage.as_str())
            .bind(case.id.to_string())
            .execute(tx.conn())
            .await?;
        filled += 1;
    }
    sqlx::query("INSERT INTO data_migrations (name, done_at) VALUES ($1, $2)").bind(NAME).bind(ts(tx.now())).execute(tx.conn()).await?;
    tx.commit().await?;
    if filled > 0 {
        tracing::info!(cases = filled, "stored the workflow state of cases opened before it existed");
    }
    Ok(())
}

/// A case opened before the workflow existed: accepted on the day it was opened, by whoever opened it.
async fn legacy_state(conn: &mut AnyConnection, case: &CaseRow) -> ApiResult<CaseState> {
    let facts = cases::facts(conn, case.id).await?;
    let area = Area::from_fact(facts.get(Area::FACT).map(|f| &f.value));
    let accepted = china_day(case.created_at);
    let mut s = CaseState::new(case.assistance_type, area, accepted);
    s.accepted_on = Some(accepted);
    s.stage = Stage::Accepted;
    if let Ok(creator) = case.created_by.parse::<Uuid>() {
        s.participants.push(Participation { user_id: creator, duty: Duty::Accept, on: accepted });
    }
    Ok(s)
}

/// Brings the state in step with what the legacy `step` column recorded: an assignment started the investigation,
/// a merged visit was the home visit.
async fn reconcile(conn: &mut AnyConnection, case: &CaseRow, s: &mut CaseState) -> ApiResult<()> {
    if !matches!(s.stage, Stage::Accepted | Stage::Investigating | Stage::UnderReview) {
        return Ok(());
    }
    let assignment = sqlx::query(
        "SELECT investigator1, investigator2, created_at FROM assignments WHERE case_id = $1 AND status <> 'cancelled' AND purpose <> 'revisit' \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(case.id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(a) = assignment else { return Ok(()) };
    let pair = [parse_uuid(&a.try_get::<String, _>("investigator1")?)?, parse_uuid(&a.try_get::<String, _>("investigator2")?)?];
    let assigned_on = china_day(parse_ts(&a.try_get::<String, _>("created_at")?)?);
    let add_team = |s: &mut CaseState| {
        for u in pair {
            if !s.investigators.contains(&u) {
                s.investigators.push(u);
                s.participants.push(Participation { user_id: u, duty: Duty::Investigate, on: assigned_on });
            }
        }
    };
    if s.stage == Stage::Accepted && (case.step == "investigating" || case.step == "investigated") {
        s.stage = Stage::Investigating;
        s.investigation_started_on = Some(assigned_on);
        add_team(s);
    }
    if case.step == "investigated" && s.home_visit_on.is_none() && s.stage != Stage::Accepted {
        let visit = sqlx::query(
            "SELECT v.merged_at FROM visits v JOIN assignments a ON a.id = v.assignment_id WHERE v.case_id = $1 AND a.purpose <> 'revisit' \
             ORDER BY v.merged_at DESC LIMIT 1",
        )
        .bind(case.id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(v) = visit {
            s.home_visit_on = Some(china_day(parse_ts(&v.try_get::<String, _>("merged_at")?)?));
            add_team(s);
        }
    }
    Ok(())
}
