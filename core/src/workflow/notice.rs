//! Publicity notices and written notices. The publicity notice carries only what 57号 第二十四条 allows — name,
//! number of household members, amount — with any ID number masked; refusal and stop notices carry their reasons.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{assistance::AssistanceType, money::yuan, resident_id::mask};

/// One line of a publicity notice. Built only through [`PublicityEntry::new`], so a full ID cannot slip in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicityEntry {
    pub name: String,
    pub household_size: u32,
    pub amount_fen: Option<i64>,
    pub resident_id_masked: Option<String>,
}

impl PublicityEntry {
    pub fn new(name: &str, resident_id: Option<&str>, household_size: u32, amount_fen: Option<i64>) -> Self {
        Self { name: name.trim().to_string(), household_size, amount_fen, resident_id_masked: resident_id.map(mask) }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicityNotice {
    pub title: String,
    pub place: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub entries: Vec<PublicityEntry>,
    pub text_zh: String,
}

/// The publicity notice of `entries` in `place` (village or community), from `from` to `to`.
pub fn publicity_notice(
    t: AssistanceType,
    place: &str,
    township: &str,
    from: NaiveDate,
    to: NaiveDate,
    entries: Vec<PublicityEntry>,
) -> PublicityNotice {
    let title = format!("{}审核确认公示", t.label_zh());
    let mut lines = vec![format!("{place}：以下家庭申请{}，经调查核实和审核，拟予确认，现予公示。", t.label_zh())];
    for (i, e) in entries.iter().enumerate() {
        let amount = e.amount_fen.map(|a| format!("，月救助金额{}", yuan(a))).unwrap_or_default();
        let id = e.resident_id_masked.as_deref().map(|m| format!("（{m}）")).unwrap_or_default();
        lines.push(format!("{}. {}{}，家庭人口{}人{}", i + 1, e.name, id, e.household_size, amount));
    }
    lines.push(format!("公示期：{from}至{to}。如有异议，请在公示期内向{township}反映。"));
    PublicityNotice { title, place: place.into(), from, to, entries, text_zh: lines.join("\n") }
}

fn numbered(reasons: &[String]) -> String {
    reasons.iter().enumerate().map(|(i, r)| format!("{}. {}", i + 1, r)).collect::<Vec<_>>().join("\n")
}

/// 不予确认告知书: the applicant, what was applied for, the reasons, who decided, and the right to appeal.
pub fn refusal_notice_text(
    applicant: &str,
    t: AssistanceType,
    applied_on: NaiveDate,
    decided_on: NaiveDate,
    decided_by: &str,
    reasons: &[String],
) -> String {
    format!(
        "不予确认告知书\n{applicant}：\n您于{applied_on}提出的{}申请，经调查核实和审核，不符合条件，决定不予确认。理由如下：\n{}\n如对本决定不服，可以依法申请行政复议或者提起行政诉讼。\n{decided_by}\n{decided_on}",
        t.label_zh(),
        numbered(reasons)
    )
}

/// 调整（停发）告知书: an adjustment or a stop with its reasons and the month it takes effect.
pub fn stop_notice_text(
    recipient: &str,
    t: AssistanceType,
    stop: bool,
    new_amount_fen: Option<i64>,
    effective_month: &str,
    decided_by: &str,
    reasons: &[String],
) -> String {
    let what = if stop {
        format!("自{effective_month}起停发{}", t.label_zh())
    } else {
        format!("自{effective_month}起调整为每月{}", new_amount_fen.map(yuan).unwrap_or_default())
    };
    format!(
        "{}告知书\n{recipient}：\n经核查，您家的{}{what}。理由如下：\n{}\n如对本决定不服，可以依法申请行政复议或者提起行政诉讼。\n{decided_by}",
        if stop { "停发" } else { "调整" },
        t.label_zh(),
        numbered(reasons)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resident_id::make_resident_id;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_publicity_notice_shows_only_name_size_and_amount_with_the_id_masked() {
        let id = make_resident_id("520111", d(1960, 7, 1), 3).as_str().to_string();
        let n = publicity_notice(
            AssistanceType::Dibao,
            "示范一村",
            "青岩镇人民政府",
            d(2026, 3, 2),
            d(2026, 3, 9),
            vec![PublicityEntry::new("王明德", Some(&id), 3, Some(138_000))],
        );
        assert!(n.text_zh.contains("王明德") && n.text_zh.contains("家庭人口3人") && n.text_zh.contains("¥1380.00"), "{}", n.text_zh);
        assert!(!n.text_zh.contains(&id), "never the full ID");
        assert!(n.text_zh.contains(&mask(&id)));
        let json = serde_json::to_value(&n).unwrap();
        assert_eq!(json["entries"][0].as_object().unwrap().len(), 4, "name, size, amount, masked ID only");
    }

    #[test]
    fn refusal_and_stop_notices_carry_their_reasons() {
        let r = refusal_notice_text(
            "李强",
            AssistanceType::Dibao,
            d(2026, 3, 2),
            d(2026, 3, 20),
            "青岩镇人民政府",
            &["家庭月人均收入高于当地低保标准".into()],
        );
        assert!(r.contains("不予确认") && r.contains("1. 家庭月人均收入高于当地低保标准") && r.contains("行政复议"));
        let s = stop_notice_text("李强", AssistanceType::Dibao, true, None, "2026-05", "青岩镇人民政府", &["家庭成员已稳定就业".into()]);
        assert!(s.contains("自2026-05起停发") && s.contains("稳定就业"));
        let a = stop_notice_text("李强", AssistanceType::Dibao, false, Some(50_000), "2026-05", "青岩镇人民政府", &["收入增加".into()]);
        assert!(a.starts_with("调整告知书") && a.contains("¥500.00"));
    }
}
