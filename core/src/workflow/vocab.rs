//! The workflow's closed vocabularies: stable snake_case keys for programs and zh-CN labels for people.

use serde::{Deserialize, Serialize};

use crate::vocabulary::vocabulary;

vocabulary! {
    /// Where a case stands.
    Stage {
        /// Application received, not yet accepted.
        Applied => ("applied", "已申请待受理"),
        /// Incomplete: everything missing was listed at once (一次性告知).
        MaterialsMissing => ("materials_missing", "已一次性告知补齐材料"),
        Accepted => ("accepted", "已受理"),
        /// Home visit, neighbour visits, information check.
        Investigating => ("investigating", "调查核实中"),
        /// Initial opinion given, publicity not yet started.
        OpinionGiven => ("opinion_given", "已提出初审意见"),
        Publicity => ("publicity", "初审意见公示中"),
        /// An objection during publicity: re-investigation or democratic appraisal.
        ObjectionReview => ("objection_review", "公示异议处理中"),
        AwaitingConfirmation => ("awaiting_confirmation", "待审核确认"),
        /// Lifted to the district (提级复核, 一事一议), automatically or by the district.
        Escalated => ("escalated", "提级至区民政局复核中"),
        /// Confirmed; the notice (publication) is pending.
        Approved => ("approved", "已确认给予救助（待告知）"),
        /// Refused; the written notice with reasons is pending.
        Refused => ("refused", "不予确认（待书面告知）"),
        /// Recipient: payments run, periodic review due.
        Active => ("active", "救助中"),
        UnderReview => ("under_review", "定期核查中"),
        /// An adjustment decided at review; the notice is pending.
        Adjusted => ("adjusted", "已决定调整（待告知）"),
        /// 特困: proposed termination in publicity.
        TerminationPublicity => ("termination_publicity", "拟终止救助供养公示中"),
        /// A stop (or termination) decided; the notice is pending.
        StopDecided => ("stop_decided", "已决定停发/终止（待告知）"),
        Stopped => ("stopped", "已停发/终止"),
        /// Refused and notified, or a one-off 临时救助 paid and notified.
        Closed => ("closed", "已办结"),
        /// 临时救助 先行救助: paid first, the record is to be completed.
        EmergencyAided => ("emergency_aided", "已先行救助（待补齐手续）"),
    }
}

impl Stage {
    /// Stages at which a home visit may be assigned: the investigation (starting it from acceptance), a
    /// re-investigation after an objection, a periodic review.
    pub fn takes_visits(self) -> bool {
        matches!(self, Self::Accepted | Self::Investigating | Self::ObjectionReview | Self::UnderReview)
    }

    /// Stages of the application procedure, from acceptance to the decision (the whole-procedure limit runs).
    pub fn in_application_procedure(self) -> bool {
        matches!(
            self,
            Self::Accepted | Self::Investigating | Self::OpinionGiven | Self::Publicity | Self::ObjectionReview | Self::AwaitingConfirmation
        )
    }
}

vocabulary! {
    /// 临时救助 has two paths; the other types only the ordinary one.
    Path {
        Ordinary => ("ordinary", "常规程序"),
        /// 急难型: 先行救助, the record completed afterwards.
        Emergency => ("emergency", "急难型先行救助"),
    }
}

vocabulary! {
    /// What a person answers for on a case (谁受理谁负责、谁调查谁负责、谁审核谁负责、谁确认谁负责).
    Duty {
        /// Receiving an application and registering it (at the counter, or the village committee on the
        /// applicant's behalf).
        Register => ("register", "登记申请"),
        Accept => ("accept", "受理"),
        Investigate => ("investigate", "调查"),
        Review => ("review", "审核"),
        Confirm => ("confirm", "确认"),
        Notify => ("notify", "告知"),
        File => ("file", "备案监管"),
        Escalation => ("escalation", "提级复核"),
        Complaint => ("complaint", "举报受理"),
    }
}

impl Duty {
    /// "谁确认谁负责"
    pub fn accountability_zh(self) -> String {
        let l = self.label_zh();
        format!("谁{l}谁负责")
    }
}

vocabulary! {
    /// How an application reached the township (57号 第九条).
    ApplicationChannel {
        /// The applicant (or a member of the household) applied in person at the township (subdistrict).
        Counter => ("counter", "到乡镇（街道）申请"),
        /// The village (community) committee applied on behalf of someone who could not (代为申请).
        VillageOnBehalf => ("village_on_behalf", "村（居）委会代为申请"),
    }
}

// The vocabulary macro fixes the derives, so the default is written out.
#[allow(clippy::derivable_impls)]
impl Default for ApplicationChannel {
    fn default() -> Self {
        Self::Counter
    }
}

vocabulary! {
    /// What happened to a case besides the procedure's own actions (those are `ActionKind`s): the visits and their
    /// data. One vocabulary, so the API, the console and the phone name a case's history alike.
    CaseEvent {
        VisitAssigned => ("visit_assigned", "安排入户调查"),
        VisitReassigned => ("visit_reassigned", "调整调查人员"),
        VisitCancelled => ("visit_cancelled", "取消入户调查"),
        VisitSubmitted => ("visit_submitted", "提交入户调查结果"),
        VisitMerged => ("visit_merged", "入户调查结果并入案件"),
        ConflictRecorded => ("conflict_recorded", "发现数据冲突，待核实"),
        ConflictResolved => ("conflict_resolved", "数据冲突已核实处理"),
    }
}

vocabulary! {
    /// The initial opinion's recommendation.
    Recommendation {
        Approve => ("approve", "拟给予救助"),
        Refuse => ("refuse", "拟不予救助"),
    }
}

vocabulary! {
    /// How an objection during publicity is settled (57号 第十九条).
    ObjectionMethod {
        Reinvestigation => ("reinvestigation", "重新调查核实"),
        DemocraticAppraisal => ("democratic_appraisal", "民主评议"),
    }
}

/// The result of a periodic review (定期核查): keep, adjust (new amount, reason) or stop (reasons).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReviewOutcome {
    Keep,
    Adjust { amount_fen: i64, reason: String },
    Stop { reasons: Vec<String> },
}

/// The district's own decision on an escalated case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EscalationOutcome {
    /// The township's result stands.
    Uphold,
    Approve {
        amount_fen: Option<i64>,
    },
    Refuse {
        reasons: Vec<String>,
    },
}
