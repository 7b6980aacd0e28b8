//! Eligibility pre-check: advice for the investigator and the reviewer, never the decision. Every figure of local
//! policy (the 低保 standard, the 低保边缘 factor, asset limits, the ages of 特困 art. 5) comes in as a parameter
//! from the policy file; the result lists each finding with the inputs that led to it and a zh-CN explanation.
//! `precheck` picks the check of the case's type: 低保 / 低保边缘 here, 特困 in `tekun`.

mod tekun;

pub use tekun::{TekunAdvice, TekunFacts, TekunOutcome, TekunPolicy, tekun_from_facts, tekun_precheck};

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::{
    assistance::AssistanceType,
    facts::income_from_facts,
    money::yuan,
    policy::{Area, Policy, Ratio},
    protocol::PrecheckPolicy,
};

/// Local 低保 policy, from the policy file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DibaoPolicy {
    /// Monthly 低保 standard per person, in fen.
    pub standard_fen: i64,
    /// 低保边缘: per-capita income below `bianyuan_factor` × standard (`Policy::bianyuan_income_multiple`).
    pub bianyuan_factor: Ratio,
    pub asset_limits: AssetLimits,
}

/// Limits on household assets; None = no limit set, not checked (and said so).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AssetLimits {
    /// Deposits, securities and other financial assets, per household member, in fen.
    pub financial_per_capita_fen: Option<i64>,
    pub max_vehicles: Option<u32>,
    pub max_houses: Option<u32>,
}

/// What the visit found about a household.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdEconomics {
    pub household_size: u32,
    /// Monthly income counted under 57号 art. 13, in fen.
    pub monthly_income_fen: i64,
    /// Rigid expenses and employment costs deductible under art. 13 (last paragraph), monthly, in fen.
    pub deductions_fen: i64,
    pub financial_assets_fen: i64,
    /// Vehicles not exempt as necessary for work or disability.
    pub vehicles: u32,
    pub houses: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DibaoOutcome {
    /// Appears to qualify for 低保.
    Dibao,
    /// Appears to qualify as a 低保边缘 household.
    Bianyuan,
    NotEligible,
    /// The inputs do not allow a view (no household members).
    Unknown,
}

impl DibaoOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DibaoOutcome::Dibao => "dibao",
            DibaoOutcome::Bianyuan => "bianyuan",
            DibaoOutcome::NotEligible => "not_eligible",
            DibaoOutcome::Unknown => "unknown",
        }
    }

    /// What the screen says; always marked as a pre-check.
    pub fn label_zh(self) -> &'static str {
        match self {
            DibaoOutcome::Dibao => "预审：符合低保条件",
            DibaoOutcome::Bianyuan => "预审：符合低保边缘家庭条件",
            DibaoOutcome::NotEligible => "预审：不符合低保及低保边缘条件",
            DibaoOutcome::Unknown => "预审：信息不足，无法判断",
        }
    }
}

/// One finding: a stable code, whether the condition holds, the inputs it used and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    /// None when the condition was not checked (no limit set, missing input).
    pub met: Option<bool>,
    pub inputs: Vec<(&'static str, i64)>,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DibaoAdvice {
    pub outcome: DibaoOutcome,
    pub per_capita_income_fen: Option<i64>,
    /// 补差: (standard − per-capita income) × members, monthly, when the outcome is `Dibao`.
    pub gap_payment_fen: Option<i64>,
    pub findings: Vec<Finding>,
    /// Always says that this is advice and the township decides.
    pub note: &'static str,
}

const ADVICE_NOTE: &str = "本结果仅为预审参考，不是审核确认结论；以乡镇（街道）审核确认为准。";

/// The pre-check of a case, by its type; serialised with `kind` (`dibao` for 低保 and 低保边缘, `tekun`) beside the
/// advice's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Advice {
    Dibao(DibaoAdvice),
    Tekun(TekunAdvice),
}

