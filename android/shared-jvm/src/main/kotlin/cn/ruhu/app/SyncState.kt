package cn.ruhu.app

import cn.ruhu.mobile.RuhuException
import cn.ruhu.mobile.SyncListener
import cn.ruhu.mobile.SyncSummary
import java.util.concurrent.ConcurrentHashMap
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** What the sync banner shows. */
sealed interface SyncState {
    data object Idle : SyncState

    /** [bytesTotal] grows as each file starts uploading (the core announces a file's size with its first chunk). */
    data class Running(
        val pagesDone: Int = 0,
        val changesApplied: Int = 0,
        val filesStarted: Int = 0,
        val bytesSent: Long = 0,
        val bytesTotal: Long = 0,
    ) : SyncState

    data class Finished(val summary: SyncSummary) : SyncState

    data class Failed(val reason: SyncFailure, val code: String, val message: String) : SyncState
}

/** How the app reacts to a failed sync. */
enum class SyncFailure {
    /** No network: keep working, try later. Nothing was lost. */
    OFFLINE,

    /** The session ended: show the login screen; local work stays. */
    NOT_LOGGED_IN,

    /** The device or account was revoked and local data is already wiped: show the login screen with the message. */
    REVOKED,

    /** Stopped by the user; the next sync resumes where this one stopped. */
    CANCELLED,

    /** Anything else: show the message. */
    OTHER,
}

internal fun RuhuException.toFailed(): SyncState.Failed =
    when (this) {
        is RuhuException.Offline -> SyncState.Failed(SyncFailure.OFFLINE, code, userMessage())
        is RuhuException.NotLoggedIn -> SyncState.Failed(SyncFailure.NOT_LOGGED_IN, code, userMessage())
        is RuhuException.Revoked -> SyncState.Failed(SyncFailure.REVOKED, code, userMessage())
        is RuhuException.Failed ->
            SyncState.Failed(if (code == CODE_CANCELLED) SyncFailure.CANCELLED else SyncFailure.OTHER, code, userMessage())
        is RuhuException.WrongKey -> SyncState.Failed(SyncFailure.OTHER, code, userMessage())
        is RuhuException.Validation -> SyncState.Failed(SyncFailure.OTHER, code, userMessage())
        is RuhuException.Internal -> SyncState.Failed(SyncFailure.OTHER, "internal", userMessage())
    }

/**
 * The zh-CN message of any error from the core. (Kotlin's `message` is uniffi's debug text; the core's message for
 * people is the variant's `reason`, renamed from `message` in mobile-bindings/uniffi.toml.)
 */
fun RuhuException.userMessage(): String =
    when (this) {
        is RuhuException.WrongKey -> reason
        is RuhuException.Revoked -> reason
        is RuhuException.Offline -> reason
        is RuhuException.NotLoggedIn -> reason
        is RuhuException.Validation -> reason
        is RuhuException.Failed -> reason
        is RuhuException.Internal -> reason
    }

private const val CODE_CANCELLED = "cancelled"

/**
 * Turns the core's progress callbacks (on a Rust worker thread) into [SyncState.Running] updates that the UI
 * collects on its own thread.
 */
internal class SyncProgressTracker(private val observer: SyncListener?) : SyncListener {
    private val state = MutableStateFlow(SyncState.Running())
    private val files = ConcurrentHashMap<String, Pair<Long, Long>>()

    val progress: StateFlow<SyncState.Running> = state.asStateFlow()

    override fun onPage(pagesDone: UInt, changesApplied: UInt) {
        update { it.copy(pagesDone = pagesDone.toInt(), changesApplied = changesApplied.toInt()) }
        observer?.onPage(pagesDone, changesApplied)
    }

    override fun onUploadChunk(sha256: String, bytesSent: ULong, totalBytes: ULong) {
        files[sha256] = bytesSent.toLong() to totalBytes.toLong()
        val snapshot = files.values.toList()
        update { it.copy(filesStarted = snapshot.size, bytesSent = snapshot.sumOf { f -> f.first }, bytesTotal = snapshot.sumOf { f -> f.second }) }
        observer?.onUploadChunk(sha256, bytesSent, totalBytes)
    }

    private inline fun update(change: (SyncState.Running) -> SyncState.Running) {
        while (true) {
            val before = state.value
            if (state.compareAndSet(before, change(before))) return
        }
    }
}
