package cn.ruhu.app.ui

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.os.Bundle
import android.widget.LinearLayout
import android.widget.ScrollView
import cn.ruhu.app.ReviewModel
import cn.ruhu.app.userMessage
import cn.ruhu.mobile.RuhuException

/**
 * Review before 完成并提交: what is still missing (the engine's problems under their questions' labels), the
 * eligibility pre-check as advice, and the finalise button, live only when the engine says the visit is complete.
 */
class ReviewActivity : Activity() {
    lateinit var model: ReviewModel
        private set
    private lateinit var draftId: String
    private val column by lazy { Ui.column(this) }

    /** True once the draft went to the outbox. */
    var finalised = false
        private set

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = "核对并提交"
        val session = AppSession.current
        val assignmentId = intent.getStringExtra(EXTRA_ASSIGNMENT_ID)
        if (session == null || assignmentId == null) return finish()
        setContentView(ScrollView(this).apply { addView(column) })
        try {
            val draft = session.device.startDraft(assignmentId)
            draftId = draft.id
            model = ReviewModel.load(session.device, draft.id, draft.formId, draft.formVersion)
            render(null)
        } catch (e: RuhuException) {
            column.addView(Ui.text(this, e.userMessage(), Ui.TEXT_SP, Ui.ERROR))
        }
    }

    private fun render(problem: String?) {
        column.removeAllViews()
        column.addView(Ui.text(this, model.form.title, 22f, Ui.INK, bold = true))
        column.addView(Ui.text(this, model.headline, Ui.TEXT_SP, if (model.canFinalise) Ui.ACCENT else Ui.ERROR).apply { tag = "review:headline" })
        model.missing.forEachIndexed { i, line -> column.addView(Ui.text(this, "• $line", Ui.SMALL_SP, Ui.ERROR).apply { tag = "review:missing:$i" }) }
        if (model.adviceLines.isNotEmpty()) {
            column.addView(Ui.text(this, "低保条件预审", Ui.LABEL_SP, Ui.INK, bold = true).apply { setPadding(0, Ui.dp(context, 16), 0, 0) })
            model.adviceLines.forEachIndexed { i, line -> column.addView(Ui.text(this, line, Ui.SMALL_SP, Ui.MUTED).apply { tag = "review:advice:$i" }) }
        }
        problem?.let { column.addView(Ui.text(this, it, Ui.TEXT_SP, Ui.ERROR).apply { tag = "review:problem" }) }
        column.addView(Ui.button(this, "完成并提交") { finalise() }.apply {
            isEnabled = model.canFinalise
            tag = "review:finalise"
        }, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT).apply { topMargin = Ui.dp(this@ReviewActivity, 24) })
    }

    private fun finalise() {
        val session = AppSession.current ?: return
        try {
            session.device.finalise(draftId)
            AutoSync.trigger(cn.ruhu.app.SyncScheduler.Trigger.VISIT_FINALISED)
            finalised = true
            finish()
        } catch (e: RuhuException) {
            render(e.userMessage())
        }
    }

    companion object {
        const val EXTRA_ASSIGNMENT_ID = "assignment_id"

        fun intent(context: Context, assignmentId: String): Intent =
            Intent(context, ReviewActivity::class.java).putExtra(EXTRA_ASSIGNMENT_ID, assignmentId)
    }
}
