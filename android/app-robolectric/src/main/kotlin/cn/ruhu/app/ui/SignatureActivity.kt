package cn.ruhu.app.ui

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.os.Bundle
import android.text.InputType
import android.util.TypedValue
import android.view.View
import android.widget.EditText
import android.widget.LinearLayout
import cn.ruhu.app.InputRefused
import cn.ruhu.app.SignerRole
import cn.ruhu.app.userMessage
import cn.ruhu.mobile.RuhuException
import cn.ruhu.mobile.Signer
import cn.ruhu.app.ui.Ui.touchTarget
import java.io.File

/**
 * One signature for a draft: who signs (name, prefilled for the investigators), the pad, 清除 and 确认签字. The PNG
 * goes to the library through a short-lived file in the app's private cache, deleted at once (the library keeps
 * its own encrypted copy).
 */
class SignatureActivity : Activity() {
    lateinit var pad: SignaturePadView
        private set
    lateinit var name: EditText
        private set
    val problem by lazy { Ui.text(this, "", Ui.TEXT_SP, Ui.ERROR).apply { tag = "sign:problem"; visibility = View.GONE } }

    /** The signature's sha256 once stored. */
    var storedSha256: String? = null
        private set

    /** The PNG that was stored (kept for the caller's preview and for tests). */
    var storedPng: ByteArray? = null
        private set

    private lateinit var draftId: String
    private lateinit var role: SignerRole

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val session = AppSession.current
        val draft = intent.getStringExtra(EXTRA_DRAFT_ID)
        val signer = SignerRole.of(intent.getStringExtra(EXTRA_SIGNER))
        if (session == null || draft == null || signer == null) return finish()
        draftId = draft
        role = signer
        title = "签字：${signer.label}"
        val column = Ui.column(this)
        val full = { LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT) }
        column.addView(Ui.text(this, "签字人：${signer.label}", Ui.LABEL_SP, Ui.INK, bold = true))
        name = EditText(this).apply {
            hint = "签字人姓名"
            inputType = InputType.TYPE_CLASS_TEXT
            setTextSize(TypedValue.COMPLEX_UNIT_SP, Ui.TEXT_SP)
            setText(intent.getStringExtra(EXTRA_NAME).orEmpty())
            tag = "sign:name"
        }.touchTarget()
        column.addView(name, full())
        column.addView(Ui.text(this, "请在下方框内签名", Ui.SMALL_SP, Ui.MUTED))
        pad = SignaturePadView(this).apply { tag = "sign:pad" }
        column.addView(pad, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, Ui.dp(this, SignaturePadView.HEIGHT_DP)))
        column.addView(problem, full())
        column.addView(Ui.button(this, "清除重签") { pad.clear() }.apply { tag = "sign:clear" }, full())
        column.addView(Ui.button(this, "确认签字") { confirm() }.apply { tag = "sign:confirm" }, full())
        setContentView(column)
    }

    private fun confirm() {
        val session = AppSession.current ?: return
        val file = File.createTempFile("signature", ".png", cacheDir)
        try {
            val png = pad.png()
            file.writeBytes(png)
            storedSha256 = session.device.addSignature(draftId, role.toSigner(), name.text.toString(), null, file.path)
            storedPng = png
            setResult(RESULT_OK)
            finish()
        } catch (e: InputRefused) {
            show(e.message)
        } catch (e: RuhuException) {
            show(e.userMessage())
        } finally {
            file.delete()
        }
    }

    private fun show(message: String) {
        problem.text = message
        problem.visibility = View.VISIBLE
    }

    companion object {
        const val EXTRA_DRAFT_ID = "draft_id"
        const val EXTRA_SIGNER = "signer"
        const val EXTRA_NAME = "signer_name"

        fun intent(context: Context, draftId: String, signer: SignerRole, prefilledName: String?): Intent =
            Intent(context, SignatureActivity::class.java)
                .putExtra(EXTRA_DRAFT_ID, draftId)
                .putExtra(EXTRA_SIGNER, signer.code)
                .putExtra(EXTRA_NAME, prefilledName)

        private fun SignerRole.toSigner(): Signer = when (this) {
            SignerRole.INVESTIGATOR1 -> Signer.INVESTIGATOR1
            SignerRole.INVESTIGATOR2 -> Signer.INVESTIGATOR2
            SignerRole.FAMILY_MEMBER -> Signer.FAMILY_MEMBER
        }
    }
}
