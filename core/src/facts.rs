//! Case facts by name: the `fact` keys the home-visit forms report that more than one rule reads (the eligibility
//! pre-check, the 补差 suggestion of the workflow, the periodic review), and the household's income and size from them.
//! Read by `eligibility` and `workflow` alike; imports neither.

use std::collections::BTreeMap;

use serde_json::Value;

/// The case facts the home-visit forms record (their `fact` names): household size, the monthly total income, and
/// the monthly income by 57号 第十三条 category, summed when no total is recorded.
pub const SIZE_FACT: &str = "household.size";
pub const TOTAL_INCOME_FACT: &str = "income.monthly_total_fen";
pub const INCOME_FACT_KEYS: &[&str] = &["income.wages_fen", "income.business_fen", "income.property_fen", "income.transfer_fen", "income.other_fen"];

fn int(facts: &BTreeMap<String, Value>, key: &str) -> Option<i64> {
    facts.get(key).and_then(|v| v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)))
}

/// The household's monthly income and size from case facts (the home visit's answers), if both are present.
pub fn income_from_facts(facts: &BTreeMap<String, Value>) -> Option<(i64, i64)> {
    let size = int(facts, SIZE_FACT).filter(|n| *n > 0)?;
    let income = match int(facts, TOTAL_INCOME_FACT) {
        Some(total) => total,
        None => {
            let parts: Vec<i64> = INCOME_FACT_KEYS.iter().filter_map(|k| int(facts, k)).collect();
            if parts.is_empty() {
                return None;
            }
            parts.iter().sum()
        }
    };
    (income >= 0).then_some((income, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn income_comes_from_the_visit_facts() {
        let facts: BTreeMap<String, Value> =
            [("household.size", json!(3)), ("income.wages_fen", json!(50_000)), ("income.transfer_fen", json!(10_000))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        assert_eq!(income_from_facts(&facts), Some((60_000, 3)));
        let mut with_total = facts.clone();
        with_total.insert("income.monthly_total_fen".into(), json!(70_000));
        assert_eq!(income_from_facts(&with_total), Some((70_000, 3)));
        let mut no_size = facts;
        no_size.remove("household.size");
        assert_eq!(income_from_facts(&no_size), None);
    }
}
