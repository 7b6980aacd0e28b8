//! The closed vocabularies a policy file uses (deadline steps, what a deadline counts from, relations, …): each word
//! has a stable snake_case key for files and programs and a Chinese label for people.

use crate::vocabulary::vocabulary;

impl Area {
    /// The fact that records where a household lives (`"urban"` / `"rural"`).
    pub const FACT: &'static str = "household.area";

    /// The household's area from its `household.area` fact; rural when it is not recorded.
    pub fn from_fact(value: Option<&serde_json::Value>) -> Area {
        value.and_then(serde_json::Value::as_str).and_then(Area::parse).unwrap_or(Area::Rural)
    }
}

vocabulary! {
    /// A step of a case that has a time limit.
    DeadlineStep {
        /// Start of the household economic-status investigation (低保: 3 working days after acceptance).
        InvestigationStart => ("investigation_start", "启动家庭经济状况调查"),
        /// Start of the information check after the township's request (低保: 3 working days).
        InformationCheckStart => ("information_check_start", "启动信息核对"),
        /// Investigation and initial opinion by the township (特困: 15 working days).
        InitialOpinion => ("initial_opinion", "调查核实并提出初审意见"),
        /// Publicity of the initial opinion (calendar days).
        Publicity => ("publicity", "初审意见公示"),
        /// New investigation and opinion after an objection during publicity.
        ReinvestigationAfterObjection => ("reinvestigation_after_objection", "公示有异议后重新调查并提出初审意见"),
        /// Confirmation by the confirming level after receiving the materials (特困: 15 working days).
        Confirmation => ("confirmation", "审核确认"),
        /// The whole procedure from acceptance, when confirmation stays with the county.
        Procedure => ("procedure", "审核确认办理时限"),
        /// The whole procedure from acceptance, when confirmation is devolved to the township.
        ProcedureDevolved => ("procedure_devolved", "审核确认办理时限（权限下放）"),
        /// The whole procedure in special cases (objections, split households, remote applications, hard cases).
        ProcedureExtended => ("procedure_extended", "审核确认办理时限（特殊情况延长）"),
        /// Written notice of a refusal with reasons.
        RefusalNotice => ("refusal_notice", "不予确认书面告知"),
        /// Publicity before terminating support.
        TerminationPublicity => ("termination_publicity", "拟终止救助供养公示"),
        /// 临时救助 先行救助: completing the record (who, why, how much, staff signature and seal) after helping first.
        EmergencyRecord => ("emergency_record", "先行救助后补齐手续"),
        /// The township's decision reaches the district as a filing (审核确认备案).
        Filing => ("filing", "报区民政局审核确认备案"),
    }
}

vocabulary! {
    /// The event a deadline counts from.
    DeadlineAnchor {
        Acceptance => ("acceptance", "受理之日"),
        CheckRequest => ("check_request", "收到信息核对提请之日"),
        PublicityStart => ("publicity_start", "公示之日"),
        Objection => ("objection", "收到异议之日"),
        MaterialsReceived => ("materials_received", "收到初审材料之日"),
        Decision => ("decision", "作出决定之日"),
        EmergencyAid => ("emergency_aid", "先行救助之日"),
        Complaint => ("complaint", "收到举报之日"),
    }
}

vocabulary! {
    /// How a deadline is counted.
    PeriodUnit {
        WorkingDays => ("working_days", "个工作日"),
        CalendarDays => ("calendar_days", "天"),
    }
}

vocabulary! {
    /// Urban or rural local standard (城市/农村低保标准).
    Area {
        Urban => ("urban", "城市"),
        Rural => ("rural", "农村"),
    }
}

vocabulary! {
    /// Households the district samples for its yearly spot-check review.
    SpotCheckGroup {
        NewlyAdded => ("newly_added", "当年新增救助对象家庭"),
        Exited => ("exited", "当年退出救助对象家庭"),
        /// 特困 households confirmed by a township in the year, checked at `tekun.confirmation_spot_check_min_rate`
        /// (43号 第十六条), never at the general rate: not a word of `supervision.spot_check_scope`.
        TekunConfirmed => ("tekun_confirmed", "当年确认的特困人员"),
    }
}

vocabulary! {
    /// Why a household must get a home visit from the supervising level (100 %).
    VisitTrigger {
        NearRelativeFiling => ("near_relative_filing", "近亲属备案家庭"),
        Complaint => ("complaint", "有群众举报、反映的救助对象"),
    }
}

vocabulary! {
    /// How often a 低保 household's situation is reviewed.
    ReviewCadence {
        /// Economic situation stable in the short term: yearly.
        Stable => ("stable", "经济状况短期内变化不大"),
        /// Irregular income or members able to work: every six months.
        Irregular => ("irregular", "收入来源不固定或有劳动能力"),
    }
}

vocabulary! {
    /// A near-relative relation (近亲属) between a co-resident applicant and a case worker or committee member.
    Relation {
        Spouse => ("spouse", "配偶"),
        Parents => ("parents", "父母"),
        Children => ("children", "子女"),
        Siblings => ("siblings", "兄弟姐妹"),
        PaternalGrandparents => ("paternal_grandparents", "祖父母"),
        MaternalGrandparents => ("maternal_grandparents", "外祖父母"),
        Grandchildren => ("grandchildren", "孙子女"),
        MaternalGrandchildren => ("maternal_grandchildren", "外孙子女"),
    }
}
