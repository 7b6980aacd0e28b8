//! 特困 pre-check: the three conditions of 《特困人员认定办法》（民发〔2021〕43号）art. 4 — no work capacity (art. 5),
//! no source of living (art. 6), no legal supporter able to support (art. 8) — from the facts the 特困 visit form
//! reports, against the ages and disability grades of art. 5 and the local 低保 standard of art. 6 from the policy file.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::{ADVICE_NOTE, Finding};
use crate::{
    facts::{INCOME_FACT_KEYS, TOTAL_INCOME_FACT},
    money::yuan,
};

/// The figures of the 特困 pre-check, from the policy file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TekunPolicy {
    /// Monthly 低保 standard per person (art. 6: income below it), in fen.
    pub standard_fen: i64,
    /// Art. 5(一): at or above this age (`tekun.elderly_age`).
    pub elderly_age: u32,
    /// Art. 5(二): below this age (`tekun.minor_age`).
    pub minor_age: u32,
    /// Art. 5(三): by disability type, the highest grade that means no work capacity
    /// (`tekun.disability_no_work_capacity`).
    pub disability_grades: BTreeMap<String, u32>,
}

/// What the visit found about a 特困 applicant; None where the visit has not recorded it (yet).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TekunFacts {
    /// Whole years on the visit day, from the ID number (`person.age`).
    pub age: u32,
    /// The disability type and grade recorded on the visit (`person.disability_type`, `person.disability_grade`).
    pub disability: Option<(String, u32)>,
    /// The investigators recorded no work capacity (`tekun.no_work_capacity`), which may rest on a provincial case
    /// of art. 5(四) the pre-check cannot verify.
    pub recorded_no_work_capacity: Option<bool>,
    pub monthly_income_fen: Option<i64>,
    /// Assets within the local rules for 特困 (art. 7), as judged on the visit.
    pub assets_within_rules: Option<bool>,
    /// Legal supporters able to fulfil their duty (art. 8).
    pub able_supporters: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TekunOutcome {
    /// All three conditions of art. 4 appear to hold.
    Tekun,
    NotEligible,
    /// A condition could not be checked from what was recorded.
    Unknown,
}

impl TekunOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            TekunOutcome::Tekun => "tekun",
            TekunOutcome::NotEligible => "not_eligible",
            TekunOutcome::Unknown => "unknown",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TekunOutcome::Tekun => "预审：符合特困人员认定条件",
            TekunOutcome::NotEligible => "预审：不符合特困人员认定条件",
            TekunOutcome::Unknown => "预审：信息不足，无法判断",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TekunAdvice {
    pub outcome: TekunOutcome,
    pub findings: Vec<Finding>,
    pub note: &'static str,
}

impl TekunPolicy {
    /// Art. 5(三): the recorded disability is of a listed type, at the listed grade or more severe (a lower number).
    fn disability_qualifies(&self, disability: Option<&(String, u32)>) -> Option<u32> {
        let (kind, grade) = disability?;
        self.disability_grades.get(kind).copied().filter(|highest| grade <= highest)
    }
}

/// The applicant's situation from case facts (the `fact` names of `tekun-home-visit`); None without an age.
pub fn tekun_from_facts(facts: &BTreeMap<String, Value>) -> Option<TekunFacts> {
    let text = |k: &str| facts.get(k).and_then(Value::as_str);
    let flag = |k: &str| facts.get(k).and_then(Value::as_bool);
    let int = |k: &str| facts.get(k).and_then(Value::as_i64);
    let age = int("person.age").and_then(|a| u32::try_from(a).ok())?;
    let monthly_income_fen = int(TOTAL_INCOME_FACT).or_else(|| {
        let parts: Vec<i64> = INCOME_FACT_KEYS.iter().filter_map(|k| int(k)).collect();
        (!parts.is_empty()).then(|| parts.iter().sum())
    });
    // The supporter rows say who is able; without rows, "no able supporter" recorded means none.
    let able_supporters = match facts.get("tekun.supporters").and_then(Value::as_array) {
        Some(rows) => u32::try_from(rows.iter().filter(|r| r["supporter_ability"] == "able").count()).ok(),
        None => flag("tekun.no_able_supporter").filter(|none| *none).map(|_| 0),
    };
    Some(TekunFacts {
        age,
        disability: text("person.disability_type").zip(text("person.disability_grade").and_then(|g| g.parse().ok())).map(|(k, g)| (k.to_string(), g)),
        recorded_no_work_capacity: flag("tekun.no_work_capacity"),
        monthly_income_fen,
        assets_within_rules: flag("tekun.assets_within_rules"),
        able_supporters,
    })
}