impl Advice {
    /// Stable outcome code: `dibao`, `bianyuan`, `tekun`, `not_eligible`, `unknown`.
    pub fn outcome(&self) -> &'static str {
        match self {
            Advice::Dibao(a) => a.outcome.as_str(),
            Advice::Tekun(a) => a.outcome.as_str(),
        }
    }

    pub fn outcome_label_zh(&self) -> &'static str {
        match self {
            Advice::Dibao(a) => a.outcome.label_zh(),
            Advice::Tekun(a) => a.outcome.label_zh(),
        }
    }

    pub fn findings(&self) -> &[Finding] {
        match self {
            Advice::Dibao(a) => &a.findings,
            Advice::Tekun(a) => &a.findings,
        }
    }

    pub fn note(&self) -> &'static str {
        match self {
            Advice::Dibao(a) => a.note,
            Advice::Tekun(a) => a.note,
        }
    }

    /// 低保 only: the per-capita income and the 补差.
    pub fn dibao(&self) -> Option<&DibaoAdvice> {
        match self {
            Advice::Dibao(a) => Some(a),
            Advice::Tekun(_) => None,
        }
    }
}

/// The pre-check of a case of `assistance_type` from its facts against `figures` (what the server sends with the
/// assignment, and what it computes itself for the reviewer): None for 临时救助, or while the facts a check needs (the
/// household size and income; the applicant's age) are missing.
pub fn precheck(assistance_type: AssistanceType, facts: &BTreeMap<String, Value>, figures: &PrecheckPolicy) -> Option<Advice> {
    match assistance_type {
        AssistanceType::Dibao | AssistanceType::Bianyuan => {
            household_from_facts(facts).map(|h| Advice::Dibao(dibao_precheck(&h, &figures.dibao_policy())))
        }
        AssistanceType::Tekun => Some(Advice::Tekun(tekun_precheck(&tekun_from_facts(facts)?, &figures.tekun_policy()?))),
        AssistanceType::Linshi => None,
    }
}

/// The household's economics from case facts (the `fact` names the visit forms report): size and monthly income as
/// for the 补差 suggestion, financial assets, vehicles, houses, deductible rigid expenses. None without a household
/// size and an income. Financial assets: `assets.deposits_fen` (v1: deposits; v2: bank deposits and securities, so
/// `assets.securities_fen` is not added again) with v2's insurance and other financial assets.
pub fn household_from_facts(facts: &BTreeMap<String, Value>) -> Option<HouseholdEconomics> {
    let (income, size) = income_from_facts(facts)?;
    let int = |key: &str| facts.get(key).and_then(Value::as_i64);
    let vehicles = int("assets.vehicle_count").or_else(|| facts.get("assets.has_vehicle").and_then(Value::as_bool).map(i64::from));
    Some(HouseholdEconomics {
        household_size: u32::try_from(size).ok()?,
        monthly_income_fen: income,
        deductions_fen: int("expenses.deductible_fen").unwrap_or(0).max(0),
        financial_assets_fen: ["assets.deposits_fen", "assets.insurance_fen", "assets.other_financial_fen"]
            .iter()
            .map(|k| int(k).unwrap_or(0).max(0))
            .sum(),
        vehicles: vehicles.and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
        houses: int("assets.house_count").and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
    })
}

impl PrecheckPolicy {
    /// The pre-check figures for a case of `assistance_type` in `year` (None for 临时救助, or a year the policy has no
    /// standard for); the area comes from the `household.area` fact, rural when not recorded. 特困 cases also get
    /// the ages of 43号 art. 5.
    pub fn for_case(policy: &Policy, assistance_type: AssistanceType, facts: &BTreeMap<String, Value>, year: i32) -> Option<PrecheckPolicy> {
        if assistance_type == AssistanceType::Linshi {
            return None;
        }
        let area = Area::from_fact(facts.get(Area::FACT));
        let standard = policy.local_standard(year).ok()?;
        let tekun = assistance_type == AssistanceType::Tekun;
        Some(PrecheckPolicy {
            year,
            standard_fen: standard.dibao_monthly_fen(area),
            bianyuan_multiple: policy.bianyuan_income_multiple(),
            tekun_elderly_age: tekun.then(|| policy.tekun_elderly_age()),
            tekun_minor_age: tekun.then(|| policy.tekun_minor_age()),
            tekun_disability_grades: if tekun { policy.tekun_disability_grades().clone() } else { BTreeMap::new() },
        })
    }

    /// The 特困 figures, when the server sent the ages (a 特困 case).
    pub fn tekun_policy(&self) -> Option<TekunPolicy> {
        Some(TekunPolicy {
            standard_fen: self.standard_fen,
            elderly_age: self.tekun_elderly_age?,
            minor_age: self.tekun_minor_age?,
            disability_grades: self.tekun_disability_grades.clone(),
        })
    }

