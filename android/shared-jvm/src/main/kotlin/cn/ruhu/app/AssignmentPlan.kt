package cn.ruhu.app

import cn.ruhu.mobile.AssignmentItem
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
