package cn.ruhu.app.ui

import android.app.Activity
import android.content.Context
import android.os.Bundle
import android.util.TypedValue
import android.view.Gravity
import android.view.View
import android.widget.GridLayout
import android.widget.LinearLayout
import android.widget.TextView
import cn.ruhu.app.UnlockController
import java.util.concurrent.Executor
import java.util.concurrent.Executors

/**
 * The PIN pad: large keys (72 dp), dots for the digits typed, the core's Chinese message under them ("PIN 码错误，
 * 还可尝试 3 次"), a biometric key where the phone has one, and 忘记 PIN 码. Also where a new PIN is chosen after
 * the first login. What follows an unlock or a lock-out is the app's ([onUnlocked], [onNeedsLogin]).
 */
class UnlockScreen(
    context: Context,
    private val controller: UnlockController,
    private val offerBiometric: Boolean,
    private val checker: Executor,
    private val done: (UnlockController.Next) -> Unit,
    private val biometric: () -> Unit,
) : LinearLayout(context) {
    val title: TextView = Ui.text(context, "", 22f, Ui.INK, bold = true).apply { gravity = Gravity.CENTER; tag = "unlock:title" }
    val dots: TextView = Ui.text(context, "", 32f, Ui.INK).apply { gravity = Gravity.CENTER; tag = "unlock:dots"; letterSpacing = 0.3f }
    val message: TextView = Ui.text(context, "", Ui.TEXT_SP, Ui.ERROR).apply { gravity = Gravity.CENTER; tag = "unlock:message" }
    private val keys = GridLayout(context).apply { columnCount = 3 }

    init {
        orientation = VERTICAL
        setBackgroundColor(android.graphics.Color.WHITE)
        val pad = Ui.dp(context, 16)
        setPadding(pad, pad, pad, pad)
        addView(title, full())
        addView(dots, full())
        addView(message, full())
        for (d in listOf(1, 2, 3, 4, 5, 6, 7, 8, 9)) keys.addView(key(d.toString(), "key:$d") { press(d) })
        keys.addView(key("指纹", "key:biometric") { biometric() }.apply { visibility = if (offerBiometric) View.VISIBLE else View.INVISIBLE })
        keys.addView(key("0", "key:0") { press(0) })
        keys.addView(key("删除", "key:delete") { if (!busy) controller.delete(); render() })
        addView(keys, LayoutParams(LayoutParams.WRAP_CONTENT, LayoutParams.WRAP_CONTENT).apply { gravity = Gravity.CENTER_HORIZONTAL; topMargin = pad })
        addView(Ui.button(context, "忘记 PIN 码，重新登录") { if (!busy) done(controller.forgotPin()) }.apply { tag = "unlock:forgot" }, full())
        render()
    }

    fun render() {
        title.text = controller.title
        dots.text = controller.dots
        message.text = controller.message ?: ""
        message.setTextColor(if (controller.messageIsError) Ui.ERROR else Ui.ACCENT)
        keys.findViewWithTag<View>("key:biometric")?.visibility = if (offerBiometric && controller.biometricAllowed) View.VISIBLE else View.INVISIBLE
    }

    /** True while a complete PIN is being checked (Argon2, about 0.1 s on a cheap phone): keys do nothing meanwhile. */
    @Volatile
    var busy = false
        private set

    private fun press(d: Int) {
        if (busy) return
        if (!controller.nextDigitSubmits) {
            controller.digit(d)
            render()
            return
        }
        busy = true
        dots.text = "●".repeat(controller.pinLength)
        // The check runs off the main thread; the controller is touched by nobody else until it is done.
        checker.execute {
            val next = controller.digit(d)
            post {
                busy = false
                render()
                if (next != UnlockController.Next.STAY) done(next)
            }
        }
    }

    private fun key(label: String, keyTag: String, onClick: () -> Unit): View = Ui.button(context, label, onClick).apply {
        tag = keyTag
        setTextSize(TypedValue.COMPLEX_UNIT_SP, 26f)
        val size = Ui.dp(context, KEY_DP)
        layoutParams = GridLayout.LayoutParams().apply { width = size; height = size; setMargins(Ui.dp(context, 6), Ui.dp(context, 6), Ui.dp(context, 6), Ui.dp(context, 6)) }
    }

    private fun full() = LayoutParams(LayoutParams.MATCH_PARENT, LayoutParams.WRAP_CONTENT)

    companion object {
        const val KEY_DP = 72
    }
}

/** Opens the app between online logins: the PIN (or a biometric), or choosing the PIN after a login. */
class UnlockActivity : Activity() {
    lateinit var controller: UnlockController
        private set
    lateinit var screen: UnlockScreen
        private set
    private val checker = Executors.newSingleThreadExecutor()

    override fun onDestroy() {
        checker.shutdown()
        super.onDestroy()
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = "解锁"
        val session = AppSession.current ?: return finish()
        controller = UnlockController(session)
        screen = UnlockScreen(this, controller, Biometrics.available(this), checker, ::leave) { askBiometric() }
        setContentView(screen)
    }

    private fun askBiometric() {
        if (screen.busy) return
        Biometrics.prompt(this, onSuccess = { leave(controller.biometricSucceeded()) }, onFallback = { screen.render() })
    }

    private fun leave(next: UnlockController.Next) {
        screen.render()
        when (next) {
            UnlockController.Next.STAY -> return
            UnlockController.Next.UNLOCKED -> onUnlocked?.invoke(this)
            UnlockController.Next.LOGIN -> onNeedsLogin?.invoke(this)
        }
    }

    companion object {
        /** Set at start-up by the app: moves on to the assignment list. */
        @JvmStatic
        var onUnlocked: ((UnlockActivity) -> Unit)? = null

        /** Set at start-up by the app: the login screen (the message under the dots says why). */
        @JvmStatic
        var onNeedsLogin: ((UnlockActivity) -> Unit)? = null
    }
}
