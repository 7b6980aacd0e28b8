//! How pressing an open step is on a given day: the words the server's deadline lists (`workflow::deadlines::classify`)
//! and the phone (`protocol::StepDue::urgency`) share. Imports nothing of either.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Overdue,
    DueSoon,
    OnTime,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::DueSoon => "due_soon",
            Self::OnTime => "on_time",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Overdue => "已逾期",
            Self::DueSoon => "即将到期",
            Self::OnTime => "未到期",
        }
    }
}
