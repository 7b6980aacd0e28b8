import RuhuKit
import XCTest

final class AssignmentPlanTests: XCTestCase {
    private let today = CalendarDate(year: 2026, month: 9, day: 14)

    private func item(_ id: String, _ village: String, _ due: String, head: String? = nil, status: String = "assigned", outbox: String? = nil, error: String? = nil) -> AssignmentItem {
        AssignmentItem(
            id: id, caseId: "c\(id)", caseNo: "HX-\(id)", assistanceType: "dibao", assistanceTypeLabel: "最低生活保障",
            status: status, statusLabel: status, dueDate: due, villageName: village, headName: head ?? "户主\(id)", address: "地址",
            memberCount: 2, householdLat: nil, householdLon: nil, investigators: ["甲", "乙"],
            formId: "dibao-home-visit", formVersion: 1, completedBy: nil, draftId: nil, draftState: nil,
            outboxState: outbox, outboxStateLabel: nil, outboxError: error
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
}
