//! The bundled Huaxi policy, its sources and demo flags, and malformed files refused with the key path.

use chrono::NaiveDate;

use super::*;

fn err(text: &str) -> PolicyError {
    match Policy::from_toml(text) {
        Err(e) => {
            assert_eq!(e.code, "invalid_policy");
            assert!(!e.error.message_zh.is_empty() && !e.error.message_en.is_empty());
            e
        }
        Ok(_) => panic!("a malformed policy was accepted"),
    }
}

/// The Huaxi file with one line replaced (the line must exist).
fn huaxi_with(from: &str, to: &str) -> String {
    let text = Policy::huaxi_toml();
    assert!(text.contains(from), "{from:?} not in the Huaxi file");
    text.replacen(from, to, 1)
}

#[test]
fn the_bundled_policy_loads_with_the_huaxi_numbers() {
    let p = Policy::huaxi();
    assert_eq!(p.district_code(), "520111");
    let dl = |t, s| p.deadline(t, s).map(|r: &DeadlineRule| (r.length, r.unit));
    use {AssistanceType::*, DeadlineStep::*, PeriodUnit::*};
    assert_eq!(dl(Dibao, InvestigationStart), Some((3, WorkingDays)));
    assert_eq!(dl(Dibao, InformationCheckStart), Some((3, WorkingDays)));
    assert_eq!(dl(Dibao, ProcedureDevolved), Some((20, WorkingDays)));
    assert_eq!(dl(Dibao, Procedure), Some((30, WorkingDays)));
    assert_eq!(dl(Dibao, ProcedureExtended), Some((45, WorkingDays)));
    assert!(p.deadline(Dibao, ProcedureExtended).unwrap().requires_reason);
    assert!(!p.deadline(Dibao, ProcedureDevolved).unwrap().requires_reason);
    assert_eq!(dl(Dibao, RefusalNotice), Some((3, WorkingDays)));
    assert_eq!(dl(Dibao, Publicity), Some((7, CalendarDays)));
    assert_eq!(dl(Tekun, InitialOpinion), Some((15, WorkingDays)));
    assert_eq!(dl(Tekun, Confirmation), Some((15, WorkingDays)));
    assert_eq!(dl(Tekun, Publicity), Some((7, CalendarDays)));
    assert_eq!(dl(Tekun, TerminationPublicity), Some((7, CalendarDays)));
    // 低保边缘 follows the 低保 procedure; 临时救助 has no procedure limit in the sources, only the two working
    // arrangements marked DEMO (completing a 先行救助 record, filing).
    assert_eq!(p.deadline(Bianyuan, ProcedureDevolved), p.deadline(Dibao, ProcedureDevolved));
    let linshi: Vec<_> = p.deadlines_of(Linshi).into_iter().map(|(s, r)| (s, r.source.demo)).collect();
    assert_eq!(linshi, vec![(EmergencyRecord, true), (Filing, true)]);
    assert_eq!(p.deadline(Linshi, EmergencyRecord).unwrap().from, DeadlineAnchor::EmergencyAid);
    assert_eq!(p.complaint_feedback().map(|r| (r.length, r.from)), Some((15, DeadlineAnchor::Complaint)));
    assert_eq!(p.due_soon_working_days(), 3);
    assert_eq!(p.deadline(Dibao, InvestigationStart).unwrap().from, DeadlineAnchor::Acceptance);

    assert_eq!(p.min_investigators(), 2);
    assert_eq!(p.spot_check_rate().basis_points(), 1200);
    assert_eq!(p.spot_check_rate().sample_size(250), 30);
    assert_eq!(p.spot_check_scope(), &[SpotCheckGroup::NewlyAdded, SpotCheckGroup::Exited]);
    assert!(p.requires_full_visit(VisitTrigger::NearRelativeFiling) && p.requires_full_visit(VisitTrigger::Complaint));
    assert_eq!(p.tekun_spot_check_min_rate().basis_points(), 3000);
    assert_eq!(p.bianyuan_income_multiple(), Ratio::new(3, 2).unwrap());
    assert_eq!(p.review_interval_months(ReviewCadence::Stable), 12);
    assert_eq!(p.review_interval_months(ReviewCadence::Irregular), 6);
    assert_eq!(p.phase_out_max_months(), 6);
    assert_eq!(p.death_review_months(), 3);
    assert_eq!(p.reconciliation_day(), 20);
    // From 1 November administrators are reminded to load next year's holiday schedule.
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    assert!(!p.next_year_calendar_due(d(10, 31)) && p.next_year_calendar_due(d(11, 1)) && p.next_year_calendar_due(d(12, 31)));
    assert_eq!(p.near_relative_relations().len(), 8);
    assert!(p.near_relative_relations().contains(&Relation::MaternalGrandchildren));
    assert!(p.source_note("near_relatives.default_relations").unwrap().note.as_deref().unwrap().contains("废止"));
}

