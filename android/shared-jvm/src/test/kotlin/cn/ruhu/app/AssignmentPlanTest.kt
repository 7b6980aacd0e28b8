package cn.ruhu.app

import cn.ruhu.mobile.AssignmentItem
import cn.ruhu.mobile.CaseDeadline
import cn.ruhu.mobile.UndatedDeadline
import java.time.LocalDate
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class AssignmentPlanTest {
    private val today = LocalDate.of(2026, 9, 14)

    private fun item(id: String, village: String, due: String, head: String = "户主$id", status: String = "assigned", outbox: String? = null, error: String? = null) =
        AssignmentItem(
            id = id, caseId = "c$id", caseNo = "HX-$id", assistanceType = "dibao", assistanceTypeLabel = "最低生活保障",
            status = status, statusLabel = status, dueDate = due, villageName = village, headName = head, address = "地址",
            memberCount = 2u, householdLat = null, householdLon = null, investigators = listOf("甲", "乙"),
            formId = "dibao-home-visit", formVersion = 2u, completedBy = null, draftId = null, draftState = null,
            outboxState = outbox, outboxStateLabel = null, outboxError = error,
        )

    @Test
    fun `villages in pinyin order, refused visits first, open ones by due date, finished ones last`() {
        val plan = AssignmentPlan.group(
            listOf(
                item("1", "谷通村", "2026-09-20"),
                item("2", "北街村", "2026-09-18"),
                item("3", "谷通村", "2026-09-15"),
                item("4", "谷通村", "2026-09-10", status = "completed"),
                item("5", "谷通村", "2026-09-12", outbox = "pending"),
                item("6", "杨眉村", "2026-09-16"),
                item("7", "谷通村", "2026-09-15", head = "艾某"),
            ),
            today,
        )
        assertEquals(listOf("北街村", "谷通村", "杨眉村"), plan.map { it.village })
        val gutong = plan[1]
        assertEquals(listOf("7", "3", "1", "4", "5"), gutong.rows.map { it.item.id })
        assertEquals(3, gutong.openCount)
    }

    @Test
    fun `a visit merged with conflicts tells the investigator the supervisor decides`() {
        val notice = "调查结果已合并，其中2项与另一份调查结果不一致，已交由入户调查组织人员核实决定；您填写的内容已保存，无需重新调查"
        val row = AssignmentPlan.group(
            listOf(item("m", "谷通村", "2026-09-20", outbox = "sent").copy(outboxStateLabel = "已提交", outboxNotice = notice)),
            today,
        ).single().rows.single()
        assertEquals("已提交：$notice", row.statusLine)
        assertFalse(row.refused)
    }

    @Test
    fun `only open visits past their due date are overdue`() {
        val rows = AssignmentPlan.group(
            listOf(
                item("late", "谷通村", "2026-09-13"),
                item("today", "谷通村", "2026-09-14"),
                item("sent", "谷通村", "2026-09-01", outbox = "sent"),
                item("done", "谷通村", "2026-09-01", status = "completed"),
            ),
            today,
        ).single().rows.associateBy { it.item.id }
        assertTrue(rows.getValue("late").overdue)
        assertFalse(rows.getValue("today").overdue)
        assertFalse(rows.getValue("sent").overdue)
        assertFalse(rows.getValue("done").overdue)
    }

    @Test
    fun `a refused visit comes first and a bad date sorts after the good ones`() {
        val rows = AssignmentPlan.group(
            listOf(item("bad", "谷通村", "not-a-date"), item("r", "谷通村", "2026-09-20", outbox = "rejected", error = "缺少签字"), item("ok", "谷通村", "2026-09-30")),
            today,
        ).single().rows
        assertEquals(listOf("r", "ok", "bad"), rows.map { it.item.id })
        assertTrue(rows.first().refused)
    }

    @Test
    fun `a row shows the case's stage and its earliest open deadline beside the visit's own due date`() {
        val late = item("late", "谷通村", "2026-09-13").copy(
            caseStageLabel = "调查核实中",
            deadlines = listOf(
                CaseDeadline("investigation_start", "启动家庭经济状况调查", "2026-09-15", "due_soon", "即将到期", provisional = true),
                CaseDeadline("procedure", "审核确认办理时限", "2026-10-20", "on_time", "未到期", provisional = false),
            ),
        )
        val row = AssignmentPlan.group(listOf(late, item("bare", "谷通村", "2026-09-20")), today).single().rows.associateBy { it.item.id }
        val shown = row.getValue("late")
        assertEquals("已逾期（截止 2026-09-13）", shown.statusLine)
        assertEquals("案件进度：调查核实中", shown.stageLine)
        assertEquals("启动家庭经济状况调查：截止 2026-09-15（暂定）　即将到期", shown.deadlineLine)
        assertEquals(DeadlineUrgency.DUE_SOON, shown.deadlineUrgency)
        val overdue = late.copy(deadlines = listOf(CaseDeadline("publicity", "初审意见公示", "2026-09-01", "overdue", "已逾期", provisional = false)))
        assertEquals(DeadlineUrgency.OVERDUE, AssignmentPlan.group(listOf(overdue), today).single().rows.single().deadlineUrgency)
        val pending = late.copy(deadlines = emptyList(), undatedDeadlines = listOf(UndatedDeadline("procedure_devolved", "审核确认办理时限（权限下放）", "2027年的法定节假日安排尚未导入")))
        assertEquals("审核确认办理时限（权限下放）：截止日期待定", AssignmentPlan.group(listOf(pending), today).single().rows.single().deadlineLine)
        val bare = row.getValue("bare")
        assertNull(bare.stageLine)
        assertNull(bare.deadlineLine)
        assertEquals("截止 2026-09-20", bare.statusLine)
    }
}
