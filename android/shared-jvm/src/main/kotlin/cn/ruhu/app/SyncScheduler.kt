package cn.ruhu.app

/**
 * When the phone syncs by itself. Field staff should never have to remember to sync, and a phone without signal
 * should not drain its battery trying: a finalised visit or regained network syncs at once, an open app syncs
 * every [periodMs] to pick up new assignments, and failures back off (doubling, capped) until the network returns.
 * A sync that ended the session or wiped the phone stops automatic syncing until the user logs in again. One sync
 * at a time is [RuhuSession]'s rule; the scheduler only says when to ask.
 *
 * Pure logic over a clock, so the JVM tests drive it; the Android app calls it from its network callback, its
 * foreground timer and the finalise button.
 */
class SyncScheduler(
    private val now: () -> Long,
    /** Foreground refresh: new assignments reach a phone in the field within this long once it has signal. */
    private val periodMs: Long = 15 * MINUTE,
    /** First retry after a failure (doubling after each further failure). */
    private val firstRetryMs: Long = 30 * SECOND,
    /** Longest wait between retries while the phone stays offline. */
    private val maxRetryMs: Long = 30 * MINUTE,
) {
    enum class Trigger {
        /** The app came to the foreground. */
        APP_OPENED,

        /** The platform reports a usable network again. */
        NETWORK_AVAILABLE,

        /** A visit was finalised: it should leave the phone as soon as it can. */
        VISIT_FINALISED,

        /** The scheduler's own timer fired. */
        TIMER,
    }

    private var lastSuccessAt: Long? = null
    private var failures = 0
    private var retryAt: Long? = null
    private var stopped = false

    /** Whether to start a sync now for [trigger]; [networkAvailable] is the platform's current view. */
    fun shouldSync(trigger: Trigger, networkAvailable: Boolean): Boolean {
        if (stopped || !networkAvailable) return false
        val t = now()
        return when (trigger) {
            Trigger.VISIT_FINALISED, Trigger.NETWORK_AVAILABLE -> true
            Trigger.APP_OPENED, Trigger.TIMER -> {
                val retry = retryAt
                if (retry != null) t >= retry else lastSuccessAt.let { it == null || t - it >= periodMs }
            }
        }
    }

    /** Records how a sync ended. */
    fun onResult(state: SyncState) {
        when (state) {
            is SyncState.Finished -> {
                lastSuccessAt = now()
                failures = 0
                retryAt = null
            }
            is SyncState.Failed -> when (state.reason) {
                SyncFailure.NOT_LOGGED_IN, SyncFailure.REVOKED -> stopped = true
                // The user stopped it: no automatic retry until the next trigger.
                SyncFailure.CANCELLED -> retryAt = now() + periodMs
                SyncFailure.OFFLINE, SyncFailure.OTHER -> {
                    failures += 1
                    val wait = (firstRetryMs shl (failures - 1).coerceAtMost(20)).coerceAtMost(maxRetryMs)
                    retryAt = now() + wait
                }
            }
            else -> Unit
        }
    }

    /** After a new login, automatic syncing resumes. */
    fun onLoggedIn() {
        stopped = false
        failures = 0
        retryAt = null
    }

    /** When the timer should next fire (epoch ms), or null when automatic syncing is stopped. */
    fun nextCheckAt(): Long? {
        if (stopped) return null
        return retryAt ?: ((lastSuccessAt ?: now()) + periodMs)
    }

    companion object {
        private const val SECOND = 1_000L
        private const val MINUTE = 60 * SECOND
    }
}
