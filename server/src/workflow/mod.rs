//! The case workflow over HTTP: actions on a case (`POST /api/v1/cases/{id}/actions`), its workflow view, deadline
//! lists, near-relative declarations, complaints, filings and the district's spot-check runs. The rules themselves
//! live in `ruhu_core::workflow`; this module loads and stores the state, scopes, audits and keeps the projections
//! (filings, escalations, complaints) in step, in the same transaction as the transition.

pub mod actions;
pub mod assign;
pub mod case_state;
pub mod intake;
pub mod legacy_states;
pub mod lists;
pub mod notices;
pub mod periodic_reviews;
pub mod relatives;
pub mod revisit_comparison;
pub mod revisits;
pub mod spot_checks;

use axum::http::StatusCode;
use ruhu_core::workflow::{WorkflowError, WorkflowErrorKind};

use crate::store::error::ApiError;

/// A refused workflow action as a Problem: 403 for who-may-not, 409 for not-now, 422 for bad input.
pub fn api_error(e: WorkflowError) -> ApiError {
    let status = match e.kind {
        WorkflowErrorKind::Forbidden => StatusCode::FORBIDDEN,
        WorkflowErrorKind::Conflict => StatusCode::CONFLICT,
        WorkflowErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut out = ApiError::new(status, e.code, e.message_zh);
    if let Some(f) = e.field {
        out = out.with_field(f);
    }
    out
}
