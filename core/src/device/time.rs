//! Timestamps in the store are RFC 3339 UTC text with microseconds (sorts as text, reads back exactly).

use chrono::{DateTime, SecondsFormat, Utc};

use super::error::{DeviceError, Result};

/// Now on the phone's clock (in a test build, the clock the test run set).
pub fn now() -> DateTime<Utc> {
    crate::time::process_clock().now()
}

pub fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_text(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| DeviceError::Storage(format!("stored time {s:?} unreadable: {e}")))
}

pub fn uuid_from_text(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|e| DeviceError::Storage(format!("stored id {s:?} unreadable: {e}")))
}
