//! The one error type of the device engine. The FFI layer converts it in one place: `code()` for programs,
//! `message_zh()` for the person holding the phone.

use crate::form::FieldError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeviceError {
    /// The store exists but the key does not open it. The file is left exactly as it was.
    #[error("the database key does not open the local store")]
    WrongKey,
    /// The SQLite library has no SQLCipher: it would silently write plain text, so the engine refuses to run.
    #[error("the SQLite library is not SQLCipher")]
    NotSqlCipher,
    #[error("local storage failed: {0}")]
    Storage(String),
    #[error("no user is logged in on this device")]
    NotLoggedIn,
    /// Offline, timed out or the connection broke: try again later.
    #[error("network error: {0}")]
    Network(String),
    /// A Problem returned by the server; `message` is the server's Chinese text.
    #[error("server error {status} {code}: {message}")]
    Server { status: u16, code: String, message: String },
    /// The server refused this device or user; the local store has been wiped.
    #[error("device or user revoked by the server ({0}); local data wiped")]
    DeviceRevoked(String),
    #[error("invalid input for {field}: {message}")]
    InvalidInput { field: String, message: String },
    /// Answers that break the form's rules, one entry per problem.
    #[error("{} answer(s) do not satisfy the form", .0.len())]
    Validation(Vec<FieldError>),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("photo rejected: {0}")]
    Photo(String),
    #[error("cancelled")]
    Cancelled,
    /// The store was wiped (by the user or because the server revoked the device); open a new one.
    #[error("the local store has been wiped")]
    Wiped,
}

pub type Result<T, E = DeviceError> = std::result::Result<T, E>;

impl DeviceError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongKey => "wrong_key",
            Self::NotSqlCipher => "not_sqlcipher",
            Self::Storage(_) => "storage",
            Self::NotLoggedIn => "not_logged_in",
            Self::Network(_) => "network",
            Self::Server { .. } => "server",
            Self::DeviceRevoked(_) => "device_revoked",
            Self::InvalidInput { .. } => "invalid_input",
            Self::Validation(_) => "validation",
            Self::NotFound(_) => "not_found",
            Self::Photo(_) => "photo",
            Self::Cancelled => "cancelled",
            Self::Wiped => "wiped",
        }
    }

    /// Chinese text for the user. Variants built from user-facing pieces (server messages, field errors, photo
    /// problems) carry their Chinese text already.
    pub fn message_zh(&self) -> String {
        match self {
            Self::WrongKey => "无法打开本机数据：密钥不正确".into(),
            Self::NotSqlCipher => "本机数据库不支持加密，已停止运行以保护数据".into(),
            Self::Storage(_) => "本机存储出错，请重试；如仍失败请联系管理员".into(),
            Self::NotLoggedIn => "请先登录".into(),
            Self::Network(_) => "网络连接失败，数据已保存在本机，稍后将自动重试".into(),
            Self::Server { message, .. } => message.clone(),
            Self::DeviceRevoked(_) => "此设备或账号已被停用，本机数据已清除".into(),
            Self::InvalidInput { message, .. } => message.clone(),
            Self::Validation(errors) => {
                let parts: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                if parts.is_empty() { "填写内容有误".into() } else { parts.join("；") }
            }
            Self::NotFound(what) => format!("未找到：{what}"),
            Self::Photo(message) => message.clone(),
            Self::Cancelled => "已取消".into(),
            Self::Wiped => "本机数据已清除，请重新登录".into(),
        }
    }

    /// Worth trying the same operation again later without changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network(_) | Self::Cancelled => true,
            Self::Server { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidInput { field: field.into(), message: message.into() }
    }

    pub(crate) fn storage(e: impl std::fmt::Display) -> Self {
        Self::Storage(e.to_string())
    }
}

impl From<rusqlite::Error> for DeviceError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.code == rusqlite::ErrorCode::NotADatabase
        {
            return Self::WrongKey;
        }
        Self::Storage(e.to_string())
    }
}

impl From<std::io::Error> for DeviceError {
    fn from(e: std::io::Error) -> Self {
        Self::Storage(e.to_string())
    }
}

impl From<serde_json::Error> for DeviceError {
    fn from(e: serde_json::Error) -> Self {
        Self::Storage(format!("stored JSON unreadable: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_messages_chinese() {
        let e = DeviceError::Validation(vec![FieldError { question_id: "a".into(), code: "required".into(), message: "请填写：甲".into() }]);
        assert_eq!(e.code(), "validation");
        assert_eq!(e.message_zh(), "请填写：甲");
        assert_eq!(DeviceError::WrongKey.code(), "wrong_key");
        assert!(DeviceError::Network("x".into()).is_retryable());
        assert!(!DeviceError::WrongKey.is_retryable());
    }
}
