//! The periodic review's proposal (定期核查, 57号 第三十一、三十二条): what the review visit recommended — keep,
//! increase, decrease or stop, with its reason and the next cadence — turned into the outcome a township reviewer
//! records, pre-filled. The reviewer decides; the proposal only saves re-typing what the visit found.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    CaseState, DecisionKind, ReviewOutcome, Stage,
    amount::{self, GapSuggestion},
};
use crate::{policy::ReviewCadence, vocabulary::vocabulary};

/// The case facts the periodic-review form records (its `fact` names).
pub const RECOMMENDATION_FACT: &str = "review.recommendation";
pub const REASON_FACT: &str = "review.reason";
pub const CADENCE_FACT: &str = "review.cadence";

vocabulary! {
    /// What the review visit recommends (the form's `recommendation` choices).
    ReviewRecommendation {
        Keep => ("keep", "保障金额不变"),
        Increase => ("increase", "建议增发"),
        Decrease => ("decrease", "建议减发"),
        Stop => ("stop", "建议停发"),
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewProposal {
    pub recommendation: ReviewRecommendation,
    pub recommendation_zh: String,
    /// The visit's reason for an increase, decrease or stop.
    pub reason: Option<String>,
    /// The next review interval the visit's answers call for (art. 31).
    pub cadence: ReviewCadence,
    /// The amount paid now (the last approval or adjustment), in fen.
    pub current_fen: Option<i64>,
    /// 低保: the 补差 from the review visit's income and household size.
    pub suggestion: Option<GapSuggestion>,
    /// The outcome to record, pre-filled; None when an adjustment has no amount to propose (a person enters it).
    pub outcome: Option<ReviewOutcome>,
    /// Why the proposal is what it is, for the reviewer.
    pub note_zh: String,
}

fn text(facts: &BTreeMap<String, Value>, key: &str) -> Option<String> {
    facts.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The proposal for a case under review, from the facts its review visit recorded (`facts` must come from that
/// visit, not an earlier one: the caller checks their source). `standard_fen`: the year's monthly 低保 standard for
/// the household's area, when the type has a 补差.
pub fn proposal(state: &CaseState, facts: &BTreeMap<String, Value>, standard_fen: Option<i64>) -> Option<ReviewProposal> {
    if state.stage != Stage::UnderReview {
        return None;
    }
    let recommendation = ReviewRecommendation::parse(&text(facts, RECOMMENDATION_FACT)?)?;
    let reason = text(facts, REASON_FACT);
    let cadence = match text(facts, CADENCE_FACT).as_deref() {
        Some("half_yearly") => ReviewCadence::Irregular,
        Some("yearly") => ReviewCadence::Stable,
        _ => state.review_cadence,
    };
    let current_fen =
        state.decisions.iter().rev().find(|d| matches!(d.kind, DecisionKind::Approve | DecisionKind::Adjust)).and_then(|d| d.amount_fen);
    let suggestion = standard_fen.and_then(|standard| {
        let (income, size) = amount::income_from_facts(facts)?;
        amount::gap_suggestion(standard, income, size)
    });
    let reason_or = |fallback: &str| reason.clone().unwrap_or_else(|| fallback.to_string());
    let (outcome, note_zh) = match recommendation {
        ReviewRecommendation::Keep => (Some(ReviewOutcome::Keep), "核查意见为保障金额不变".to_string()),
        ReviewRecommendation::Stop => (
            Some(ReviewOutcome::Stop { reasons: vec![reason_or("定期核查认定家庭经济状况已不符合救助条件")] }),
            "核查意见为停发，理由取自核查表".to_string(),
        ),
        ReviewRecommendation::Increase | ReviewRecommendation::Decrease => match &suggestion {
            Some(g) if g.suggested_fen > 0 && Some(g.suggested_fen) != current_fen => (
                Some(ReviewOutcome::Adjust { amount_fen: g.suggested_fen, reason: reason_or(recommendation.label_zh()) }),
                format!("按核查时的收入和人口重新计算补差：{}", g.explanation_zh),
            ),
            Some(g) if g.suggested_fen == 0 => (None, format!("按核查时的收入计算补差为0（{}），请考虑停发", g.explanation_zh)),
            Some(_) => (None, "按核查时的收入计算的补差与现发金额相同，请核实后决定".to_string()),
            None => (None, "核查表的数据不足以计算新的保障金额，请填写调整后的金额".to_string()),
        },
    };
    Some(ReviewProposal {
        recommendation,
        recommendation_zh: recommendation.label_zh().into(),
        reason,
        cadence,
        current_fen,
        suggestion,
        outcome,
        note_zh,
    })
}
