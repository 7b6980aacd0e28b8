//! The district's yearly spot-check sample (抽查复核, 13号方案 四（四）): the policy's rate (12 %) of the year's newly
//! added and of its exited households, per township, plus every household the policy sends a 100 % visit
//! (near-relative filings, complaints).
//!
//! - 特困 households confirmed by a township in the year form their own group, drawn at the policy's 特困 rate
//!   (at least 30 %, 43号 第十六条); a household can be drawn in both its groups, and is visited once.
//! - Size per stratum (township × group) = `Ratio::sample_size(population)`: **rounded up** ("at least 12 %"), so a
//!   township with 1 to 8 new households gets 1 check, 9 get 2, 100 get 12, 10 000 get 1 200; 0 get none.
//! - Order: households are ranked by SHA-256(seed ‖ household id), the id written as the 36-character lowercase
//!   hyphenated uuid text, the seed as its UTF-8 bytes; ties (never seen in practice) by id. The first n are taken.
//!   SHA-256 is fixed by standard, so the same seed and frame give the same sample on any machine and any version.
//! - The seed is recorded with the run; anyone can redraw the sample from it.
//! - Re-visits go to staff who did not investigate the household originally and did not declare a relative in it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::WorkflowError;
use crate::policy::{Policy, Ratio, SpotCheckGroup, VisitTrigger};

/// One household of the year's frame.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameHousehold {
    pub household_id: Uuid,
    pub township_code: String,
    /// Newly added or exited this year; None for a household in the frame only for a 100 % trigger.
    pub group: Option<SpotCheckGroup>,
    pub triggers: Vec<VisitTrigger>,
    /// Who investigated it originally (never sent back to re-visit).
    pub original_investigators: Vec<Uuid>,
    /// Who declared a near relative in it.
    pub declarants: Vec<Uuid>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stratum {
    pub township_code: String,
    pub group: SpotCheckGroup,
    /// The rate of this group ("3/25" is 12 %, "3/10" is 30 %); empty in runs recorded before groups had their own.
    #[serde(default)]
    pub rate: String,
    pub population: u64,
    pub sample_size: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SampleReason {
    /// Drawn at random; `rank` 1 is the first drawn in its stratum.
    Random { group: SpotCheckGroup, rank: u64 },
    /// Always visited (100 %).
    FullVisit { trigger: VisitTrigger },
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sampled {
    pub household_id: Uuid,
    pub township_code: String,
    pub reasons: Vec<SampleReason>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub year: i32,
    pub seed: String,
    /// "3/25"
    pub rate: String,
    pub rounding_zh: String,
    pub strata: Vec<Stratum>,
    pub households: Vec<Sampled>,
}

pub const ROUNDING_ZH: &str = "每个乡镇（街道）的新增、退出家庭及当年确认的特困人员分别按各自比例计算抽查户数，不足1户的部分向上取整（“不低于”比例）";

/// A fresh random seed to record with a run (32 hex digits).
pub fn fresh_seed() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// The ranking key of a household under `seed`.
pub fn rank_key(seed: &str, household_id: Uuid) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(household_id.hyphenated().to_string().as_bytes());
    h.finalize().into()
}

/// Draws the sample of `year` from `frame` under `policy` and `seed`.
pub fn draw(frame: &[FrameHousehold], policy: &Policy, year: i32, seed: &str) -> Result<Sample, WorkflowError> {
    if seed.trim().is_empty() {
        return Err(WorkflowError::invalid("seed_required", "抽样种子不能为空").field("seed"));
    }
    let rate: Ratio = policy.spot_check_rate();
    let groups = policy.spot_check_groups();
    let rate_of = |g: SpotCheckGroup| groups.iter().find(|(x, _)| *x == g).map(|(_, r)| *r);
    let mut strata: BTreeMap<(String, SpotCheckGroup), Vec<Uuid>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for h in frame {
        if let Some(g) = h.group {
            if !seen.insert((h.household_id, g)) {
                return Err(WorkflowError::invalid("duplicate_household", format!("家庭{}在同一抽样组中重复出现", h.household_id)));
            }
            if rate_of(g).is_some() {
                strata.entry((h.township_code.clone(), g)).or_default().push(h.household_id);
            }
        }
    }
    let mut picked: BTreeMap<Uuid, Sampled> = BTreeMap::new();
    let mut sizes = Vec::new();
    for ((township, group), mut ids) in strata {
        ids.sort_by_cached_key(|id| (rank_key(seed, *id), *id));
        let group_rate = rate_of(group).unwrap_or(rate);
        let n = group_rate.sample_size(ids.len() as u64);
        sizes.push(Stratum { township_code: township.clone(), group, rate: group_rate.to_string(), population: ids.len() as u64, sample_size: n });
        for (i, id) in ids.into_iter().take(usize::try_from(n).unwrap_or(usize::MAX)).enumerate() {
            picked
                .entry(id)
                .or_insert_with(|| Sampled { household_id: id, township_code: township.clone(), reasons: Vec::new() })
                .reasons
                .push(SampleReason::Random { group, rank: i as u64 + 1 });
        }
    }
    for h in frame {
        for trigger in h.triggers.iter().filter(|t| policy.requires_full_visit(**t)) {
            let entry = picked.entry(h.household_id).or_insert_with(|| Sampled {
                household_id: h.household_id,
                township_code: h.township_code.clone(),
                reasons: Vec::new(),
            });
            let reason = SampleReason::FullVisit { trigger: *trigger };
            if !entry.reasons.contains(&reason) {
                entry.reasons.push(reason);
            }
        }
    }
    let mut households: Vec<Sampled> = picked.into_values().collect();
    households.sort_by(|a, b| a.township_code.cmp(&b.township_code).then_with(|| a.household_id.cmp(&b.household_id)));
    Ok(Sample { year, seed: seed.to_string(), rate: rate.to_string(), rounding_zh: ROUNDING_ZH.into(), strata: sizes, households })
}

/// A district re-visit: the household and the team sent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisit {
    pub household_id: Uuid,
    pub investigators: Vec<Uuid>,
}

