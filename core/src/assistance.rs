//! The four kinds of assistance whose review and confirmation the seed devolves to townships.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssistanceType {
    /// 最低生活保障
    Dibao,
    /// 特困人员救助供养
    Tekun,
    /// 临时救助
    Linshi,
    /// 低保边缘家庭人口认定
    Bianyuan,
}

impl AssistanceType {
    pub const ALL: [Self; 4] = [Self::Dibao, Self::Tekun, Self::Linshi, Self::Bianyuan];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dibao => "dibao",
            Self::Tekun => "tekun",
            Self::Linshi => "linshi",
            Self::Bianyuan => "bianyuan",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Dibao => "最低生活保障",
            Self::Tekun => "特困人员救助供养",
            Self::Linshi => "临时救助",
            Self::Bianyuan => "低保边缘家庭认定",
        }
    }
}
