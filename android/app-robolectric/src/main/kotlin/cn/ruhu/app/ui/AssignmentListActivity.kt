package cn.ruhu.app.ui

import android.app.Activity
import android.content.Context
import android.os.Bundle
import android.widget.LinearLayout
import android.widget.ScrollView
import cn.ruhu.app.AssignmentRow
import cn.ruhu.app.DeadlineUrgency
import cn.ruhu.app.ListStatus
import cn.ruhu.app.VillageGroup
import cn.ruhu.mobile.LocationFix

/**
 * The day's visits by village (see AssignmentPlan): the sync state with 同步 and 设置 on top, then a row per visit,
 * large enough to tap on the road, with the distance from the phone when a position is known.
 */
class AssignmentListView(context: Context, private val open: (AssignmentRow) -> Unit, private val sync: () -> Unit, private val settings: () -> Unit) : ScrollView(context) {
    private val column = Ui.column(context)

    init {
        addView(column)
    }

    fun render(groups: List<VillageGroup>, status: String = "", here: LocationFix? = null) {
        column.removeAllViews()
        column.addView(Ui.text(context, status, Ui.SMALL_SP, Ui.MUTED).apply { tag = "list:status" })
        val buttons = LinearLayout(context).apply { orientation = LinearLayout.HORIZONTAL }
        val half = { LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f) }
        buttons.addView(Ui.button(context, "同步") { sync() }.apply { tag = "list:sync" }, half())
        buttons.addView(Ui.button(context, "设置") { settings() }.apply { tag = "list:settings" }, half())
        column.addView(buttons)
        if (groups.isEmpty()) {
            column.addView(Ui.text(context, "暂无入户任务，请同步后查看", Ui.TEXT_SP, Ui.MUTED).apply { tag = "empty" })
            return
        }
        for (group in groups) {
            column.addView(Ui.text(context, "${group.village}（待访 ${group.openCount} 户）", 20f, Ui.ACCENT, bold = true).apply {
                setPadding(0, Ui.dp(context, 16), 0, Ui.dp(context, 8))
            })
            for (row in group.rows) column.addView(item(row, here), LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT))
        }
    }

    private fun item(row: AssignmentRow, here: LocationFix?): LinearLayout = LinearLayout(context).apply {
        orientation = LinearLayout.VERTICAL
        minimumHeight = Ui.dp(context, Ui.TOUCH_DP)
        setPadding(0, Ui.dp(context, 8), 0, Ui.dp(context, 8))
        tag = "assignment:${row.item.id}"
        isClickable = true
        setOnClickListener { open(row) }
        addView(Ui.text(context, "${row.item.headName}　${row.item.assistanceTypeLabel}", Ui.TEXT_SP, Ui.INK, bold = true))
        addView(Ui.text(context, row.item.address, Ui.SMALL_SP, Ui.MUTED))
        ListStatus.distance(row.item, here?.lat, here?.lon)?.let { addView(Ui.text(context, it, Ui.SMALL_SP, Ui.INK).apply { tag = "distance:${row.item.id}" }) }
        addView(Ui.text(context, row.statusLine, Ui.SMALL_SP, if (row.refused || row.overdue) Ui.ERROR else Ui.INK).apply { tag = "status:${row.item.id}" })
        row.stageLine?.let { addView(Ui.text(context, it, Ui.SMALL_SP, Ui.MUTED).apply { tag = "stage:${row.item.id}" }) }
        row.deadlineLine?.let { addView(Ui.text(context, it, Ui.SMALL_SP, colourOf(row.deadlineUrgency)).apply { tag = "deadline:${row.item.id}" }) }
    }

    private fun colourOf(urgency: DeadlineUrgency?): Int = when (urgency) {
        DeadlineUrgency.OVERDUE -> Ui.ERROR
        DeadlineUrgency.DUE_SOON -> Ui.WARNING
        DeadlineUrgency.ON_TIME, null -> Ui.INK
    }
}

/** The list after login and after each sync; a visit opens its household summary. */
class AssignmentListActivity : Activity() {
    lateinit var list: AssignmentListView
        private set
    private var location: LocationCapture? = null

    /** The phone's last position on this screen (for the distances); none until a fix arrives. */
    var here: LocationFix? = null
        private set

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = "入户任务"
        list = AssignmentListView(
            this,
            open = { row -> startActivity(HouseholdActivity.intent(this, row.item.id)) },
            sync = { startActivity(android.content.Intent(this, SyncActivity::class.java)) },
            settings = { startActivity(android.content.Intent(this, SettingsActivity::class.java)) },
        )
        setContentView(list)
    }

    override fun onResume() {
        super.onResume()
        AutoSync.trigger(cn.ruhu.app.SyncScheduler.Trigger.APP_OPENED)
        render()
        // One fix per visit to the list, for the distances; no permission or no provider: no distances, no nagging.
        location = LocationCapture(this, onFix = { here = it; render() }, onFailure = {}).also { it.start() }
    }

    override fun onPause() {
        location?.stop()
        super.onPause()
    }

    private fun render() {
        val session = AppSession.current ?: return finish()
        list.render(session.plan(), ListStatus.header(session.device.outbox(), session.syncState.value), here)
    }
}
