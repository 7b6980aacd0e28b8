//! Amounts: the 补差 suggestion from the case facts, and the rule that a confirmed amount different from the
//! suggestion carries a reason. A person always confirms; the suggestion never decides.
//!
//! Rounding (the same as `eligibility::dibao_precheck`): the monthly per-capita income is rounded down to the fen,
//! then gap = (standard − per-capita income) × members, never below 0. Rounding down the income favours the household
//! by less than one fen per member.

use serde::{Deserialize, Serialize};

use super::WorkflowError;
use crate::money::yuan;

/// The fact names and the income reading live below both the workflow and the pre-check (`crate::facts`).
pub use crate::facts::{INCOME_FACT_KEYS, SIZE_FACT, TOTAL_INCOME_FACT, income_from_facts};

/// What the suggestion rests on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapSuggestion {
    pub standard_fen: i64,
    pub household_size: i64,
    pub monthly_income_fen: i64,
    pub per_capita_income_fen: i64,
    /// Monthly 补差 for the household, in fen (0 when the income reaches the standard).
    pub suggested_fen: i64,
    /// "（¥660.00 − ¥200.00）× 3人 = ¥1380.00"
    pub explanation_zh: String,
}

/// 补差 = (standard − ⌊income / members⌋) × members, at least 0.
pub fn gap_suggestion(standard_fen: i64, monthly_income_fen: i64, household_size: i64) -> Option<GapSuggestion> {
    if household_size <= 0 || monthly_income_fen < 0 || standard_fen <= 0 {
        return None;
    }
    let per_capita = monthly_income_fen / household_size;
    let suggested = (standard_fen - per_capita).max(0).saturating_mul(household_size);
    Some(GapSuggestion {
        standard_fen,
        household_size,
        monthly_income_fen,
        per_capita_income_fen: per_capita,
        suggested_fen: suggested,
        explanation_zh: format!("（{} − {}）× {}人 = 每月{}", yuan(standard_fen), yuan(per_capita), household_size, yuan(suggested)),
    })
}

/// A confirmed amount different from the suggestion needs a reason; returns the trimmed reason to record.
pub fn check_override(amount_fen: Option<i64>, suggested_fen: Option<i64>, reason: Option<&str>) -> Result<Option<String>, WorkflowError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    match (amount_fen, suggested_fen) {
        (Some(a), Some(s)) if a != s && reason.is_none() => Err(WorkflowError::invalid(
            "override_reason_required",
            format!("确认金额{}与按补差计算的建议金额{}不同，请填写调整理由", yuan(a), yuan(s)),
        )
        .field("override_reason")),
        (Some(a), Some(s)) if a == s => Ok(None),
        _ => Ok(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::{AssetLimits, DibaoPolicy, HouseholdEconomics, dibao_precheck};
    use crate::policy::Ratio;

    #[test]
    fn the_gap_agrees_with_the_eligibility_precheck_and_never_goes_negative() {
        let g = gap_suggestion(66_000, 60_001, 3).unwrap();
        assert_eq!(g.per_capita_income_fen, 20_000, "rounded down to the fen");
        assert_eq!(g.suggested_fen, (66_000 - 20_000) * 3);
        let advice = dibao_precheck(
            &HouseholdEconomics { household_size: 3, monthly_income_fen: 60_001, deductions_fen: 0, financial_assets_fen: 0, vehicles: 0, houses: 0 },
            &DibaoPolicy { standard_fen: 66_000, bianyuan_factor: Ratio::new(3, 2).unwrap(), asset_limits: AssetLimits::default() },
        );
        assert_eq!(advice.gap_payment_fen, Some(g.suggested_fen));
        assert_eq!(gap_suggestion(66_000, 300_000, 2).unwrap().suggested_fen, 0);
        assert!(gap_suggestion(66_000, 1, 0).is_none());
    }

    #[test]
    fn an_override_needs_a_reason() {
        assert_eq!(check_override(Some(100), Some(100), None).unwrap(), None);
        assert_eq!(check_override(Some(90), Some(100), Some(" ")).unwrap_err().code, "override_reason_required");
        assert_eq!(check_override(Some(90), Some(100), Some("扣除赡养费")).unwrap().as_deref(), Some("扣除赡养费"));
        assert_eq!(check_override(Some(90), None, None).unwrap(), None);
    }
}