/// 特困 pre-check: the three conditions of 43号 art. 4, each with its inputs and a zh-CN explanation.
pub fn tekun_precheck(f: &TekunFacts, policy: &TekunPolicy) -> TekunAdvice {
    let findings = vec![work_capacity(f, policy), income_source(f, policy), supporters(f)];
    let outcome = if findings.iter().any(|x| x.met == Some(false)) {
        TekunOutcome::NotEligible
    } else if findings.iter().all(|x| x.met == Some(true)) {
        TekunOutcome::Tekun
    } else {
        TekunOutcome::Unknown
    };
    TekunAdvice { outcome, findings, note: ADVICE_NOTE }
}

fn work_capacity(f: &TekunFacts, p: &TekunPolicy) -> Finding {
    let elderly = f.age >= p.elderly_age;
    let minor = f.age < p.minor_age;
    let disabled = p.disability_qualifies(f.disability.as_ref());
    let (met, explanation) = if elderly {
        (Some(true), format!("{}周岁，属于{}周岁以上的老年人，无劳动能力（第五条第一项）", f.age, p.elderly_age))
    } else if minor {
        (Some(true), format!("{}周岁，属于未满{}周岁的未成年人，无劳动能力（第五条第二项）", f.age, p.minor_age))
    } else if let Some(highest) = disabled {
        (Some(true), format!("残疾等级为{highest}级及以上的该类残疾，属于无劳动能力情形（第五条第三项）"))
    } else if f.recorded_no_work_capacity == Some(true) {
        (None, format!("{}周岁，调查人员认定无劳动能力（其他情形），预审无法核实，请审核人员判断", f.age))
    } else {
        (
            Some(false),
            format!(
                "{}周岁，不属于{}周岁以上的老年人或未满{}周岁的未成年人，残疾情况也不属于无劳动能力情形，视为有劳动能力",
                f.age, p.elderly_age, p.minor_age
            ),
        )
    };
    let mut inputs = vec![("age", i64::from(f.age)), ("elderly_age", i64::from(p.elderly_age)), ("minor_age", i64::from(p.minor_age))];
    if let Some((kind, grade)) = &f.disability {
        inputs.push(("disability_grade", i64::from(*grade)));
        if let Some(highest) = p.disability_grades.get(kind) {
            inputs.push(("disability_highest_grade", i64::from(*highest)));
        }
    }
    Finding { code: "no_work_capacity", met, inputs, explanation }
}

fn income_source(f: &TekunFacts, p: &TekunPolicy) -> Finding {
    let mut inputs = vec![("standard_fen", p.standard_fen)];
    let (Some(income), Some(assets_ok)) = (f.monthly_income_fen, f.assets_within_rules) else {
        let missing = if f.monthly_income_fen.is_none() { "收入" } else { "财产状况" };
        return Finding {
            code: "no_income_source", met: None, inputs, explanation: format!("尚未记录{missing}，无法判断是否无生活来源")
        };
    };
    inputs.extend([("monthly_income_fen", income), ("assets_within_rules", i64::from(assets_ok))]);
    let below = income < p.standard_fen;
    Finding {
        code: "no_income_source",
        met: Some(below && assets_ok),
        inputs,
        explanation: format!(
            "月收入{}，{}当地低保标准{}；财产{}当地特困人员财产状况规定",
            yuan(income),
            if below { "低于" } else { "不低于" },
            yuan(p.standard_fen),
            if assets_ok { "符合" } else { "不符合" }
        ),
    }
}