    pub fn dibao_policy(&self) -> DibaoPolicy {
        // No asset limits are configured for the district yet: the pre-check says they were not checked.
        DibaoPolicy { standard_fen: self.standard_fen, bianyuan_factor: self.bianyuan_multiple, asset_limits: AssetLimits::default() }
    }
}

/// 低保 / 低保边缘 pre-check of a household against local policy.
pub fn dibao_precheck(h: &HouseholdEconomics, policy: &DibaoPolicy) -> DibaoAdvice {
    let mut findings = Vec::new();
    if h.household_size == 0 {
        findings.push(Finding {
            code: "no_members",
            met: None,
            inputs: vec![("household_size", 0)],
            explanation: "家庭成员人数为0，无法计算人均收入".into(),
        });
        return DibaoAdvice { outcome: DibaoOutcome::Unknown, per_capita_income_fen: None, gap_payment_fen: None, findings, note: ADVICE_NOTE };
    }
    let size = i64::from(h.household_size);
    let counted = (h.monthly_income_fen - h.deductions_fen).max(0);
    let per_capita = counted / size;
    let below_standard = per_capita < policy.standard_fen;
    findings.push(Finding {
        code: "income_below_standard",
        met: Some(below_standard),
        inputs: vec![
            ("monthly_income_fen", h.monthly_income_fen),
            ("deductions_fen", h.deductions_fen),
            ("household_size", size),
            ("per_capita_income_fen", per_capita),
            ("standard_fen", policy.standard_fen),
        ],
        explanation: format!(
            "家庭月收入{}，扣减刚性支出等{}，{}人，月人均收入{}，{}当地低保标准{}",
            yuan(h.monthly_income_fen),
            yuan(h.deductions_fen),
            size,
            yuan(per_capita),
            if below_standard { "低于" } else { "不低于" },
            yuan(policy.standard_fen)
        ),
    });
    let assets_ok = asset_findings(h, &policy.asset_limits, &mut findings);
    let below_bianyuan = policy.bianyuan_factor.value_is_below(per_capita, policy.standard_fen);
    if !below_standard {
        let threshold = policy.bianyuan_factor.of_fen_floor(policy.standard_fen);
        findings.push(Finding {
            code: "income_below_bianyuan_threshold",
            met: Some(below_bianyuan),
            inputs: vec![
                ("per_capita_income_fen", per_capita),
                ("standard_fen", policy.standard_fen),
                ("factor_numerator", i64::try_from(policy.bianyuan_factor.numerator()).unwrap_or(i64::MAX)),
                ("factor_denominator", i64::try_from(policy.bianyuan_factor.denominator()).unwrap_or(i64::MAX)),
            ],
            explanation: format!(
                "月人均收入{}，{}低保边缘标准（低保标准的{}倍，约{}）",
                yuan(per_capita),
                if below_bianyuan { "低于" } else { "不低于" },
                factor_text(policy.bianyuan_factor),
                yuan(threshold)
            ),
        });
    }
    let outcome = match (below_standard, below_bianyuan, assets_ok) {
        (_, _, false) => DibaoOutcome::NotEligible,
        (true, _, true) => DibaoOutcome::Dibao,
        (false, true, true) => DibaoOutcome::Bianyuan,
        (false, false, true) => DibaoOutcome::NotEligible,
    };
    let gap_payment_fen = (outcome == DibaoOutcome::Dibao).then(|| (policy.standard_fen - per_capita) * size);
    if let Some(gap) = gap_payment_fen {
        findings.push(Finding {
            code: "gap_payment",
            met: Some(true),
            inputs: vec![
                ("standard_fen", policy.standard_fen),
                ("per_capita_income_fen", per_capita),
                ("household_size", size),
                ("gap_payment_fen", gap),
            ],
            explanation: format!("按补差计算：（{} − {}）× {}人 = 每月{}", yuan(policy.standard_fen), yuan(per_capita), size, yuan(gap)),
        });
    }
    DibaoAdvice { outcome, per_capita_income_fen: Some(per_capita), gap_payment_fen, findings, note: ADVICE_NOTE }
}