#[test]
fn every_value_has_a_source() {
    let p = Policy::huaxi();
    let notes: Vec<_> = p.source_notes().collect();
    // 17 deadlines + the 低保边缘 rule + 19 other settings (the 特困 ages and disability grades of art. 5 and the
    // reminder to load next year's holidays among them) + 6 standards + the district + the console's far-visit flag.
    assert_eq!(notes.len(), 45, "{:?}", notes.iter().map(|(k, _)| k).collect::<Vec<_>>());
    for (path, note) in notes {
        assert!(!note.source.trim().is_empty(), "{path} has no source");
    }
    assert!(p.source_note("deadlines.dibao.investigation_start").unwrap().source.contains("第十五条"));
}

#[test]
fn demo_standards_are_flagged_demo() {
    let p = Policy::huaxi();
    assert_eq!(p.local_standard_years(), vec![2024, 2025, 2026]);
    for year in p.local_standard_years() {
        assert!(p.local_standard(year).unwrap().demo, "{year}");
    }
    let demo = p.demo_settings();
    assert_eq!(demo.len(), 12, "{demo:?}");
    // Besides the standards, the working limits no source sets (filing, 先行救助 record, complaint feedback, the
    // console's far-from-household threshold).
    let others: Vec<_> = demo.iter().filter(|path| !path.starts_with("local_standards.")).collect();
    assert_eq!(
        others,
        [
            &"deadlines.dibao.filing",
            &"deadlines.linshi.emergency_record",
            &"deadlines.linshi.filing",
            &"deadlines.tekun.filing",
            &"supervision.complaint_feedback",
            &"visit_review.far_from_household"
        ],
        "{demo:?}"
    );
    assert!(p.source_note("local_standards.2026.dibao_urban").unwrap().source.contains("演示数据"));
}

#[test]
fn caps_and_thresholds_come_from_the_year_s_standard_and_a_missing_year_is_an_error() {
    let p = Policy::huaxi();
    let s = p.local_standard(2026).unwrap();
    assert_eq!(p.linshi_township_cap_fen(2026, Area::Urban).unwrap(), 6 * s.dibao_urban_monthly_fen);
    assert_eq!(p.linshi_township_cap_fen(2026, Area::Rural).unwrap(), 6 * s.dibao_rural_monthly_fen);
    let limit = s.dibao_rural_monthly_fen * 3 / 2;
    assert!(p.is_below_bianyuan_limit(limit - 1, 2026, Area::Rural).unwrap());
    assert!(!p.is_below_bianyuan_limit(limit, 2026, Area::Rural).unwrap());

    let e = p.linshi_township_cap_fen(2027, Area::Urban).unwrap_err();
    assert_eq!(e.code, "local_standard_missing");
    assert_eq!(e.path(), "local_standards.2027");
    assert!(e.message_zh().contains("2027年"), "{}", e.message_zh());
    assert!(p.is_below_bianyuan_limit(1, 2023, Area::Urban).is_err());
}

#[test]
fn a_deadline_rule_computes_its_due_date_on_the_calendar() {
    let p = Policy::huaxi();
    let cal = WorkCalendar::bundled();
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let start = p.deadline(AssistanceType::Dibao, DeadlineStep::InvestigationStart).unwrap();
    assert_eq!(start.due(&cal, d(9, 30)).unwrap().due, d(10, 10), "3 working days over 国庆, Sat 10 Oct worked");
    assert_eq!(start.describe_zh(), "3个工作日");
    let publicity = p.deadline(AssistanceType::Dibao, DeadlineStep::Publicity).unwrap();
    assert_eq!(publicity.due(&cal, d(9, 30)).unwrap().due, d(10, 7), "publicity counts calendar days");
}

