//! Deadlines around 春节 and 国庆 in every covered year, adjusted working weekends, uncovered years, provisional mode.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn due(cal: &WorkCalendar, start: NaiveDate, n: u32) -> NaiveDate {
    let r = cal.add_working_days(start, n).unwrap();
    assert!(!r.provisional, "{start} + {n}: official years are never provisional");
    r.due
}

#[test]
fn the_bundled_calendar_covers_2024_to_2026() {
    let cal = WorkCalendar::bundled();
    assert_eq!(cal.covered_years(), vec![2024, 2025, 2026]);
    assert!(cal.provisional_years().is_empty(), "strict by default");
    for s in cal.schedules() {
        assert!(!s.source.trim().is_empty() && !s.notice.trim().is_empty());
    }
}

#[test]
fn spring_festival_2024_counts_the_adjusted_sundays() {
    let cal = WorkCalendar::bundled();
    // 除夕 (Fri 9 Feb) is a working day: the notice only encourages leave.
    assert!(cal.is_working_day(d(2024, 2, 9)).unwrap());
    // Accepted on the last working day before the break: 10–17 Feb off, Sun 18 Feb worked.
    assert_eq!(due(&cal, d(2024, 2, 9), 1), d(2024, 2, 18));
    assert_eq!(due(&cal, d(2024, 2, 9), 3), d(2024, 2, 20));
    // Before the break, Sun 4 Feb is worked.
    assert_eq!(due(&cal, d(2024, 2, 1), 3), d(2024, 2, 5));
}

#[test]
fn national_day_2024() {
    let cal = WorkCalendar::bundled();
    assert_eq!(due(&cal, d(2024, 9, 27), 1), d(2024, 9, 29), "Sun 29 Sep is worked");
    assert_eq!(due(&cal, d(2024, 9, 30), 3), d(2024, 10, 10), "1–7 Oct off");
    assert_eq!(due(&cal, d(2024, 9, 30), 5), d(2024, 10, 12), "Sat 12 Oct is worked");
    // A whole devolved 低保 procedure (20 working days) accepted on the last day before 国庆.
    assert_eq!(due(&cal, d(2024, 9, 30), 20), d(2024, 11, 1));
    // Mid-Autumn 2024: 15–17 Sep off, Sat 14 Sep worked.
    assert_eq!(due(&cal, d(2024, 9, 13), 1), d(2024, 9, 14));
    assert_eq!(due(&cal, d(2024, 9, 14), 1), d(2024, 9, 18));
}

#[test]
fn spring_festival_and_national_day_2025() {
    let cal = WorkCalendar::bundled();
    assert!(!cal.is_working_day(d(2025, 1, 1)).unwrap(), "元旦 2025 is one day, no make-up");
    assert_eq!(due(&cal, d(2025, 1, 24), 1), d(2025, 1, 26), "Sun 26 Jan is worked");
    assert_eq!(due(&cal, d(2025, 1, 27), 3), d(2025, 2, 7), "28 Jan – 4 Feb off");
    assert_eq!(due(&cal, d(2025, 1, 27), 4), d(2025, 2, 8), "Sat 8 Feb is worked");
    // 国庆 and 中秋 merged: 1–8 Oct off, Sun 28 Sep and Sat 11 Oct worked.
    assert_eq!(due(&cal, d(2025, 9, 26), 1), d(2025, 9, 28));
    assert_eq!(due(&cal, d(2025, 9, 30), 3), d(2025, 10, 11));
}

#[test]
fn spring_festival_and_national_day_2026() {
    let cal = WorkCalendar::bundled();
    // 元旦 2026: 1–3 Jan off, Sun 4 Jan worked; across the year boundary from 2025.
    assert_eq!(due(&cal, d(2025, 12, 31), 1), d(2026, 1, 4));
    // 春节 2026: Sat 14 Feb worked, 15–23 Feb off, Sat 28 Feb worked.
    assert_eq!(due(&cal, d(2026, 2, 13), 1), d(2026, 2, 14));
    assert_eq!(due(&cal, d(2026, 2, 14), 3), d(2026, 2, 26));
    assert_eq!(due(&cal, d(2026, 2, 14), 5), d(2026, 2, 28));
    assert!(!cal.is_working_day(d(2026, 2, 21)).unwrap());
    // 中秋 25–27 Sep; 国庆 1–7 Oct with Sun 20 Sep and Sat 10 Oct worked.
    assert_eq!(due(&cal, d(2026, 9, 18), 1), d(2026, 9, 20));
    assert_eq!(due(&cal, d(2026, 9, 24), 1), d(2026, 9, 28));
    assert_eq!(due(&cal, d(2026, 9, 30), 3), d(2026, 10, 10));
}

#[test]
fn day_kinds_name_the_holiday() {
    let cal = WorkCalendar::bundled();
    assert_eq!(cal.day(d(2026, 2, 14)).unwrap().kind, DayKind::AdjustedWorkday { name: "春节".into() });
    assert_eq!(cal.day(d(2026, 10, 2)).unwrap().kind, DayKind::Holiday { name: "国庆节".into() });
    assert_eq!(cal.day(d(2026, 3, 7)).unwrap().kind, DayKind::Weekend);
    assert_eq!(cal.day(d(2026, 3, 9)).unwrap().kind, DayKind::Workday);
}

