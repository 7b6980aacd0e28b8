//! A refused action: a stable snake_case code for programs and a zh-CN message for people.

use std::fmt;

use crate::{calendar::CalendarError, policy::PolicyError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowError {
    pub code: &'static str,
    pub message_zh: String,
    /// The input field at fault, if one is.
    pub field: Option<&'static str>,
}

impl WorkflowError {
    pub fn new(code: &'static str, message_zh: impl Into<String>) -> Self {
        Self { code, message_zh: message_zh.into(), field: None }
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
        Self::new(e.code(), e.message_zh())
    }
}

impl From<PolicyError> for WorkflowError {
    fn from(e: PolicyError) -> Self {
        Self::new(e.code, e.message_zh())
    }
}
