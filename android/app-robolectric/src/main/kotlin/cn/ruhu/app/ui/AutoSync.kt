package cn.ruhu.app.ui

import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import cn.ruhu.app.RuhuSession
import cn.ruhu.app.SyncScheduler
import cn.ruhu.app.SyncScheduler.Trigger
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch

/**
 * The phone syncs by itself when [SyncScheduler] says so: when the platform reports a network again, when a visit is
 * finalised, and when the assignment list comes to the foreground. Nothing runs in the background while the app is
 * not on screen except the sync a trigger started. Without a network callback (Robolectric) it never syncs by itself.
 */
object AutoSync {
    private val scheduler = SyncScheduler(now = System::currentTimeMillis)

    @Volatile
    private var online = false
    private var watching: Job? = null

    /** Listens to the platform's default network (ACCESS_NETWORK_STATE). */
    fun install(context: Context) {
        val connectivity = context.getSystemService(ConnectivityManager::class.java) ?: return
        connectivity.registerDefaultNetworkCallback(object : ConnectivityManager.NetworkCallback() {
            override fun onAvailable(network: Network) {
                online = true
                trigger(Trigger.NETWORK_AVAILABLE)
            }

            override fun onLost(network: Network) {
                online = false
            }
        })
    }

    /** Follows [session]'s sync results (back-off, an ended session stops automatic syncing). */
    fun watch(session: RuhuSession, scope: CoroutineScope) {
        watching?.cancel()
        scheduler.onLoggedIn()
        watching = scope.launch { session.syncState.collect { scheduler.onResult(it) } }
    }

    fun trigger(trigger: Trigger) {
        val session = AppSession.current ?: return
        if (scheduler.shouldSync(trigger, online)) session.backgroundSync()
    }
}
