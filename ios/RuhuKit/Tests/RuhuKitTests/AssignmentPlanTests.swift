import RuhuKit
import XCTest

final class AssignmentPlanTests: XCTestCase {
    private let today = CalendarDate(year: 2026, month: 9, day: 14)

    private func item(
        _ id: String, _ village: String, _ due: String, head: String? = nil, status: String = "assigned", outbox: String? = nil, error: String? = nil,
        stage: String? = nil, deadlines: [CaseDeadline] = []
    ) -> AssignmentItem {
        AssignmentItem(
            id: id, caseId: "c\(id)", caseNo: "HX-\(id)", assistanceType: "dibao", assistanceTypeLabel: "最低生活保障",
            status: status, statusLabel: status, dueDate: due, villageName: village, headName: head ?? "户主\(id)", address: "地址",
            memberCount: 2, householdLat: nil, householdLon: nil, investigators: ["甲", "乙"],
            formId: "dibao-home-visit", formVersion: 1, completedBy: nil, draftId: nil, draftState: nil,
            outboxState: outbox, outboxStateLabel: nil, outboxError: error, caseStageLabel: stage, deadlines: deadlines
        )
    }

    func testVillagesInPinyinOrderRefusedFirstOpenByDueDateFinishedLast() {
        let plan = AssignmentPlan.group([
            item("1", "谷通村", "2026-09-20"),
            item("2", "北街村", "2026-09-18"),
            item("3", "谷通村", "2026-09-15"),
            item("4", "谷通村", "2026-09-10", status: "completed"),
            item("5", "谷通村", "2026-09-12", outbox: "pending"),
            item("6", "杨眉村", "2026-09-16"),
            item("7", "谷通村", "2026-09-15", head: "艾某"),
        ], today: today)
        XCTAssertEqual(plan.map(\.village), ["北街村", "谷通村", "杨眉村"])
        XCTAssertEqual(plan[1].rows.map(\.item.id), ["7", "3", "1", "4", "5"])
        XCTAssertEqual(plan[1].openCount, 3)
    }

    func testOnlyOpenVisitsPastTheirDueDateAreOverdue() throws {
        let plan = AssignmentPlan.group([
            item("late", "谷通村", "2026-09-13"),
            item("today", "谷通村", "2026-09-14"),
            item("sent", "谷通村", "2026-09-01", outbox: "sent"),
            item("done", "谷通村", "2026-09-01", status: "completed"),
        ], today: today)
        let rows = Dictionary(uniqueKeysWithValues: try XCTUnwrap(plan.first).rows.map { ($0.item.id, $0) })
        XCTAssertEqual(rows["late"]?.overdue, true)
        XCTAssertEqual(rows["late"]?.statusLine, "已逾期（截止 2026-09-13）")
        XCTAssertEqual(rows["today"]?.overdue, false)
        XCTAssertEqual(rows["sent"]?.overdue, false)
        XCTAssertEqual(rows["done"]?.overdue, false)
    }

    func testARefusedVisitComesFirstAndABadDateSortsAfterTheGoodOnes() throws {
        let plan = AssignmentPlan.group([
            item("bad", "谷通村", "not-a-date"),
            item("r", "谷通村", "2026-09-20", outbox: "rejected", error: "缺少签字"),
            item("ok", "谷通村", "2026-09-30"),
        ], today: today)
        let rows = try XCTUnwrap(plan.first).rows
        XCTAssertEqual(rows.map(\.item.id), ["r", "ok", "bad"])
        XCTAssertEqual(rows.first?.statusLine, "被退回：缺少签字")
    }

    func testARowShowsTheCasesStageAndItsEarliestOpenDeadlineBesideTheVisitsOwnDueDate() throws {
        let late = item("late", "谷通村", "2026-09-13", stage: "调查核实中", deadlines: [
            CaseDeadline(key: "investigation_start", label: "启动家庭经济状况调查", dueDate: "2026-09-15", urgency: "due_soon", urgencyLabel: "即将到期", provisional: true),
            CaseDeadline(key: "procedure", label: "审核确认办理时限", dueDate: "2026-10-20", urgency: "on_time", urgencyLabel: "未到期", provisional: false),
        ])
        let overdue = item("over", "谷通村", "2026-09-20", deadlines: [
            CaseDeadline(key: "publicity", label: "初审意见公示", dueDate: "2026-09-01", urgency: "overdue", urgencyLabel: "已逾期", provisional: false),
        ])
        let plan = AssignmentPlan.group([late, overdue, item("bare", "谷通村", "2026-09-21")], today: today)
        let rows = Dictionary(uniqueKeysWithValues: try XCTUnwrap(plan.first).rows.map { ($0.item.id, $0) })
        let shown = try XCTUnwrap(rows["late"])
        XCTAssertEqual(shown.statusLine, "已逾期（截止 2026-09-13）")
        XCTAssertEqual(shown.stageLine, "案件进度：调查核实中")
        XCTAssertEqual(shown.deadlineLine, "启动家庭经济状况调查：截止 2026-09-15（暂定）　即将到期")
        XCTAssertEqual(shown.deadlineUrgency, .dueSoon)
        XCTAssertEqual(rows["over"]?.deadlineLine, "初审意见公示：截止 2026-09-01　已逾期")
        XCTAssertEqual(rows["over"]?.deadlineUrgency, .overdue)
        var pending = late
        pending.deadlines = []
        pending.undatedDeadlines = [UndatedDeadline(key: "procedure_devolved", label: "审核确认办理时限（权限下放）", reason: "2027年的法定节假日安排尚未导入")]
        let pendingRow = try XCTUnwrap(AssignmentPlan.group([pending], today: today).first?.rows.first)
        XCTAssertEqual(pendingRow.deadlineLine, "审核确认办理时限（权限下放）：截止日期待定")
        let bare = try XCTUnwrap(rows["bare"])
        XCTAssertNil(bare.stageLine)
        XCTAssertNil(bare.deadlineLine)
        XCTAssertEqual(bare.statusLine, "截止 2026-09-21")
    }
}
