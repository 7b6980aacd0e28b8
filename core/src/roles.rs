//! Roles. A user has one org unit and one or more roles; what a role may do is decided here for both ends.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 区民政局监管人员: filings, spot-checks, escalated review.
    DistrictSupervisor,
    /// 乡镇审核确认人员: reviews and confirms.
    TownshipReviewer,
    /// 乡镇经办人员: accepts applications, manages cases.
    TownshipCaseworker,
    /// 调查组织人员: assigns home visits to pairs of investigators.
    VisitSupervisor,
    /// 调查人员: does home visits.
    Investigator,
    /// 村（居）协助人员: helps investigate, applies on behalf.
    VillageAssistant,
    /// 系统管理员: users, devices, org units.
    Admin,
}

pub const ALL_ROLES: [Role; 7] = [
    Role::DistrictSupervisor,
    Role::TownshipReviewer,
    Role::TownshipCaseworker,
    Role::VisitSupervisor,
    Role::Investigator,
    Role::VillageAssistant,
    Role::Admin,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DistrictSupervisor => "district_supervisor",
            Self::TownshipReviewer => "township_reviewer",
            Self::TownshipCaseworker => "township_caseworker",
            Self::VisitSupervisor => "visit_supervisor",
            Self::Investigator => "investigator",
            Self::VillageAssistant => "village_assistant",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_ROLES.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::DistrictSupervisor => "区级监管人员",
            Self::TownshipReviewer => "乡镇审核确认人员",
            Self::TownshipCaseworker => "乡镇经办人员",
            Self::VisitSupervisor => "入户调查组织人员",
            Self::Investigator => "调查人员",
            Self::VillageAssistant => "村（居）协助人员",
            Self::Admin => "系统管理员",
        }
    }

    /// Who may register households and open cases (申请受理).
    pub fn may_manage_cases(self) -> bool {
        matches!(self, Self::TownshipCaseworker | Self::TownshipReviewer | Self::VisitSupervisor | Self::VillageAssistant)
    }

    /// Who may assign, reassign and cancel home visits.
    pub fn may_assign_visits(self) -> bool {
        matches!(self, Self::VisitSupervisor | Self::TownshipReviewer | Self::DistrictSupervisor)
    }

    /// Who may be named investigator on a visit.
    pub fn may_investigate(self) -> bool {
        matches!(self, Self::Investigator | Self::VillageAssistant | Self::TownshipCaseworker | Self::DistrictSupervisor)
    }
}