/// 3/2 → "1.5", 2/1 → "2", 1/3 → "1/3"
fn factor_text(f: Ratio) -> String {
    let (n, d) = (f.numerator(), f.denominator());
    let mut scale = 1u64;
    for _ in 0..6 {
        if (n * scale).is_multiple_of(d) {
            let v = n * scale / d;
            return if scale == 1 {
                v.to_string()
            } else {
                format!("{}.{}", v / scale, format!("{:0w$}", v % scale, w = scale.to_string().len() - 1).trim_end_matches('0'))
            };
        }
        scale *= 10;
    }
    f.to_string()
}

/// Adds one finding per asset limit; false when a set limit is exceeded.
fn asset_findings(h: &HouseholdEconomics, limits: &AssetLimits, findings: &mut Vec<Finding>) -> bool {
    let mut ok = true;
    let size = i64::from(h.household_size.max(1));
    match limits.financial_per_capita_fen {
        Some(limit) => {
            let per_capita = h.financial_assets_fen / size;
            let within = per_capita <= limit;
            ok &= within;
            findings.push(Finding {
                code: "financial_assets_within_limit",
                met: Some(within),
                inputs: vec![("financial_assets_fen", h.financial_assets_fen), ("household_size", size), ("limit_per_capita_fen", limit)],
                explanation: format!(
                    "存款、有价证券等金融资产人均{}，{}当地限额{}",
                    yuan(per_capita),
                    if within { "未超过" } else { "超过" },
                    yuan(limit)
                ),
            });
        }
        None => findings.push(unchecked("financial_assets_within_limit", "当地未设置金融资产限额，未核查")),
    }
    for (code, have, limit, what) in
        [("vehicles_within_limit", h.vehicles, limits.max_vehicles, "机动车辆"), ("houses_within_limit", h.houses, limits.max_houses, "房屋")]
    {
        match limit {
            Some(max) => {
                let within = have <= max;
                ok &= within;
                findings.push(Finding {
                    code,
                    met: Some(within),
                    inputs: vec![("count", i64::from(have)), ("limit", i64::from(max))],
                    explanation: format!("{what}{have}，{}当地限额{max}", if within { "未超过" } else { "超过" }),
                });
            }
            None => findings.push(unchecked(code, &format!("当地未设置{what}限额，未核查"))),
        }
    }
    ok
}

