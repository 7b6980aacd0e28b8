package cn.ruhu.app

import java.util.Locale

/**
 * What the sync screen shows for a [SyncState]: a headline, a detail line, the progress bar (0–1000, or
 * indeterminate while only pages are pulled) and which buttons are live. All text in Chinese.
 */
data class SyncScreenModel(
    val headline: String,
    val detail: String,
    /** 0..[PROGRESS_MAX] while bytes are uploaded; null while pulling pages (the total is not known in advance). */
    val progress: Int?,
    val running: Boolean,
    val isError: Boolean,
    /** The failure asks for the login screen (session ended, or the phone was wiped after a revocation). */
    val needsLogin: Boolean,
) {
    val canStart: Boolean get() = !running
    val canCancel: Boolean get() = running

    companion object {
        const val PROGRESS_MAX = 1000

        fun of(state: SyncState): SyncScreenModel = when (state) {
            SyncState.Idle -> SyncScreenModel("尚未同步", "有网络时点击「开始同步」，上传已完成的调查并下载新任务", 0, running = false, isError = false, needsLogin = false)
            is SyncState.Running -> running(state)
            is SyncState.Finished -> finished(state)
            is SyncState.Failed -> failed(state)
        }

        private fun running(s: SyncState.Running): SyncScreenModel {
            val uploading = s.bytesTotal > 0 && s.bytesSent < s.bytesTotal
            val detail = if (uploading) {
                "正在上传照片和签名：${size(s.bytesSent)} / ${size(s.bytesTotal)}（${s.filesStarted} 个文件）"
            } else {
                "正在下载任务：第 ${s.pagesDone} 页，已更新 ${s.changesApplied} 条"
            }
            val progress = if (uploading) (s.bytesSent * PROGRESS_MAX / s.bytesTotal).toInt() else null
            return SyncScreenModel("正在同步…", detail, progress, running = true, isError = false, needsLogin = false)
        }

        private fun finished(s: SyncState.Finished): SyncScreenModel {
            val sum = s.summary
            val parts = buildList {
                add("上传调查 ${sum.pushed} 份")
                if (sum.mediaUploaded > 0u) add("照片和签名 ${sum.mediaUploaded} 个（${size(sum.uploadedBytes.toLong())}）")
                add("下载 ${sum.pagesPulled} 页，更新 ${sum.changesApplied} 条")
            }
            val refused = sum.rejected.map { "被退回：${it.message}" }
            return SyncScreenModel(
                if (refused.isEmpty()) "同步完成" else "同步完成，有 ${refused.size} 份调查被退回",
                (listOf(parts.joinToString("，")) + refused).joinToString("\n"),
                PROGRESS_MAX,
                running = false,
                isError = refused.isNotEmpty(),
                needsLogin = false,
            )
        }

        private fun failed(s: SyncState.Failed): SyncScreenModel {
            val (headline, advice) = when (s.reason) {
                SyncFailure.OFFLINE -> "网络不通，同步未完成" to "调查已保存在本机，不会丢失；有网络后再同步"
                SyncFailure.NOT_LOGGED_IN -> "登录已失效" to "请重新登录后再同步；本机未提交的调查会保留"
                SyncFailure.REVOKED -> "本机已被停用" to "本机的调查数据已清除；如有疑问请联系镇（街道）管理员"
                SyncFailure.CANCELLED -> "已取消同步" to "已完成的部分已保存，下次同步会接着进行"
                SyncFailure.OTHER -> "同步失败" to "请稍后再试；多次失败请联系管理员"
            }
            val detail = if (s.reason == SyncFailure.CANCELLED) advice else "${s.message}\n$advice"
            val needsLogin = s.reason == SyncFailure.NOT_LOGGED_IN || s.reason == SyncFailure.REVOKED
            return SyncScreenModel(headline, detail, null, running = false, isError = s.reason != SyncFailure.CANCELLED, needsLogin = needsLogin)
        }

        /** 1.2 MB, 350 KB: the sizes a caseworker paying for mobile data reads. */
        fun size(bytes: Long): String = when {
            bytes >= 1_000_000 -> String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0)
            bytes >= 1_000 -> "${bytes / 1_000} KB"
            else -> "$bytes B"
        }
    }
}