#[test]
fn malformed_policies_are_refused_with_the_key_path() {
    // The example from the brief: zero working days.
    let e =
        err(&huaxi_with("value = 3\nunit = \"working_days\"\nfrom = \"acceptance\"", "value = 0\nunit = \"working_days\"\nfrom = \"acceptance\""));
    assert_eq!(e.to_string(), "deadlines.dibao.investigation_start: must be a positive number of working days");
    assert_eq!(e.message_zh(), "政策参数文件有误：deadlines.dibao.investigation_start：须为正整数个工作日");

    let cases: &[(&str, &str, &str)] = &[
        // Wrong unit for a deadline.
        (
            "value = 3\nunit = \"working_days\"\nfrom = \"acceptance\"",
            "value = 3\nunit = \"days\"\nfrom = \"acceptance\"",
            "deadlines.dibao.investigation_start.unit",
        ),
        // Empty source.
        ("source = \"57号 第十五条\"", "source = \"  \"", "deadlines.dibao.investigation_start.source"),
        // Typo in a key.
        ("requires_reason = true", "requires_reasn = true", "deadlines.dibao.procedure_extended.requires_reasn"),
        // Unknown step and unknown type.
        ("[deadlines.tekun.confirmation]", "[deadlines.tekun.confirmaton]", "deadlines.tekun.confirmaton"),
        ("[deadlines.bianyuan]", "[deadlines.bianyaun]", "deadlines.bianyaun"),
        // Unknown anchor.
        ("from = \"decision\"", "from = \"decided\"", "deadlines.dibao.refusal_notice.from"),
        // Rates: over 100 %, and not a number.
        ("value = 12\nunit = \"percent\"", "value = 120\nunit = \"percent\"", "supervision.spot_check_rate"),
        ("value = 12\nunit = \"percent\"", "value = \"twelve\"\nunit = \"percent\"", "supervision.spot_check_rate"),
        // 特困 ages: a minor's age that is not below the elderly age, and an age that is not a whole number.
        ("value = 16\nunit = \"years\"", "value = 60\nunit = \"years\"", "tekun.minor_age"),
        ("value = 60\nunit = \"years\"", "value = \"60\"\nunit = \"years\"", "tekun.elderly_age"),
        ("value = 16\nunit = \"years\"", "value = 16\nunit = \"months\"", "tekun.minor_age.unit"),
        ("physical = 2,", "limbs = 2,", "tekun.disability_no_work_capacity.value.limbs"),
        ("physical = 2,", "physical = 5,", "tekun.disability_no_work_capacity.value.physical"),
        // A multiple of 1 or less makes no sense for 低保边缘.
        ("value = \"1.5\"", "value = \"1\"", "bianyuan.income_limit"),
        // An unknown relation.
        ("\"maternal_grandchildren\"]", "\"cousins\"]", "near_relatives.default_relations.value[7]"),
        // A reconciliation day some months lack.
        ("value = 20\nunit = \"day_of_month\"", "value = 31\nunit = \"day_of_month\"", "reconciliation.monthly_due_day"),
        // A standard that is not a whole number of fen, and a year key that is not a year.
        ("value = 80000", "value = 800.5", "local_standards.2024.dibao_urban"),
        ("[local_standards.2024.dibao_urban]", "[local_standards.199x.dibao_urban]", "local_standards.199x"),
        // Extension shorter than the normal limit.
        ("value = 45", "value = 25", "deadlines.dibao.procedure_extended"),
        // 低保边缘 following a type without deadlines.
        ("follows = \"dibao\"", "follows = \"bianyuan\"", "deadlines.bianyuan.follows"),
        // A missing section, and a district code that is not a code.
        ("[investigation.min_investigators]", "[investigatoin.min_investigators]", "investigation"),
        ("code = \"520111\"", "code = \"花溪\"", "district.code"),
        ("format = \"ruhu-policy/1\"", "format = \"ruhu-policy/2\"", "format"),
    ];
    for (from, to, path) in cases {
        let e = err(&huaxi_with(from, to));
        assert_eq!(e.path(), *path, "{from:?} → {to:?}: {e}");
        assert!(e.message_zh().contains(path), "{}", e.message_zh());
    }

    // A syntax error names the line.
    let e = err(&huaxi_with("[district]", "[district"));
    assert_eq!(e.path(), "");
    assert!(e.error.message_zh.contains("行"), "{}", e.message_zh());
}

#[test]
fn the_tekun_ages_of_article_5_come_with_their_source() {
    let p = Policy::huaxi();
    assert_eq!((p.tekun_elderly_age(), p.tekun_minor_age()), (60, 16));
    assert!(p.source_note("tekun.elderly_age").unwrap().source.contains("43号 第五条（一）"));
    assert!(p.source_note("tekun.minor_age").unwrap().source.contains("未满16周岁"));
    let grades: Vec<(&str, u32)> = p.tekun_disability_grades().iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(grades, vec![("intellectual", 3), ("mental", 3), ("physical", 2), ("visual", 1)]);
    assert!(p.source_note("tekun.disability_no_work_capacity").unwrap().source.contains("第五条（三）"));
}

#[test]
fn the_far_from_household_threshold_is_a_marked_district_setting_with_its_source() {
    let p = Policy::huaxi();
    assert_eq!(p.far_from_household_m(), 200);
    let note = p.source_note("visit_review.far_from_household").expect("source note");
    assert!(note.demo && note.source.contains("非文件规定"), "{note:?}");
    let broken = Policy::huaxi_toml().replace("[visit_review.far_from_household]\nvalue = 200", "[visit_review.far_from_household]\nvalue = 0");
    let err = Policy::from_toml(&broken).unwrap_err();
    assert_eq!(err.path(), "visit_review.far_from_household");
}
