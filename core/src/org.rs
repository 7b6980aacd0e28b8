//! The org tree: district ⊃ township/subdistrict ⊃ village/community.
//!
//! Scoping everywhere rests on one rule: a unit sees itself and everything below it. Units carry a materialised
//! `path` ("/520111/520111101/…") so "below" is a prefix test on both ends.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    District,
    Township,
    Village,
}

impl OrgLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Township => "township",
            Self::Village => "village",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "district" => Some(Self::District),
            "township" => Some(Self::Township),
            "village" => Some(Self::Village),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::District => "区县",
            Self::Township => "乡镇（街道）",
            Self::Village => "村（社区）",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub parent_code: Option<String>,
    /// "/district/township/village" codes; a unit's scope is every unit whose path starts with its own.
    pub path: String,
    /// True for villages invented for the demo: they must never be mistaken for real ones.
    pub demo: bool,
    /// A village or community merged or abolished: its households stay where they are, no new one is registered.
    #[serde(default)]
    pub retired: bool,
}

impl OrgUnit {
    pub fn contains(&self, other_path: &str) -> bool {
        path_contains(&self.path, other_path)
    }
}

/// Whether `inner` is `outer` or lies below it.
pub fn path_contains(outer: &str, inner: &str) -> bool {
    inner == outer || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
}

pub fn child_path(parent_path: &str, code: &str) -> String {
    format!("{parent_path}/{code}")
}

#[derive(Debug, Clone, Deserialize)]
pub struct DistrictSeed {
    pub source: String,
    pub district: SeedUnit,
    pub townships: Vec<SeedUnit>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedUnit {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub kind: Option<String>,
}

/// Huaxi District and its 17 townships and subdistricts, as named in the seed plan.
pub fn huaxi_district() -> DistrictSeed {
    serde_json::from_str(include_str!("../data/org-huaxi.json")).expect("bundled org data is valid JSON")
}

/// The units of a seed as a flat list, parents first.
pub fn seed_units(seed: &DistrictSeed) -> Vec<OrgUnit> {
    let district_path = format!("/{}", seed.district.code);
    let mut units = vec![OrgUnit {
        code: seed.district.code.clone(),
        name: seed.district.name.clone(),
        level: OrgLevel::District,
        parent_code: None,
        path: district_path.clone(),
        demo: false,
        retired: false,
    }];
    units.extend(seed.townships.iter().map(|t| OrgUnit {
        code: t.code.clone(),
        name: t.name.clone(),
        level: OrgLevel::Township,
        parent_code: Some(seed.district.code.clone()),
        path: child_path(&district_path, &t.code),
        demo: false,
        retired: false,
    }));
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huaxi_has_the_seventeen_units_of_the_seed() {
        let seed = huaxi_district();
        let names: Vec<&str> = seed.townships.iter().map(|t| t.name.as_str()).collect();
        let expected = "青岩镇、石板镇、燕楼镇、麦坪镇、孟关乡、马铃乡、黔陶乡、高坡乡、久安乡、阳光街道、清溪街道、溪北街道、贵筑街道、黄河路街道、平桥街道、小孟街道、金筑街道";
        assert_eq!(names.join("、"), expected);
        assert_eq!(seed_units(&seed).len(), 18);
    }

    #[test]
    fn scope_is_a_path_prefix_at_a_boundary() {
        assert!(path_contains("/520111", "/520111/520111101"));
        assert!(path_contains("/520111/520111101", "/520111/520111101"));
        assert!(!path_contains("/520111/520111101", "/520111/5201111010"));
        assert!(!path_contains("/520111/520111101", "/520111/520111102/x"));
    }
}
