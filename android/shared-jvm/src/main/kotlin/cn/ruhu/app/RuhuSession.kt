package cn.ruhu.app

import cn.ruhu.mobile.DeviceSettings
import cn.ruhu.mobile.KeyStore
import cn.ruhu.mobile.RuhuDevice
import cn.ruhu.mobile.RuhuException
import cn.ruhu.mobile.SyncHandle
import cn.ruhu.mobile.SyncListener
import cn.ruhu.mobile.User
import cn.ruhu.mobile.todayInChina
import java.time.LocalDate
import java.util.concurrent.atomic.AtomicReference
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/**
 * The app's view of one phone's store: who is logged in, the day's plan, and the sync state the screens observe.
 * Screens call [device] directly for the visit itself (drafts, answers, photos, signatures).
 */
class RuhuSession private constructor(
    val device: RuhuDevice,
    /** What the phone was opened with (the settings screen shows the server address). */
    val settings: DeviceSettings,
) : AutoCloseable {
    private val userState = MutableStateFlow(device.currentUser())
    private val syncStateFlow = MutableStateFlow<SyncState>(SyncState.Idle)
    private val syncLock = Mutex()
    private val running = AtomicReference<SyncHandle?>(null)
    private val background = CoroutineScope(SupervisorJob() + Dispatchers.IO)

    /** Null when logged out, and after a revocation wiped the phone. */
    val user: StateFlow<User?> = userState.asStateFlow()
    val syncState: StateFlow<SyncState> = syncStateFlow.asStateFlow()

    suspend fun login(username: String, password: String): User {
        val user = device.login(username, password)
        userState.value = user
        return user
    }

    suspend fun logout() {
        device.logout()
        userState.value = null
    }

    /** The core dropped the session (PIN lock-out, 忘记 PIN 码): the screens go back to the login. */
    internal fun sessionEnded() {
        userState.value = null
    }

    fun plan(today: LocalDate = LocalDate.parse(todayInChina())): List<VillageGroup> = AssignmentPlan.group(device.assignments(), today)

    /**
     * Pushes finished visits with their photos and pulls changes; the progress shows in [syncState]. One sync at a
     * time: a second call waits for the first and then syncs again. Never throws for sync failures: they end in
     * [SyncState.Failed]. [observer] also gets every raw callback (e.g. for a notification), on a Rust thread.
     */
    suspend fun sync(observer: SyncListener? = null): SyncState =
        syncLock.withLock {
            val tracker = SyncProgressTracker(observer)
            val handle = device.startSync(tracker)
            running.set(handle)
            val end = try {
                coroutineScope {
                    val mirror = launch { tracker.progress.collect { syncStateFlow.value = it } }
                    try {
                        SyncState.Finished(handle.wait())
                    } catch (e: RuhuException) {
                        e.toFailed()
                    } catch (e: CancellationException) {
                        // The screen went away: stop the sync too rather than leave it running unobserved.
                        handle.cancel()
                        throw e
                    } finally {
                        mirror.cancel()
                    }
                }
            } finally {
                running.set(null)
                handle.close()
            }
            if (end is SyncState.Failed && (end.reason == SyncFailure.REVOKED || end.reason == SyncFailure.NOT_LOGGED_IN)) {
                userState.value = null
            }
            syncStateFlow.value = end
            end
        }

    /** Starts [sync] on the session's own scope: the screen that asked may close, the sync goes on. */
    fun backgroundSync(): Job = background.launch { sync() }

    /** Stops the running sync at the next page or chunk; it ends as [SyncFailure.CANCELLED]. */
    fun cancelSync() {
        running.get()?.cancel()
    }

    /** Deletes everything this phone holds (store, photos, signatures, wrapped key). The session is unusable afterwards. */
    fun wipe() {
        device.wipe()
        userState.value = null
    }

    override fun close() {
        background.cancel()
        device.close()
    }

    companion object {
        /**
         * Opens the encrypted store. Throws [RuhuException.WrongKey] when [keys] cannot open it (nothing is changed;
         * the app offers to wipe and log in again).
         */
        fun open(settings: DeviceSettings, keys: KeyStore): RuhuSession = RuhuSession(RuhuDevice.open(settings, keys), settings)
    }
}
