//! Timestamps in the store are RFC 3339 UTC text with microseconds (sorts as text, reads back exactly).

use chrono::{DateTime, SecondsFormat, Utc};

use super::error::{DeviceError, Result};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_text(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DeviceError::Storage(format!("stored time {s:?} unreadable: {e}")))
}

pub fn uuid_from_text(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|e| DeviceError::Storage(format!("stored id {s:?} unreadable: {e}")))
}
