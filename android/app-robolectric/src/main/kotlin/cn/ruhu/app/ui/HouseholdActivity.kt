package cn.ruhu.app.ui

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.os.Bundle
import android.widget.LinearLayout
import android.widget.ScrollView
import cn.ruhu.app.HouseholdSummary
import cn.ruhu.app.userMessage
import cn.ruhu.mobile.RuhuException

/** The household and case before the visit: the case, the members (IDs masked), who visits, where it stands. */
class HouseholdActivity : Activity() {
    lateinit var summary: HouseholdSummary
        private set
    private val column by lazy { Ui.column(this) }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        if (AppSession.current == null || intent.getStringExtra(EXTRA_ASSIGNMENT_ID) == null) return finish()
        setContentView(ScrollView(this).apply { addView(column) })
    }

    override fun onResume() {
        super.onResume()
        val session = AppSession.current ?: return finish()
        val assignmentId = intent.getStringExtra(EXTRA_ASSIGNMENT_ID) ?: return finish()
        column.removeAllViews()
        try {
            summary = HouseholdSummary(session.device.assignment(assignmentId), session.device.householdMembers(assignmentId))
        } catch (e: RuhuException) {
            column.addView(Ui.text(this, e.userMessage(), Ui.TEXT_SP, Ui.ERROR))
            return
        }
        title = summary.title
        column.addView(Ui.text(this, summary.title, 22f, Ui.INK, bold = true))
        for ((label, value) in summary.facts) {
            column.addView(Ui.text(this, label, Ui.SMALL_SP, Ui.MUTED).apply { setPadding(0, Ui.dp(context, 8), 0, 0) })
            column.addView(Ui.text(this, value, Ui.TEXT_SP, Ui.INK).apply { tag = "fact:$label" })
        }
        column.addView(Ui.text(this, "家庭成员（${summary.members.size} 人）", Ui.LABEL_SP, Ui.INK, bold = true).apply { setPadding(0, Ui.dp(context, 16), 0, 0) })
        summary.members.forEachIndexed { i, line -> column.addView(Ui.text(this, line, Ui.TEXT_SP, Ui.INK).apply { tag = "member:$i" }) }
        val full = { LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT).apply { topMargin = Ui.dp(this@HouseholdActivity, 16) } }
        if (summary.canVisit) {
            column.addView(Ui.button(this, summary.visitButton) { startActivity(FormActivity.intent(this, assignmentId)) }.apply { tag = "household:visit" }, full())
            column.addView(Ui.button(this, "核对并提交") { startActivity(ReviewActivity.intent(this, assignmentId)) }.apply { tag = "household:review" }, full())
        }
    }

    companion object {
        const val EXTRA_ASSIGNMENT_ID = "assignment_id"

        fun intent(context: Context, assignmentId: String): Intent =
            Intent(context, HouseholdActivity::class.java).putExtra(EXTRA_ASSIGNMENT_ID, assignmentId)
    }
}
