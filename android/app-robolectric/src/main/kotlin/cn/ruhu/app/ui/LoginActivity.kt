package cn.ruhu.app.ui

import android.app.Activity
import android.os.Bundle
import android.text.InputType
import android.view.View
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import cn.ruhu.app.LoginForm
import cn.ruhu.app.ui.Ui.touchTarget

/**
 * Login: server address, user, password. The boxes are checked here ([LoginForm]); what happens with a ready form
 * (log in through RuhuSession, then sync) is [onReady], set by the app's start-up code.
 */
class LoginScreen(context: android.content.Context, private val onReady: (LoginForm.Check.Ready) -> Unit) : ScrollView(context) {
    val server: EditText = box(InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_URI, "如 https://ruhu.huaxi.gov.cn")
    val username: EditText = box(InputType.TYPE_CLASS_TEXT, "工号或用户名")
    val password: EditText = box(InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD, "密码")
    val problem: TextView = Ui.text(context, "", Ui.TEXT_SP, Ui.ERROR).apply { visibility = View.GONE; tag = "login:problem" }
    val submit = Ui.button(context, "登录") { submit() }.apply { tag = "login:submit" }

    init {
        val column = Ui.column(context)
        column.addView(Ui.text(context, "入户调查", 26f, Ui.INK, bold = true))
        column.addView(Ui.text(context, "社会救助入户调查（离线可用）", Ui.SMALL_SP, Ui.MUTED))
        for ((label, box) in listOf("服务器地址" to server, "用户名" to username, "密码" to password)) {
            column.addView(Ui.text(context, label, Ui.LABEL_SP, Ui.INK, bold = true).apply { setPadding(0, Ui.dp(context, 16), 0, Ui.dp(context, 4)) })
            column.addView(box, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT))
        }
        column.addView(problem)
        column.addView(submit, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT).apply { topMargin = Ui.dp(context, 24) })
        addView(column)
    }

    /** A message from the login attempt itself (offline, wrong password), in Chinese from the core. */
    fun showProblem(message: String) {
        problem.text = message
        problem.visibility = View.VISIBLE
    }

    private fun submit() {
        when (val check = LoginForm(server.text.toString(), username.text.toString(), password.text.toString()).check()) {
            is LoginForm.Check.Problem -> {
                showProblem(check.message)
                when (check.field) {
                    LoginForm.Field.SERVER -> server
                    LoginForm.Field.USERNAME -> username
                    LoginForm.Field.PASSWORD -> password
                }.requestFocus()
            }
            is LoginForm.Check.Ready -> {
                problem.visibility = View.GONE
                onReady(check)
            }
        }
    }

    private fun box(type: Int, hintText: String): EditText = EditText(context).apply {
        inputType = type
        hint = hintText
        setTextSize(android.util.TypedValue.COMPLEX_UNIT_SP, Ui.TEXT_SP)
        setSingleLine()
    }.touchTarget()
}

class LoginActivity : Activity() {
    lateinit var screen: LoginScreen
        private set

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = "登录"
        screen = LoginScreen(this) { ready -> onLogin?.invoke(this, ready) }
        setContentView(screen)
    }

    companion object {
        /** Set once at start-up by the app: logs in through the session and moves on to the assignment list. */
        @JvmStatic
        var onLogin: ((LoginActivity, LoginForm.Check.Ready) -> Unit)? = null
    }
}
