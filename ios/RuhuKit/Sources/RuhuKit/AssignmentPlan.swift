import Foundation
import RuhuMobile

/// One village on the day's plan, with its visits in the order to do them.
public struct VillageGroup: Equatable, Identifiable {
    public let village: String
    public let rows: [AssignmentRow]

    public var id: String { village }
    public var openCount: Int { rows.filter(\.isOpen).count }
}

public struct AssignmentRow: Equatable, Identifiable {
    public let item: AssignmentItem
    public let due: CalendarDate?
    public let today: CalendarDate

    public var id: String { item.id }

    /// Still to be visited by this phone: assigned, and not yet finalised into the outbox.
    public var isOpen: Bool { item.status == statusAssigned && item.outboxState == nil }

    public var overdue: Bool {
        guard isOpen, let due else { return false }
        return due < today
    }

    /// The server refused the finished visit: the investigator must look at it.
    public var refused: Bool { item.outboxError != nil }

    /// The row's status line, as the list shows it.
    public var statusLine: String {
        if let error = item.outboxError { return "被退回：\(error)" }
        if let notice = item.outboxNotice { return "\(item.outboxStateLabel ?? item.statusLabel)：\(notice)" }
        if overdue { return "已逾期（截止 \(item.dueDate)）" }
        if isOpen { return "截止 \(item.dueDate)" }
        return item.outboxStateLabel ?? item.statusLabel
    }

    /// "案件进度：调查核实中", as of the last sync; nil when the server sent no progress.
    public var stageLine: String? { item.caseStageLabel.map { "案件进度：\($0)" } }

    /// The case's earliest open step (the core sends them earliest first), with the urgency the core judged today.
    public var nextDeadline: CaseDeadline? { item.deadlines.first }

    /// "启动家庭经济状况调查：截止 2026-12-03（暂定）　即将到期", or "…：截止日期待定" for a step the server cannot
    /// date yet; nil when the case has no open step.
    public var deadlineLine: String? {
        if let d = nextDeadline { return "\(d.label)：截止 \(d.dueDate)\(d.provisional ? "（暂定）" : "")　\(d.urgencyLabel)" }
        return item.undatedDeadlines.first.map { "\($0.label)：截止日期待定" }
    }

    /// The colour class of `deadlineLine`.
    public var deadlineUrgency: DeadlineUrgency? { nextDeadline.map(DeadlineUrgency.init) }
}

/// How urgent a case deadline is, for its colour (red overdue, amber due soon).
public enum DeadlineUrgency: Equatable {
    case overdue
    case dueSoon
    case onTime

    public init(_ deadline: CaseDeadline) {
        switch deadline.urgency {
        case "overdue": self = .overdue
        case "due_soon": self = .dueSoon
        default: self = .onTime
        }
    }
}

private let statusAssigned = "assigned"

/// The assignment list as investigators plan a day: grouped by village (villages in pinyin order), in each village
/// first the visits the server refused (they need the investigator), then the open ones by due date (earliest
/// first), then the finished ones.
public enum AssignmentPlan {
    public static func group(_ items: [AssignmentItem], today: CalendarDate, locale: Locale = Locale(identifier: "zh_Hans")) -> [VillageGroup] {
        let rows = items.map { AssignmentRow(item: $0, due: CalendarDate(iso: $0.dueDate), today: today) }
        let byVillage = Dictionary(grouping: rows) { $0.item.villageName }
        return byVillage.keys
            .sorted { pinyinOrder($0, $1, locale) }
            .map { village in VillageGroup(village: village, rows: (byVillage[village] ?? []).sorted { inVillageOrder($0, $1, locale) }) }
    }

    private static func rank(_ row: AssignmentRow) -> Int {
        row.refused ? 0 : row.isOpen ? 1 : 2
    }

    private static func inVillageOrder(_ a: AssignmentRow, _ b: AssignmentRow, _ locale: Locale) -> Bool {
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        switch (a.due, b.due) {
        case let (x?, y?) where x != y: return x < y
        case (.some, .none): return true
        case (.none, .some): return false
        default: return pinyinOrder(a.item.headName, b.item.headName, locale)
        }
    }

    private static func pinyinOrder(_ a: String, _ b: String, _ locale: Locale) -> Bool {
        a.compare(b, locale: locale) == .orderedAscending
    }
}
