//! A case begins as an application (申请, 57号 第九条), registered by whoever received it: a township caseworker or
//! reviewer at the counter, or a village assistant on the applicant's behalf (代为申请). The township then accepts it
//! or lists everything missing at once (一次性告知) — ordinary workflow actions. Registering writes the case with its
//! first workflow state, the registration as the case's first step, and the audit event, in one transaction.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ruhu_core::{
    assistance::AssistanceType,
    calendar::WorkCalendar,
    policy::Area,
    workflow::{Application, ApplicationChannel, Ctx, Transition, register},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{actions::Acting, api_error, case_state};
use crate::{
    app::state::AppState,
    records::{
        cases::{self, CaseRow},
        households::Household,
    },
    store::{audit, db::Tx, error::ApiResult},
};

/// An application as the desk registers it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewApplication {
    pub assistance_type: AssistanceType,
    /// The day the application was received; default today.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    /// `counter` (default for township staff) or `village_on_behalf` (代为申请; always so for a village assistant).
    #[serde(default)]
    pub channel: Option<ApplicationChannel>,
    /// Urban or rural (the local standard depends on it); recorded as the `household.area` fact. Default: the
    /// `household.area` among `facts`, else rural.
    #[serde(default)]
    pub area: Option<Area>,
    /// Facts from the application, entered at the desk (source: none).
    #[serde(default)]
    pub facts: BTreeMap<String, Value>,
}

/// Registers `application` for `household` by `acting` inside `tx`; returns the new case and its first transition.
pub async fn register_application(
    tx: &mut Tx,
    state: &AppState,
    calendar: &WorkCalendar,
    acting: &Acting,
    household: &Household,
    application: &NewApplication,
) -> ApiResult<(CaseRow, Transition)> {
    let today = tx.today();
    let mut facts = application.facts.clone();
    let area = application.area.unwrap_or_else(|| Area::from_fact(facts.get(Area::FACT)));
    facts.insert(Area::FACT.into(), json!(area.as_str()));
    let matches = case_state::relative_matches(tx.conn(), household.id, &state.policy).await?;
    let declarants = ruhu_core::workflow::relatives::declarants(&matches);
    let ctx = Ctx { policy: &state.policy, calendar, today, near_relative_declarants: &declarants };
    let received = Application {
        assistance_type: application.assistance_type,
        area,
        received_on: application.received_on.unwrap_or(today),
        channel: application.channel.unwrap_or_default(),
    };
    let t = register(&received, &acting.actor, &ctx).map_err(api_error)?;
    let case = cases::insert(tx, household, &t.state, &facts, acting.actor.user_id).await?;
    let detail = json!({
        "action": t.action,
        "to": t.to,
        "responsible": t.responsible,
        "input": received,
        "case_no": case.case_no,
        "desk_facts": facts.keys().collect::<Vec<_>>(),
    });
    cases::add_step(tx, case.id, &format!("wf.{}", t.action.as_str()), Some(acting.actor.user_id), None, detail.clone()).await?;
    audit::record(tx, acting.audit(&format!("case.{}", t.action.as_str()), &case).with_detail(detail)).await?;
    Ok((case, t))
}