fn supporters(f: &TekunFacts) -> Finding {
    let Some(able) = f.able_supporters else {
        return Finding {
            code: "no_able_supporter", met: None, inputs: Vec::new(), explanation: "尚未记录法定义务人情况，无法判断".into()
        };
    };
    Finding {
        code: "no_able_supporter",
        met: Some(able == 0),
        inputs: vec![("able_supporters", i64::from(able))],
        explanation: if able == 0 {
            "无法定义务人或法定义务人均无履行义务能力".into()
        } else {
            format!("有{able}名法定义务人具有履行义务能力")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy() -> TekunPolicy {
        let p = crate::policy::Policy::huaxi();
        TekunPolicy { standard_fen: 80_000, elderly_age: 60, minor_age: 16, disability_grades: p.tekun_disability_grades().clone() }
    }

    fn elderly() -> TekunFacts {
        TekunFacts {
            age: 72,
            disability: None,
            recorded_no_work_capacity: Some(true),
            monthly_income_fen: Some(20_000),
            assets_within_rules: Some(true),
            able_supporters: Some(0),
        }
    }

    #[test]
    fn tekun_needs_all_three_conditions() {
        let p = policy();
        let a = tekun_precheck(&elderly(), &p);
        assert_eq!(a.outcome, TekunOutcome::Tekun);
        assert!(a.findings[0].explanation.starts_with("72周岁"));
        let with_son = TekunFacts { able_supporters: Some(1), ..elderly() };
        let a = tekun_precheck(&with_son, &p);
        assert_eq!(a.outcome, TekunOutcome::NotEligible);
        assert_eq!(a.findings[2].met, Some(false));
        let working_age = TekunFacts { age: 45, recorded_no_work_capacity: Some(false), ..elderly() };
        assert_eq!(tekun_precheck(&working_age, &p).outcome, TekunOutcome::NotEligible);
        let disabled = TekunFacts { age: 45, disability: Some(("physical".into(), 2)), ..elderly() };
        assert_eq!(tekun_precheck(&disabled, &p).outcome, TekunOutcome::Tekun);
        let milder = TekunFacts { age: 45, disability: Some(("physical".into(), 3)), recorded_no_work_capacity: Some(false), ..elderly() };
        assert_eq!(tekun_precheck(&milder, &p).findings[0].met, Some(false), "肢体残疾三级 is not art. 5(三)");
        let rich = TekunFacts { monthly_income_fen: Some(80_000), ..elderly() };
        assert_eq!(tekun_precheck(&rich, &p).findings[1].met, Some(false));
        let not_yet = TekunFacts { assets_within_rules: None, ..elderly() };
        assert_eq!(tekun_precheck(&not_yet, &p).outcome, TekunOutcome::Unknown);
    }

    #[test]
    fn the_ages_of_article_5_are_the_policy_s_at_their_edges() {
        let p = policy();
        let at = |age| tekun_precheck(&TekunFacts { age, recorded_no_work_capacity: Some(false), ..elderly() }, &p).findings[0].met;
        assert_eq!((at(60), at(59), at(16), at(15)), (Some(true), Some(false), Some(false), Some(true)));
        let stricter = TekunPolicy { elderly_age: 65, ..policy() };
        let sixty_two = TekunFacts { age: 62, recorded_no_work_capacity: Some(false), ..elderly() };
        assert_eq!(tekun_precheck(&sixty_two, &stricter).findings[0].met, Some(false), "the age comes from the policy");
    }

    #[test]
    fn the_visit_facts_make_the_applicant_s_situation() {
        let facts: BTreeMap<String, Value> = [
            ("person.age", json!(45)),
            ("person.disability_type", json!("mental")),
            ("person.disability_grade", json!("3")),
            ("income.wages_fen", json!(10_000)),
            ("income.transfer_fen", json!(5_000)),
            ("tekun.assets_within_rules", json!(true)),
            ("tekun.supporters", json!([{ "supporter_ability": "able" }, { "supporter_ability": "tekun" }])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let f = tekun_from_facts(&facts).unwrap();
        assert_eq!(policy().disability_qualifies(f.disability.as_ref()), Some(3), "mental grade 3 is art. 5(三)");
        assert_eq!((f.monthly_income_fen, f.able_supporters), (Some(15_000), Some(1)));
        let mut none = facts.clone();
        none.remove("tekun.supporters");
        none.insert("tekun.no_able_supporter".into(), json!(true));
        assert_eq!(tekun_from_facts(&none).unwrap().able_supporters, Some(0));
        none.remove("person.age");
        assert_eq!(tekun_from_facts(&none), None, "no advice without the age");
    }
}
