//! The legal procedure of the four assistance types as a pure state machine (no IO): the same rules on the phone
//! (deadlines shown offline, who may do what) and on the server.
//!
//! - [`apply`] takes a case's [`CaseState`], an [`Action`], the acting person and a [`Ctx`] (policy, calendar, today,
//!   near-relative declarants) and returns the [`Transition`] (new state, responsible person, events) or a
//!   [`WorkflowError`] with a stable code, a zh-CN message and its [`WorkflowErrorKind`] (forbidden, conflict,
//!   invalid: what a caller answers with); a refused action changes nothing.
//! - [`duties`]: who may take which action (roles) and the separation-of-duty rules, as data.
//! - [`deadlines`]: every open step's due date from the policy and the working-day calendar; overdue / due soon.
//! - [`relatives`]: near-relative declarations (近亲属备案) matched against a household's co-resident members.
//! - [`amount`]: the 补差 suggestion and the 临时救助 township cap.
//! - [`review`]: the periodic review visit's recommendation as a pre-filled outcome for the reviewer.
//! - [`sampler`]: the district's yearly spot-check sample (抽查复核), reproducible from a recorded seed.
//! - [`notice`]: publicity notice records (art. 24) and refusal / stop notice texts.

pub mod amount;
mod apply;
pub mod deadlines;
pub mod duties;
mod error;
pub mod materials;
pub mod notice;
pub mod relatives;
pub mod review;
pub mod sampler;
mod state;
mod vocab;

pub use apply::{Action, ActionKind, Actor, Application, Ctx, Event, Responsible, Transition, apply, case_event_label, register};
pub use error::{WorkflowError, WorkflowErrorKind};
pub use state::{
    CaseFlags, CaseState, ComplaintRecord, Decision, DecisionKind, EscalationRecord, FilingRecord, Opinion, Participation, PendingFiling,
};
pub use vocab::{ApplicationChannel, CaseEvent, Duty, EscalationOutcome, ObjectionMethod, Path, Recommendation, ReviewOutcome, Stage};

#[cfg(test)]
mod tests;
