package cn.ruhu.app.ui

import android.app.Activity
import android.app.AlertDialog
import android.os.Bundle
import android.widget.LinearLayout
import cn.ruhu.app.userMessage
import cn.ruhu.mobile.RuhuException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/**
 * Settings: the server this phone talks to and who is logged in, 退出登录 (local work stays for the same user),
 * and 清除本机数据 after a confirmation that says how many visits have not been sent: the store, every photo and
 * signature and the wrapped key are deleted.
 */
class SettingsActivity : Activity() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    val problem by lazy { Ui.text(this, "", Ui.TEXT_SP, Ui.ERROR).apply { tag = "settings:problem" } }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = "设置"
        val session = AppSession.current ?: return finish()
        val column = Ui.column(this)
        val full = { LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT).apply { topMargin = Ui.dp(this@SettingsActivity, 12) } }
        column.addView(Ui.text(this, "服务器地址", Ui.LABEL_SP, Ui.INK, bold = true))
        column.addView(Ui.text(this, session.settings.serverUrl, Ui.TEXT_SP, Ui.INK).apply { tag = "settings:server" })
        val user = session.user.value
        column.addView(Ui.text(this, "当前用户", Ui.LABEL_SP, Ui.INK, bold = true), full())
        column.addView(Ui.text(this, user?.let { "${it.displayName}（${it.orgUnitName}）" } ?: "未登录", Ui.TEXT_SP, Ui.INK).apply { tag = "settings:user" })
        column.addView(Ui.button(this, "退出登录") { logout() }.apply { tag = "settings:logout" }, full())
        column.addView(Ui.button(this, "清除本机数据") { confirmWipe() }.apply { tag = "settings:wipe"; setTextColor(Ui.ERROR) }, full())
        column.addView(problem, full())
        setContentView(column)
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    private fun logout() {
        val session = AppSession.current ?: return
        scope.launch {
            // Best effort on the server when offline; the tokens are dropped locally in any case.
            val failure = try {
                session.logout()
                null
            } catch (e: RuhuException) {
                e.userMessage()
            }
            runOnUiThread { if (failure == null) onLoggedOut?.invoke(this@SettingsActivity) else problem.text = failure }
        }
    }

    /** The warning counts the visits that would be lost: finished but not yet accepted by the server. */
    fun wipeWarning(): String {
        val unsent = AppSession.current?.device?.outbox()?.count { it.state == "pending" || it.state == "awaiting_media" } ?: 0
        val lost = if (unsent > 0) "本机还有 $unsent 份调查未同步，清除后无法恢复。" else ""
        return "清除后，本机的所有任务、调查、照片和签名都将删除。${lost}确定清除吗？"
    }

    private fun confirmWipe() {
        AlertDialog.Builder(this)
            .setTitle("清除本机数据")
            .setMessage(wipeWarning())
            .setPositiveButton("清除") { _, _ -> wipe() }
            .setNegativeButton("取消", null)
            .show()
    }

    private fun wipe() {
        val session = AppSession.current ?: return
        try {
            session.wipe()
            onWiped?.invoke(this)
        } catch (e: RuhuException) {
            problem.text = e.userMessage()
        }
    }

    companion object {
        /** Set at start-up by the app: the login screen. */
        @JvmStatic
        var onLoggedOut: ((Activity) -> Unit)? = null

        /** Set at start-up by the app: closes the session and opens a new, empty store at the login screen. */
        @JvmStatic
        var onWiped: ((Activity) -> Unit)? = null
    }
}
