//! Policy as configuration: every number the rules set (deadlines, rates, caps, intervals, local standards) comes from a
//! district's policy file, each with the note of where it comes from. Nothing of this is a literal in code.
//!
//! The file format is documented in docs/policy.md; `core/data/policy-huaxi.toml` is Huaxi District's file.

mod keywords;
mod parse;
mod ratio;

use std::{
    collections::{BTreeMap, HashMap},
    fmt,
    sync::LazyLock,
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::toml_reader::KeyError;
pub use keywords::{Area, DeadlineAnchor, DeadlineStep, PeriodUnit, Relation, ReviewCadence, SpotCheckGroup, VisitTrigger};
pub use ratio::Ratio;

use crate::{
    assistance::AssistanceType,
    calendar::{CalendarError, Deadline, WorkCalendar},
};

pub const POLICY_FORMAT: &str = "ruhu-policy/1";

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceNote {
    /// Document and article, e.g. "民发〔2021〕57号 第十五条".
    pub source: String,
    /// Anything a reader should know (how it was read, what is uncertain).
    pub note: Option<String>,
    /// Demonstration value, not the district's real figure.
    pub demo: bool,
    /// The value as a person reads it, with its unit ("12%", "20 个工作日", "newly_added、exited").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_zh: Option<String>,
}

/// A time limit for one step of one kind of case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRule {
    pub length: u32,
    pub unit: PeriodUnit,
    pub from: DeadlineAnchor,
    /// Using this limit must be justified by a recorded reason (the extended procedure).
    pub requires_reason: bool,
    pub source: SourceNote,
}

impl DeadlineRule {
    /// The due date when the anchoring event happened on `start`.
    pub fn due(&self, calendar: &WorkCalendar, start: NaiveDate) -> Result<Deadline, CalendarError> {
        match self.unit {
            PeriodUnit::WorkingDays => calendar.add_working_days(start, self.length),
            PeriodUnit::CalendarDays => calendar.add_calendar_days(start, self.length),
        }
    }

    /// "3个工作日" / "7天"
    pub fn describe_zh(&self) -> String {
        format!("{}{}", self.length, self.unit.label_zh())
    }
}

/// One year's local 低保 standards (monthly, per person, in fen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalStandard {
    pub year: i32,
    pub dibao_urban_monthly_fen: i64,
    pub dibao_rural_monthly_fen: i64,
    /// Demonstration values: must be shown as such and replaced by the district's real standard.
    pub demo: bool,
}

impl LocalStandard {
    pub fn dibao_monthly_fen(&self, area: Area) -> i64 {
        match area {
            Area::Urban => self.dibao_urban_monthly_fen,
            Area::Rural => self.dibao_rural_monthly_fen,
        }
    }
}

/// A policy file that could not be used, or a value the policy does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// `invalid_policy` (the file) or `local_standard_missing` (a lookup).
    pub code: &'static str,
    pub error: KeyError,
}

impl PolicyError {
    pub(crate) fn invalid(error: KeyError) -> Self {
        Self { code: "invalid_policy", error }
    }

    pub fn path(&self) -> &str {
        &self.error.path
    }

