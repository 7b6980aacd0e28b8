package cn.ruhu.app.ui

import android.app.Activity
import android.os.Bundle
import android.view.View
import android.widget.LinearLayout
import android.widget.ProgressBar
import cn.ruhu.app.SyncScreenModel
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/**
 * Sync with a real progress bar: bytes of photos and signatures uploaded, then pages pulled (indeterminate: the
 * number of pages is not known in advance), a cancel button, and the Chinese failure texts of [SyncScreenModel].
 * Leaving the screen does not stop a sync: it runs in the session, and the screen shows it again when reopened.
 */
class SyncActivity : Activity() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val column by lazy { Ui.column(this) }
    val headline by lazy { Ui.text(this, "", 22f, Ui.INK, bold = true).apply { tag = "sync:headline" } }
    val detail by lazy { Ui.text(this, "", Ui.TEXT_SP, Ui.INK).apply { tag = "sync:detail" } }
    val bar by lazy {
        ProgressBar(this, null, android.R.attr.progressBarStyleHorizontal).apply {
            max = SyncScreenModel.PROGRESS_MAX
            tag = "sync:progress"
            minimumHeight = Ui.dp(context, 24)
        }
    }
    val start by lazy { Ui.button(this, "开始同步") { startSync() }.apply { tag = "sync:start" } }
    val cancel by lazy { Ui.button(this, "取消同步") { AppSession.current?.cancelSync() }.apply { tag = "sync:cancel" } }
    val relogin by lazy { Ui.button(this, "重新登录") { onNeedsLogin?.invoke(this) }.apply { tag = "sync:login" } }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = "同步"
        val session = AppSession.current ?: return finish()
        val full = { LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT) }
        for (v in listOf<View>(headline, detail, bar, start, cancel, relogin)) column.addView(v, full())
        setContentView(column)
        render(SyncScreenModel.of(session.syncState.value))
        scope.launch { session.syncState.collect { state -> runOnUiThread { render(SyncScreenModel.of(state)) } } }
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    fun startSync() {
        val session = AppSession.current ?: return
        // The session runs one sync at a time; its state flow drives the screen.
        session.backgroundSync()
    }

    private fun render(model: SyncScreenModel) {
        headline.text = model.headline
        headline.setTextColor(if (model.isError) Ui.ERROR else Ui.INK)
        detail.text = model.detail
        bar.isIndeterminate = model.progress == null && model.running
        bar.progress = model.progress ?: 0
        bar.visibility = if (model.running || model.progress != null) View.VISIBLE else View.INVISIBLE
        start.isEnabled = model.canStart
        cancel.isEnabled = model.canCancel
        relogin.visibility = if (model.needsLogin) View.VISIBLE else View.GONE
    }

    companion object {
        /** Set at start-up by the app: the login screen after a session ended or a revocation wiped the phone. */
        @JvmStatic
        var onNeedsLogin: ((Activity) -> Unit)? = null
    }
}
