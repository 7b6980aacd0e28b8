package cn.ruhu.app.ui

import android.app.Activity
import android.content.Context
import android.os.Bundle
import android.widget.LinearLayout
import android.widget.ScrollView
import cn.ruhu.app.AssignmentRow
import cn.ruhu.app.VillageGroup
import java.time.LocalDate

/** The day's visits by village (see AssignmentPlan): a row per visit, large enough to tap on the road. */
class AssignmentListView(context: Context, private val open: (AssignmentRow) -> Unit) : ScrollView(context) {
    private val column = Ui.column(context)

    init {
        addView(column)
    }

    fun render(groups: List<VillageGroup>) {
        column.removeAllViews()
        if (groups.isEmpty()) {
            column.addView(Ui.text(context, "暂无入户任务，请同步后查看", Ui.TEXT_SP, Ui.MUTED).apply { tag = "empty" })
            return
        }
        for (group in groups) {
            column.addView(Ui.text(context, "${group.village}（待访 ${group.openCount} 户）", 20f, Ui.ACCENT, bold = true).apply {
                setPadding(0, Ui.dp(context, 16), 0, Ui.dp(context, 8))
            })
            for (row in group.rows) column.addView(item(row), LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT))
        }
    }

    private fun item(row: AssignmentRow): LinearLayout = LinearLayout(context).apply {
        orientation = LinearLayout.VERTICAL
        minimumHeight = Ui.dp(context, Ui.TOUCH_DP)
        setPadding(0, Ui.dp(context, 8), 0, Ui.dp(context, 8))
        tag = "assignment:${row.item.id}"
        isClickable = true
        setOnClickListener { open(row) }
        addView(Ui.text(context, "${row.item.headName}　${row.item.assistanceTypeLabel}", Ui.TEXT_SP, Ui.INK, bold = true))
        addView(Ui.text(context, row.item.address, Ui.SMALL_SP, Ui.MUTED))
        val state = when {
            row.refused -> "被退回：${row.item.outboxError}"
            row.overdue -> "已逾期（截止 ${row.item.dueDate}）"
            row.isOpen -> "截止 ${row.item.dueDate}"
            else -> row.item.outboxStateLabel ?: row.item.statusLabel
        }
        addView(Ui.text(context, state, Ui.SMALL_SP, if (row.refused || row.overdue) Ui.ERROR else Ui.INK))
    }
}

/** The list after login and after each sync; an open visit opens its form. */
class AssignmentListActivity : Activity() {
    lateinit var list: AssignmentListView
        private set

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = "入户任务"
        list = AssignmentListView(this) { row -> if (row.isOpen) startActivity(FormActivity.intent(this, row.item.id)) }
        setContentView(list)
    }

    override fun onResume() {
        super.onResume()
        val session = AppSession.current ?: return finish()
        list.render(session.plan(LocalDate.now()))
    }
}