    pub fn message_zh(&self) -> String {
        match self.code {
            "invalid_policy" => format!("政策参数文件有误：{}", self.error.describe_zh()),
            _ => self.error.message_zh.clone(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for PolicyError {}

impl From<KeyError> for PolicyError {
    fn from(e: KeyError) -> Self {
        Self::invalid(e)
    }
}

/// A district's policy. Built only by parsing a policy file, so every value has been validated and has a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub(crate) district_code: String,
    pub(crate) district_name: String,
    pub(crate) effective_from: Option<NaiveDate>,
    pub(crate) deadlines: HashMap<(AssistanceType, DeadlineStep), DeadlineRule>,
    /// Types whose deadlines are those of another type (低保边缘 follows the local 低保 procedure).
    pub(crate) deadlines_follow: HashMap<AssistanceType, AssistanceType>,
    pub(crate) min_investigators: u32,
    pub(crate) far_from_household_m: u32,
    pub(crate) linshi_township_cap_months: u32,
    pub(crate) spot_check_rate: Ratio,
    pub(crate) spot_check_scope: Vec<SpotCheckGroup>,
    pub(crate) full_visit_triggers: Vec<VisitTrigger>,
    pub(crate) tekun_spot_check_min_rate: Ratio,
    pub(crate) tekun_elderly_age: u32,
    pub(crate) tekun_minor_age: u32,
    pub(crate) tekun_disability_grades: BTreeMap<String, u32>,
    pub(crate) bianyuan_income_multiple: Ratio,
    pub(crate) review_interval_stable_months: u32,
    pub(crate) review_interval_irregular_months: u32,
    pub(crate) phase_out_max_months: u32,
    pub(crate) death_review_months: u32,
    pub(crate) reconciliation_day: u32,
    pub(crate) near_relatives: Vec<Relation>,
    /// Feedback to a real-name reporter (实名举报), counted from the complaint.
    pub(crate) complaint_feedback: Option<DeadlineRule>,
    /// Open steps due within this many working days are listed as due soon.
    pub(crate) due_soon_working_days: u32,
    /// From the 1st of this month, administrators are reminded to load next year's holiday schedule.
    pub(crate) next_year_calendar_month: u32,
    pub(crate) local_standards: BTreeMap<i32, LocalStandard>,
    /// The source note of every setting, by key path.
    pub(crate) notes: BTreeMap<String, SourceNote>,
}

static HUAXI: LazyLock<Policy> = LazyLock::new(|| {
    // Part of the build and checked by tests; failing here is a build defect, not bad input.
    Policy::from_toml(Policy::huaxi_toml()).expect("bundled Huaxi policy is valid")
});

impl Policy {
    /// Parses and validates a policy file; the error names the key path.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        parse::policy(text)
    }

    /// Huaxi District's policy, shipped with Ruhu (core/data/policy-huaxi.toml). Its local standards are DEMO values.
    pub fn huaxi() -> Policy {
        HUAXI.clone()
    }

    pub fn huaxi_toml() -> &'static str {
        include_str!("../../data/policy-huaxi.toml")
    }

    pub fn district_code(&self) -> &str {
        &self.district_code
    }

    pub fn district_name(&self) -> &str {
        &self.district_name
    }

    pub fn effective_from(&self) -> Option<NaiveDate> {
        self.effective_from
    }

    /// The time limit of `step` for `assistance_type`, if the policy sets one.
    pub fn deadline(&self, assistance_type: AssistanceType, step: DeadlineStep) -> Option<&DeadlineRule> {
        let t = self.deadlines_follow.get(&assistance_type).copied().unwrap_or(assistance_type);
        self.deadlines.get(&(t, step))
    }

    /// Every time limit of `assistance_type` (following another type where the policy says so).
    pub fn deadlines_of(&self, assistance_type: AssistanceType) -> Vec<(DeadlineStep, &DeadlineRule)> {
        DeadlineStep::ALL.iter().filter_map(|s| self.deadline(assistance_type, *s).map(|r| (*s, r))).collect()
    }

    /// Investigators per home-visit team, at least.
    pub fn min_investigators(&self) -> u32 {
        self.min_investigators
    }

    /// A visit whose best GPS fix is farther than this (metres) from the household's known location is flagged for
    /// the reviewer.
    pub fn far_from_household_m(&self) -> u32 {
        self.far_from_household_m
    }

    /// A township may approve temporary assistance up to this many months of the local 低保 standard.
    pub fn linshi_township_cap_months(&self) -> u32 {
        self.linshi_township_cap_months
    }

    /// The township's cap for one temporary-assistance decision in `year`, in fen; larger amounts go to the district.
    pub fn linshi_township_cap_fen(&self, year: i32, area: Area) -> Result<i64, PolicyError> {
        let standard = self.local_standard(year)?.dibao_monthly_fen(area);
        Ok(standard.saturating_mul(i64::from(self.linshi_township_cap_months)))
    }

    /// Share of the year's new and exited households the district spot-checks.
    pub fn spot_check_rate(&self) -> Ratio {
        self.spot_check_rate
    }

    pub fn spot_check_scope(&self) -> &[SpotCheckGroup] {
        &self.spot_check_scope
    }

    /// The groups the yearly spot check draws from, each with its rate: the general rate for the scope's groups, the
    /// 特困 minimum rate for the year's 特困 confirmations.
    pub fn spot_check_groups(&self) -> Vec<(SpotCheckGroup, Ratio)> {
        let mut out: Vec<(SpotCheckGroup, Ratio)> = self.spot_check_scope.iter().map(|g| (*g, self.spot_check_rate)).collect();
        out.push((SpotCheckGroup::TekunConfirmed, self.tekun_spot_check_min_rate));
        out
    }

    /// Households the supervising level must visit, every one of them.
    pub fn full_visit_triggers(&self) -> &[VisitTrigger] {
        &self.full_visit_triggers
    }

    pub fn requires_full_visit(&self, trigger: VisitTrigger) -> bool {
        self.full_visit_triggers.contains(&trigger)
    }

    /// Minimum share of 特困 applications the confirming level checks at random.
    pub fn tekun_spot_check_min_rate(&self) -> Ratio {
        self.tekun_spot_check_min_rate
    }

    /// 特困 (43号 art. 5(一)): a person of at least this age (周岁) has no work capacity.
    pub fn tekun_elderly_age(&self) -> u32 {
        self.tekun_elderly_age
    }

    /// 特困 (43号 art. 5(二)): a person below this age (未满…周岁) has no work capacity.
    pub fn tekun_minor_age(&self) -> u32 {
        self.tekun_minor_age
    }

    /// 特困 (43号 art. 5(三)): by disability type, the highest grade number (1 is the most severe) that means no
    /// work capacity; types not listed never do by themselves.
    pub fn tekun_disability_grades(&self) -> &BTreeMap<String, u32> {
        &self.tekun_disability_grades
    }

    /// 低保边缘: per-capita income below this multiple of the local 低保 standard.
    pub fn bianyuan_income_multiple(&self) -> Ratio {
        self.bianyuan_income_multiple
    }

    /// Whether a monthly per-capita income is below the 低保边缘 limit of `year` (exact, no rounding).
    pub fn is_below_bianyuan_limit(&self, per_capita_monthly_fen: i64, year: i32, area: Area) -> Result<bool, PolicyError> {
        let standard = self.local_standard(year)?.dibao_monthly_fen(area);
        Ok(self.bianyuan_income_multiple.value_is_below(per_capita_monthly_fen, standard))
    }

    pub fn review_interval_months(&self, cadence: ReviewCadence) -> u32 {
        match cadence {
            ReviewCadence::Stable => self.review_interval_stable_months,
            ReviewCadence::Irregular => self.review_interval_irregular_months,
        }
    }

    /// Longest phase-out (渐退期) after a member finds work.
    pub fn phase_out_max_months(&self) -> u32 {
        self.phase_out_max_months
    }

    /// A member's death: the household is reviewed within this many months.
    pub fn death_review_months(&self) -> u32 {
        self.death_review_months
    }

    /// Day of the month by which next month's new and adjusted recipients are approved and reconciled.
    pub fn reconciliation_day(&self) -> u32 {
        self.reconciliation_day
    }

    /// Relations that count as near relatives for the separate filing.
    pub fn near_relative_relations(&self) -> &[Relation] {
        &self.near_relatives
    }

    /// Time limit for telling a real-name reporter what the check of the complaint found, if the policy sets one.
    pub fn complaint_feedback(&self) -> Option<&DeadlineRule> {
        self.complaint_feedback.as_ref()
    }

    /// An open step due within this many working days is "due soon" (即将到期).
    pub fn due_soon_working_days(&self) -> u32 {
        self.due_soon_working_days
    }

    /// Whether administrators should by `today` have loaded the holiday schedule of the year after: from the 1st of
    /// the policy's month (the State Council usually announces it in November) to the year's end.
    pub fn next_year_calendar_due(&self, today: chrono::NaiveDate) -> bool {
        use chrono::Datelike;
        today.month() >= self.next_year_calendar_month
    }

    /// The local standards of `year`; an error (never a guess from another year) when the policy has none.
    pub fn local_standard(&self, year: i32) -> Result<&LocalStandard, PolicyError> {
        self.local_standards.get(&year).ok_or_else(|| PolicyError {
            code: "local_standard_missing",
            error: KeyError::new(
                format!("local_standards.{year}"),
                format!("no local standard is configured for {year}"),
                format!("{year}年的当地低保标准尚未配置，无法计算；请区民政局在政策参数中配置后再试"),
            ),
        })
    }

    pub fn local_standard_years(&self) -> Vec<i32> {
        self.local_standards.keys().copied().collect()
    }

    /// Every setting's key path and source note.
    pub fn source_notes(&self) -> impl Iterator<Item = (&str, &SourceNote)> {
        self.notes.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn source_note(&self, path: &str) -> Option<&SourceNote> {
        self.notes.get(path)
    }

    /// Paths of the settings marked as demonstration values.
    pub fn demo_settings(&self) -> Vec<&str> {
        self.notes.iter().filter(|(_, n)| n.demo).map(|(k, _)| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests;
