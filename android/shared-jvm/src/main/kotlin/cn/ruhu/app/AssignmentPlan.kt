package cn.ruhu.app

import cn.ruhu.mobile.AssignmentItem
import cn.ruhu.mobile.CaseDeadline
import java.text.Collator
import java.time.LocalDate
import java.time.format.DateTimeParseException
import java.util.Locale

/** One village on the day's plan, with its visits in the order to do them. */
data class VillageGroup(val village: String, val rows: List<AssignmentRow>) {
    val openCount: Int get() = rows.count { it.isOpen }
}

data class AssignmentRow(val item: AssignmentItem, val due: LocalDate?, val today: LocalDate) {
    /** Still to be visited by this phone: assigned, and not yet finalised into the outbox. */
    val isOpen: Boolean get() = item.status == STATUS_ASSIGNED && item.outboxState == null

    val overdue: Boolean get() = isOpen && due != null && due.isBefore(today)

    /** The server refused the finished visit: the investigator must look at it. */
    val refused: Boolean get() = item.outboxError != null

    /** The visit's own line: the server's refusal, what its merge left for the supervisor, its due date (已逾期 when
     * past), or where the visit stands. */
    val statusLine: String
        get() = when {
            refused -> "被退回：${item.outboxError}"
            item.outboxNotice != null -> "${item.outboxStateLabel ?: item.statusLabel}：${item.outboxNotice}"
            overdue -> "已逾期（截止 ${item.dueDate}）"
            isOpen -> "截止 ${item.dueDate}"
            else -> item.outboxStateLabel ?: item.statusLabel
        }

    /** "案件进度：调查核实中", as of the last sync; null when the server sent no progress. */
    val stageLine: String? get() = item.caseStageLabel?.let { "案件进度：$it" }

    /** The case's earliest open step (the core sends them earliest first), with the urgency the core judged today. */
    val nextDeadline: CaseDeadline? get() = item.deadlines.firstOrNull()

    /** "启动家庭经济状况调查：截止 2026-12-03（暂定）　即将到期", or "…：截止日期待定" for a step the server cannot
     * date yet; null when the case has no open step. */
    val deadlineLine: String?
        get() = nextDeadline?.let { d -> "${d.label}：截止 ${d.dueDate}${if (d.provisional) "（暂定）" else ""}　${d.urgencyLabel}" }
            ?: item.undatedDeadlines.firstOrNull()?.let { "${it.label}：截止日期待定" }

    /** The colour class of [deadlineLine]. */
    val deadlineUrgency: DeadlineUrgency? get() = nextDeadline?.let { DeadlineUrgency.of(it) }
}

/** How urgent a case deadline is, for its colour (red overdue, amber due soon). */
enum class DeadlineUrgency {
    OVERDUE,
    DUE_SOON,
    ON_TIME,
    ;

    companion object {
        fun of(deadline: CaseDeadline): DeadlineUrgency = when (deadline.urgency) {
            "overdue" -> OVERDUE
            "due_soon" -> DUE_SOON
            else -> ON_TIME
        }
    }
}

/**
 * The assignment list as investigators plan a day: grouped by village (villages in pinyin order), in each village
 * first the visits the server refused (they need the investigator), then the open ones by due date (earliest first),
 * then the finished ones.
 */
object AssignmentPlan {
    fun group(items: List<AssignmentItem>, today: LocalDate, locale: Locale = Locale.SIMPLIFIED_CHINESE): List<VillageGroup> {
        val collator = Collator.getInstance(locale)
        val rows = items.map { AssignmentRow(it, parseDate(it.dueDate), today) }
        val inVillage = compareBy<AssignmentRow> { if (it.refused) 0 else if (it.isOpen) 1 else 2 }
            .thenBy(nullsLast()) { it.due }
            .thenComparator { a, b -> collator.compare(a.item.headName, b.item.headName) }
        return rows
            .groupBy { it.item.villageName }
            .toSortedMap { a, b -> collator.compare(a, b) }
            .map { (village, villageRows) -> VillageGroup(village, villageRows.sortedWith(inVillage)) }
    }

    private fun parseDate(raw: String): LocalDate? =
        try {
            LocalDate.parse(raw)
        } catch (e: DateTimeParseException) {
            null
        }
}

internal const val STATUS_ASSIGNED = "assigned"
