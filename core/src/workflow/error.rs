//! A refused action: a stable snake_case code for programs, a zh-CN message for people, and the kind of refusal,
//! which is what a caller answers with (HTTP: 403, 409, 422) without reading the code.

use std::fmt;

use crate::{calendar::CalendarError, policy::PolicyError};

/// Why an action was refused, in the terms a caller needs to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkflowErrorKind {
    /// Who may not: the acting person's roles, a separation of duties, a near-relative conflict (HTTP 403).
    Forbidden,
    /// Not now: the case's stage, type or history does not allow it (HTTP 409).
    Conflict,
    /// Bad input: a missing or malformed value, or a policy or calendar that cannot answer (HTTP 422).
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowError {
    pub kind: WorkflowErrorKind,
    pub code: &'static str,
    pub message_zh: String,
    /// The input field at fault, if one is.
    pub field: Option<&'static str>,
}

impl WorkflowError {
    pub fn new(kind: WorkflowErrorKind, code: &'static str, message_zh: impl Into<String>) -> Self {
        Self { kind, code, message_zh: message_zh.into(), field: None }
    }

    /// Who may not ([`WorkflowErrorKind::Forbidden`]).
    pub fn forbidden(code: &'static str, message_zh: impl Into<String>) -> Self {
        Self::new(WorkflowErrorKind::Forbidden, code, message_zh)
    }

    /// Not now ([`WorkflowErrorKind::Conflict`]).
    pub fn conflict(code: &'static str, message_zh: impl Into<String>) -> Self {
        Self::new(WorkflowErrorKind::Conflict, code, message_zh)
    }

    /// Bad input ([`WorkflowErrorKind::Invalid`]).
    pub fn invalid(code: &'static str, message_zh: impl Into<String>) -> Self {
        Self::new(WorkflowErrorKind::Invalid, code, message_zh)
    }

    pub fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message_zh)
    }
}

impl std::error::Error for WorkflowError {}

impl From<CalendarError> for WorkflowError {
    fn from(e: CalendarError) -> Self {
        Self::invalid(e.code(), e.message_zh())
    }
}

impl From<PolicyError> for WorkflowError {
    fn from(e: PolicyError) -> Self {
        Self::invalid(e.code, e.message_zh())
    }
}
