package cn.ruhu.app

import cn.ruhu.mobile.AssignmentItem
import cn.ruhu.mobile.Member
import cn.ruhu.mobile.OutboxItem
import cn.ruhu.mobile.distanceBetween

/**
 * The household and case summary opened from the assignment list, before the visit: the case, the household with
 * its members (ID numbers masked: the full number is for checking documents at the door, not for a list), who
 * visits, and where the visit stands.
 */
class HouseholdSummary(val item: AssignmentItem, members: List<Member>) {
    val title: String get() = "${item.headName}户"

    /** Label and value, in the order a caseworker reads a case file's cover. */
    val facts: List<Pair<String, String>> = listOf(
        "救助类型" to item.assistanceTypeLabel,
        "案件编号" to item.caseNo,
        "村（居）" to item.villageName,
        "地址" to item.address,
        "调查截止" to item.dueDate,
        "调查人员" to item.investigators.joinToString("、").ifEmpty { "（未指定）" },
        "调查进度" to progress(),
    )

    val members: List<String> = members.map { "${it.name}（${it.relation}）　${it.residentIdMasked}" }

    val canVisit: Boolean get() = item.status == STATUS_ASSIGNED && item.outboxState == null

    val visitButton: String get() = if (item.draftId != null) "继续填写调查表" else "开始入户调查"

    private fun progress(): String = when {
        item.outboxError != null -> "被退回：${item.outboxError}"
        item.outboxStateLabel != null -> item.outboxStateLabel!!
        item.completedBy != null -> "已由${item.completedBy}完成"
        item.draftId != null -> "已开始填写，尚未提交"
        else -> item.statusLabel
    }
}

/** The assignment list's extra lines: the sync state above the list and the distance on each row. */
object ListStatus {
    /** "待上传 2 份调查　正在同步…", or "" when there is nothing to say. */
    fun header(outbox: List<OutboxItem>, sync: SyncState): String {
        val unsent = outbox.count { it.state == "pending" || it.state == "awaiting_media" }
        val parts = listOfNotNull(
            if (unsent > 0) "待上传 $unsent 份调查" else "调查均已上传",
            when (sync) {
                SyncState.Idle -> null
                is SyncState.Running -> "正在同步…"
                is SyncState.Finished, is SyncState.Failed -> SyncScreenModel.of(sync).headline
            },
        )
        return parts.joinToString("　")
    }

    /** "距您约 350 米" / "距您约 1.2 公里" from the phone's position; null when either position is unknown. */
    fun distance(item: AssignmentItem, hereLat: Double?, hereLon: Double?): String? {
        val (lat, lon) = (item.householdLat ?: return null) to (item.householdLon ?: return null)
        val metres = distanceBetween(hereLat ?: return null, hereLon ?: return null, lat, lon) ?: return null
        return "距您约 ${FixReport.length(metres)}"
    }
}