#[test]
fn counting_between_is_the_inverse_of_adding() {
    let cal = WorkCalendar::bundled();
    assert_eq!(cal.working_days_between(d(2024, 9, 30), d(2024, 10, 10)).unwrap().days, 3);
    assert_eq!(cal.working_days_between(d(2024, 10, 10), d(2024, 9, 30)).unwrap().days, -3);
    assert_eq!(cal.working_days_between(d(2024, 10, 10), d(2024, 10, 10)).unwrap().days, 0);
    let mut start = d(2024, 1, 1);
    // Up to mid-October 2026, so that 45 working days stay inside the covered years.
    while start <= d(2026, 10, 15) {
        for n in [0, 1, 3, 15, 20, 30, 45] {
            let r = cal.add_working_days(start, n).unwrap();
            assert!(cal.is_working_day(r.due).unwrap() || n == 0);
            assert_eq!(cal.working_days_between(start, r.due).unwrap().days, i64::from(n), "{start} + {n}");
        }
        start = start.succ_opt().unwrap();
    }
}

#[test]
fn no_covered_year_has_more_than_six_working_days_in_a_row() {
    // Decree 795 art. 7: apart from special cases, no more than 6 consecutive working days around a holiday.
    // A typo in the data (a working day on the wrong weekend) usually breaks this.
    let cal = WorkCalendar::bundled();
    let mut run = 0;
    for date in d(2024, 1, 1).iter_days().take_while(|x| *x <= d(2026, 12, 31)) {
        run = if cal.is_working_day(date).unwrap() { run + 1 } else { 0 };
        assert!(run <= 6, "7 working days in a row ending {date}");
    }
}

#[test]
fn a_year_not_covered_is_an_error_in_chinese() {
    let cal = WorkCalendar::bundled();
    // Accepted 14 Dec 2026: 13 working days are left in 2026, the 20th falls in 2027.
    assert_eq!(due(&cal, d(2026, 12, 14), 13), d(2026, 12, 31));
    let err = cal.add_working_days(d(2026, 12, 14), 20).unwrap_err();
    assert_eq!(err, CalendarError::YearNotCovered { year: 2027 });
    assert_eq!(err.code(), "calendar_year_not_covered");
    assert!(err.message_zh().contains("2027年"), "{}", err.message_zh());
    assert_eq!(cal.is_working_day(d(2023, 12, 29)), Err(CalendarError::YearNotCovered { year: 2023 }));
    assert!(cal.working_days_between(d(2026, 12, 1), d(2027, 1, 5)).is_err());
    // Publicity periods are calendar days and need no schedule.
    let p = cal.add_calendar_days(d(2026, 12, 28), 7).unwrap();
    assert_eq!((p.due, p.provisional), (d(2027, 1, 4), false));
}

#[test]
fn provisional_mode_marks_what_it_guessed() {
    let cal = WorkCalendar::bundled().allow_provisional();
    assert_eq!(cal.provisional_years(), vec![2027, 2028, 2029, 2030]);
    // Entirely in 2026: official, not provisional.
    let r = cal.add_working_days(d(2026, 12, 14), 13).unwrap();
    assert_eq!((r.due, r.provisional), (d(2026, 12, 31), false));
    // Into 2027: 1 Jan (元旦) off, then weekdays.
    let r = cal.add_working_days(d(2026, 12, 14), 20).unwrap();
    assert_eq!((r.due, r.provisional), (d(2027, 1, 12), true));
    assert!(cal.working_days_between(d(2026, 12, 14), d(2027, 1, 12)).unwrap().provisional);
    // 春节 2027 provisionally: 除夕 5 Feb + 初一..初三 (6–8 Feb; 6–7 Feb are a weekend anyway), no make-up days.
    let r = cal.add_working_days(d(2027, 2, 4), 1).unwrap();
    assert_eq!((r.due, r.provisional), (d(2027, 2, 9), true));
    assert!(cal.day(d(2027, 2, 5)).unwrap().provisional);
    // Beyond the lunar data the answer is still "not covered".
    assert_eq!(cal.is_working_day(d(2031, 3, 3)), Err(CalendarError::YearNotCovered { year: 2031 }));

    // Loading the real 2027 schedule ends the guessing for that year.
    let mut cal = cal;
    let s2027 = YearSchedule {
        year: 2027,
        notice: "测试：2027年安排".into(),
        issued: None,
        source: "test".into(),
        holidays: vec![Holiday { name: "元旦".into(), off_from: d(2027, 1, 1), off_to: d(2027, 1, 3), working: vec![] }],
    };
    cal.load_year(s2027.clone()).unwrap();
    let r = cal.add_working_days(d(2026, 12, 14), 20).unwrap();
    assert_eq!((r.due, r.provisional), (d(2027, 1, 12), false));
    assert_eq!(cal.load_year(s2027).unwrap_err(), CalendarError::YearAlreadyLoaded { year: 2027 });
}

#[test]
fn statutory_days_of_2025_and_2026_fall_inside_the_official_holidays() {
    // Checks the shipped lunar dates and the Decree 795 rule against the two notices issued under it.
    let cal = WorkCalendar::bundled();
    let statutory = StatutoryHolidays::bundled();
    for year in [2025, 2026] {
        for (date, name) in statutory.days_off(year).unwrap() {
            let day = cal.day(date).unwrap();
            assert!(matches!(day.kind, DayKind::Holiday { .. }), "{name} {date} should be off in {year}: {day:?}");
        }
    }
}

#[test]
fn load_year_validates_a_schedule_built_in_code() {
    let mut cal = WorkCalendar::bundled();
    let bad = YearSchedule {
        year: 2027,
        notice: "n".into(),
        issued: None,
        source: "s".into(),
        holidays: vec![Holiday { name: "春节".into(), off_from: d(2027, 2, 5), off_to: d(2027, 2, 11), working: vec![d(2027, 2, 6)] }],
    };
    let err = cal.load_year(bad).unwrap_err();
    assert_eq!(err.path(), Some("years[0].holidays[0].working[0]"));
    assert!(err.message_zh().contains("既是放假日又是上班日"), "{}", err.message_zh());
    assert_eq!(cal.covered_years(), vec![2024, 2025, 2026], "nothing changed");
}
