//! The one public error of the FFI boundary. Every variant carries a stable `code` for programs and a zh-CN
//! `message` for people; variants exist only where an app must react differently.

use ruhu_core::device::DeviceError;

use crate::records::FieldProblem;

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum RuhuError {
    /// The key does not open the local store (or the platform could not unwrap it). Nothing was changed.
    #[error("{message}")]
    WrongKey { code: String, message: String },
    /// The server revoked this device or user; local data has been wiped. Show the login screen.
    #[error("{message}")]
    Revoked { code: String, message: String },
    /// No network or the connection broke: keep working offline, try again later.
    #[error("{message}")]
    Offline { code: String, message: String },
    /// The user must log in (again).
    #[error("{message}")]
    NotLoggedIn { code: String, message: String },
    /// Answers that break the form's rules, one entry per problem, to show next to the questions.
    #[error("{message}")]
    Validation { code: String, message: String, problems: Vec<FieldProblem> },
    /// Anything else: show `message`.
    #[error("{message}")]
    Failed { code: String, message: String, field: Option<String> },
    #[error("{message}")]
    Internal { message: String },
}

impl From<DeviceError> for RuhuError {
    fn from(e: DeviceError) -> Self {
        let code = e.code().to_string();
        let message = e.message_zh();
        match e {
            DeviceError::WrongKey => Self::WrongKey { code, message },
            DeviceError::DeviceRevoked(_) | DeviceError::Wiped => Self::Revoked { code, message },
            DeviceError::Network(_) => Self::Offline { code, message },
            DeviceError::NotLoggedIn => Self::NotLoggedIn { code, message },
            DeviceError::Validation(errors) => Self::Validation { code, message, problems: errors.into_iter().map(FieldProblem::from).collect() },
            DeviceError::InvalidInput { field, .. } => Self::Failed { code, message, field: Some(field) },
            _ => Self::Failed { code, message, field: None },
        }
    }
}

pub(crate) fn invalid(field: &str, message: &str) -> RuhuError {
    RuhuError::Failed { code: "invalid_input".into(), message: message.into(), field: Some(field.into()) }
}
