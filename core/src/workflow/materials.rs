//! What an applicant hands in: the materials of a single-household approval file that come from the household
//! (the district's plan, 五、档案管理; the file's other documents — the information-check report, the home-visit form,
//! the approval form — are the township's own). Offered as the checklist when the township lists everything missing
//! from an application at once (一次性告知, 57号 第十条).

/// Where the list comes from.
pub const SOURCE: &str = "花府办发〔2024〕13号 五、档案管理（单户审批档案）；民发〔2021〕57号 第九条、第十条";

/// Always asked for, then the ones that apply to some households (marriage, illness, disability, tenancy, land,
/// residents from elsewhere).
pub const APPLICATION_MATERIALS: &[&str] = &[
    "申请书",
    "家庭经济状况书面声明",
    "家庭经济状况调查授权书",
    "户籍证明",
    "身份证明",
    "婚姻状况证明",
    "疾病证明",
    "残疾证明",
    "房屋租赁协议",
    "土地承包经营证明",
    "外来常住人口缴纳社会保险证明",
];