fn unchecked(code: &'static str, explanation: &str) -> Finding {
    Finding { code, met: None, inputs: Vec::new(), explanation: explanation.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Demo figures for tests only, not any district's policy.
    fn policy() -> DibaoPolicy {
        DibaoPolicy {
            standard_fen: 80_000,
            bianyuan_factor: Ratio::parse_decimal("1.5").unwrap(),
            asset_limits: AssetLimits { financial_per_capita_fen: Some(2_400_000), max_vehicles: Some(0), max_houses: Some(1) },
        }
    }

    fn household(income: i64) -> HouseholdEconomics {
        HouseholdEconomics { household_size: 3, monthly_income_fen: income, deductions_fen: 0, financial_assets_fen: 100_000, vehicles: 0, houses: 1 }
    }

    #[test]
    fn the_visit_facts_make_the_household_economics() {
        let facts: BTreeMap<String, Value> = [
            ("household.size", serde_json::json!(3)),
            ("income.wages_fen", serde_json::json!(65_000)),
            ("income.transfer_fen", serde_json::json!(12_000)),
            ("assets.deposits_fen", serde_json::json!(300_000)),
            ("assets.has_vehicle", serde_json::json!(false)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let h = household_from_facts(&facts).unwrap();
        assert_eq!((h.household_size, h.monthly_income_fen, h.financial_assets_fen, h.vehicles), (3, 77_000, 300_000, 0));
        let a = dibao_precheck(&h, &policy());
        assert_eq!((a.outcome, a.per_capita_income_fen), (DibaoOutcome::Dibao, Some(25_666)));
        // v2 reports deposits and securities together in assets.deposits_fen, and securities alone beside them.
        let mut v2 = facts.clone();
        v2.insert("assets.securities_fen".into(), serde_json::json!(50_000));
        v2.insert("assets.deposits_fen".into(), serde_json::json!(350_000));
        v2.insert("assets.insurance_fen".into(), serde_json::json!(10_000));
        assert_eq!(household_from_facts(&v2).unwrap().financial_assets_fen, 360_000, "securities counted once");
        let mut no_size = facts;
        no_size.remove("household.size");
        assert_eq!(household_from_facts(&no_size), None, "no advice without the household size");
    }

    #[test]
    fn below_the_standard_gets_the_gap_times_members() {
        let a = dibao_precheck(&household(150_000), &policy());
        assert_eq!(a.outcome, DibaoOutcome::Dibao);
        assert_eq!(a.per_capita_income_fen, Some(50_000));
        assert_eq!(a.gap_payment_fen, Some(90_000));
        let gap = a.findings.iter().find(|f| f.code == "gap_payment").unwrap();
        assert_eq!(gap.explanation, "按补差计算：（¥800.00 − ¥500.00）× 3人 = 每月¥900.00");
        assert!(a.note.contains("不是审核确认结论"));
    }

    #[test]
    fn deductions_count_and_the_bianyuan_threshold_is_exact() {
        // 3 × 1.5 × 800 = 3600 yuan a month is the edge; exactly at it is not below.
        let at_edge = dibao_precheck(&household(360_000), &policy());
        assert_eq!(at_edge.outcome, DibaoOutcome::NotEligible);
        let just_below = dibao_precheck(&household(359_997), &policy());
        assert_eq!(just_below.outcome, DibaoOutcome::Bianyuan);
        let edge = just_below.findings.iter().find(|f| f.code == "income_below_bianyuan_threshold").unwrap();
        assert!(edge.explanation.contains("1.5倍"), "{}", edge.explanation);
        // Medical costs deducted bring the same household under the standard.
        let mut h = household(300_000);
        h.deductions_fen = 90_000;
        let a = dibao_precheck(&h, &policy());
        assert_eq!((a.outcome, a.per_capita_income_fen), (DibaoOutcome::Dibao, Some(70_000)));
        // The factor comes from policy: with 2.0 the edge moves.
        let mut p = policy();
        p.bianyuan_factor = Ratio::parse_decimal("2").unwrap();
        assert_eq!(dibao_precheck(&household(400_000), &p).outcome, DibaoOutcome::Bianyuan);
    }

    #[test]
    fn assets_over_a_limit_refuse_and_unset_limits_are_said_to_be_unchecked() {
        let mut h = household(150_000);
        h.vehicles = 1;
        let a = dibao_precheck(&h, &policy());
        assert_eq!(a.outcome, DibaoOutcome::NotEligible);
        let car = a.findings.iter().find(|f| f.code == "vehicles_within_limit").unwrap();
        assert_eq!((car.met, car.explanation.as_str()), (Some(false), "机动车辆1，超过当地限额0"));
        let mut p = policy();
        p.asset_limits = AssetLimits::default();
        let a = dibao_precheck(&h, &p);
        assert_eq!(a.outcome, DibaoOutcome::Dibao);
        assert!(a.findings.iter().filter(|f| f.met.is_none()).all(|f| f.explanation.contains("未核查")));
        assert_eq!(a.findings.iter().filter(|f| f.met.is_none()).count(), 3);
    }

    #[test]
    fn no_members_is_unknown_not_a_division_by_zero() {
        let mut h = household(0);
        h.household_size = 0;
        assert_eq!(dibao_precheck(&h, &policy()).outcome, DibaoOutcome::Unknown);
    }

    #[test]
    fn the_shipped_policy_file_feeds_the_pre_check() {
        use crate::policy::{Area, Policy};
        let policy_file = Policy::huaxi();
        let year = *policy_file.local_standard_years().last().unwrap();
        let standard_fen = policy_file.local_standard(year).unwrap().dibao_monthly_fen(Area::Rural);
        let p = DibaoPolicy { standard_fen, bianyuan_factor: policy_file.bianyuan_income_multiple(), asset_limits: AssetLimits::default() };
        let mut h = household(0);
        h.household_size = 1;
        h.monthly_income_fen = standard_fen;
        let advice = dibao_precheck(&h, &p);
        assert_eq!(
            advice.outcome == DibaoOutcome::Bianyuan,
            policy_file.is_below_bianyuan_limit(standard_fen, year, Area::Rural).unwrap(),
            "the pre-check and the policy agree on the 低保边缘 line"
        );
    }

    #[test]
    fn factors_read_as_people_write_them() {
        assert_eq!(factor_text(Ratio::parse_decimal("1.5").unwrap()), "1.5");
        assert_eq!(factor_text(Ratio::parse_decimal("1.25").unwrap()), "1.25");
        assert_eq!(factor_text(Ratio::parse_decimal("2").unwrap()), "2");
        assert_eq!(factor_text(Ratio::new(1, 3).unwrap()), "1/3");
    }
}
