package cn.ruhu.app

import cn.ruhu.mobile.Rejection
import cn.ruhu.mobile.SyncSummary
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SyncScreenModelTest {
    @Test
    fun `uploads fill the bar by bytes, pulls show pages, and only a running sync can be cancelled`() {
        val uploading = SyncScreenModel.of(SyncState.Running(filesStarted = 2, bytesSent = 1_500_000, bytesTotal = 3_000_000))
        assertEquals(SyncScreenModel.PROGRESS_MAX / 2, uploading.progress)
        assertEquals("正在上传照片和签名：1.5 MB / 3.0 MB（2 个文件）", uploading.detail)
        assertTrue(uploading.canCancel)
        assertFalse(uploading.canStart)

        val pulling = SyncScreenModel.of(SyncState.Running(pagesDone = 3, changesApplied = 45, bytesSent = 10, bytesTotal = 10))
        assertNull(pulling.progress, "the number of pages is not known in advance")
        assertEquals("正在下载任务：第 3 页，已更新 45 条", pulling.detail)
    }

    @Test
    fun `every failure says in Chinese what happened and what to do`() {
        fun failed(reason: SyncFailure) = SyncScreenModel.of(SyncState.Failed(reason, "code", "服务器的说明"))
        assertEquals("网络不通，同步未完成", failed(SyncFailure.OFFLINE).headline)
        assertTrue(failed(SyncFailure.OFFLINE).detail.contains("不会丢失"))
        assertTrue(failed(SyncFailure.NOT_LOGGED_IN).needsLogin)
        assertTrue(failed(SyncFailure.REVOKED).needsLogin)
        assertEquals("本机已被停用", failed(SyncFailure.REVOKED).headline)
        assertFalse(failed(SyncFailure.CANCELLED).isError)
        assertEquals("已完成的部分已保存，下次同步会接着进行", failed(SyncFailure.CANCELLED).detail)
        assertTrue(failed(SyncFailure.OTHER).detail.startsWith("服务器的说明\n"))
    }

    @Test
    fun `a finished sync counts what went up and down and names refused visits`() {
        val summary = SyncSummary(
            pushed = 2u, merged = 1u,
            rejected = listOf(Rejection("s", "a", "form_outdated", "表单版本已停用，请重新填写")),
            uploadedBytes = 2_400_000u, chunksSent = 3u, mediaUploaded = 4u, pagesPulled = 1u, changesApplied = 5u,
            deletedAssignments = 0u, roundTrips = 4u, bytesReceived = 1_000u,
        )
        val done = SyncScreenModel.of(SyncState.Finished(summary))
        assertEquals("同步完成，有 1 份调查被退回", done.headline)
        assertEquals("上传调查 2 份，照片和签名 4 个（2.4 MB），下载 1 页，更新 5 条\n被退回：表单版本已停用，请重新填写", done.detail)
        assertEquals(SyncScreenModel.PROGRESS_MAX, done.progress)
    }
}
