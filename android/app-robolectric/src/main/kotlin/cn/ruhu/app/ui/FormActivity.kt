package cn.ruhu.app.ui

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.os.Bundle
import cn.ruhu.app.FormDraftController
import cn.ruhu.app.RuhuSession
import cn.ruhu.app.SignerRole
import cn.ruhu.app.UserInput
import cn.ruhu.app.userMessage
import cn.ruhu.mobile.RuhuException

/** The open session of the app process, set after unlock; screens read it, they never open the store themselves. */
object AppSession {
    @Volatile
    var current: RuhuSession? = null
}

/** Camera, signature pad and GPS: platform parts the form screen hands off to (set by the app at start-up). */
interface FieldServices {
    fun takePhoto(activity: FormActivity, draftId: String, questionId: String)
    fun sign(activity: FormActivity, draftId: String, questionId: String, signer: SignerRole)
    fun locate(activity: FormActivity, draftId: String, questionId: String)

    /** The camera or the signature pad came back (FormActivity.onActivityResult). */
    fun onResult(activity: FormActivity, requestCode: Int, resultCode: Int, data: Intent?) {}
}

/** The form of one assignment's draft; every answer is saved as it is given. */
class FormActivity : Activity(), FormScreenActions {
    lateinit var controller: FormDraftController
        private set
    lateinit var screen: FormScreenView
        private set

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val session = AppSession.current
        val assignmentId = intent.getStringExtra(EXTRA_ASSIGNMENT_ID)
        if (session == null || assignmentId == null) {
            finish()
            return
        }
        val draft = try {
            session.device.startDraft(assignmentId)
        } catch (e: RuhuException) {
            setContentView(Ui.column(this).apply { addView(Ui.text(context, e.userMessage(), Ui.TEXT_SP, Ui.ERROR)) })
            return
        }
        controller = FormDraftController(session.device, draft.id, draft.formId, draft.formVersion)
        screen = FormScreenView(this, this)
        title = controller.model.title
        setContentView(screen)
        screen.render(controller.model)
    }

    /** After a photo, a signature or a fix came back from [FieldServices]. */
    fun refresh() = screen.render(controller.reload(), controller.refusals)

    override fun input(path: String, input: UserInput) = show { controller.edit(path, input) }

    override fun addRow(groupId: String) = show { controller.apply(controller.model.addRow(groupId)) }

    override fun removeRow(groupId: String, index: Int) = show { controller.apply(controller.model.removeRow(groupId, index)) }

    override fun takePhoto(questionId: String) { services?.takePhoto(this, controller.draftId, questionId) }

    override fun sign(questionId: String, signer: SignerRole) { services?.sign(this, controller.draftId, questionId, signer) }

    override fun locate(questionId: String) { services?.locate(this, controller.draftId, questionId) }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        services?.onResult(this, requestCode, resultCode, data)
    }

    override fun finalise() {
        val session = AppSession.current ?: return
        try {
            session.device.finalise(controller.draftId)
            AutoSync.trigger(cn.ruhu.app.SyncScheduler.Trigger.VISIT_FINALISED)
            finished = true
            finish()
        } catch (e: RuhuException) {
            screen.render(controller.reload(), controller.refusals + ("" to e.userMessage()))
        }
    }

    /** True once the draft went to the outbox. */
    var finished = false
        private set

    private inline fun show(change: () -> Unit) {
        change()
        // Posted: the view that triggered the change is replaced, and must finish its own event first.
        screen.post { screen.render(controller.model, controller.refusals) }
    }

    companion object {
        const val EXTRA_ASSIGNMENT_ID = "assignment_id"

        @Volatile
        var services: FieldServices? = null

        fun intent(context: Context, assignmentId: String): Intent =
            Intent(context, FormActivity::class.java).putExtra(EXTRA_ASSIGNMENT_ID, assignmentId)
    }
}