/// Teams of the policy's minimum size from `staff` for every sampled household, never an original investigator of
/// it nor a declarant of a relative in it; chosen by SHA-256(seed ‖ household ‖ staff) so it is reproducible too.
pub fn assign_revisits(sample: &Sample, frame: &[FrameHousehold], staff: &[Uuid], policy: &Policy) -> Result<Vec<Revisit>, WorkflowError> {
    let team = policy.min_investigators() as usize;
    let mut out = Vec::new();
    for s in &sample.households {
        let excluded: BTreeSet<Uuid> = frame
            .iter()
            .filter(|h| h.household_id == s.household_id)
            .flat_map(|h| h.original_investigators.iter().chain(h.declarants.iter()).copied())
            .collect();
        let mut eligible: Vec<Uuid> = staff.iter().copied().filter(|u| !excluded.contains(u)).collect::<BTreeSet<_>>().into_iter().collect();
        if eligible.len() < team {
            return Err(WorkflowError::invalid(
                "not_enough_revisitors",
                format!("可安排复核的人员不足{team}人（原调查人员和申报近亲属的人员须回避），无法为家庭{}安排复核入户", s.household_id),
            ));
        }
        eligible.sort_by_cached_key(|u| {
            let mut h = Sha256::new();
            h.update(sample.seed.as_bytes());
            h.update(s.household_id.hyphenated().to_string().as_bytes());
            h.update(u.hyphenated().to_string().as_bytes());
            (<[u8; 32]>::from(h.finalize()), *u)
        });
        eligible.truncate(team);
        out.push(Revisit { household_id: s.household_id, investigators: eligible });
    }
    Ok(out)
}

/// A fact the re-visit found different from the original visit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingDifference {
    pub key: String,
    pub original: Option<serde_json::Value>,
    pub revisit: Option<serde_json::Value>,
}

/// Facts that differ between the original visit and the re-visit (keys present in either).
pub fn compare_findings(original: &BTreeMap<String, serde_json::Value>, revisit: &BTreeMap<String, serde_json::Value>) -> Vec<FindingDifference> {
    let keys: BTreeSet<&String> = original.keys().chain(revisit.keys()).collect();
    keys.into_iter()
        .filter(|k| original.get(*k) != revisit.get(*k))
        .map(|k| FindingDifference { key: k.clone(), original: original.get(k).cloned(), revisit: revisit.get(k).cloned() })
        .collect()
}
