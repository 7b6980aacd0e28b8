package cn.ruhu.app

import cn.ruhu.app.SyncScheduler.Trigger
import cn.ruhu.mobile.SyncSummary
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SyncSchedulerTest {
    private var clock = 1_000_000L
    private val minute = 60_000L
    private val scheduler = SyncScheduler(now = { clock })

    private fun offline() = SyncState.Failed(SyncFailure.OFFLINE, "offline", "无法连接服务器")

    private fun finished() = SyncState.Finished(summarySample())

    @Test
    fun a_finalised_visit_or_regained_network_syncs_at_once_but_never_without_network() {
        assertTrue(scheduler.shouldSync(Trigger.VISIT_FINALISED, networkAvailable = true))
        assertFalse(scheduler.shouldSync(Trigger.VISIT_FINALISED, networkAvailable = false))
        assertTrue(scheduler.shouldSync(Trigger.NETWORK_AVAILABLE, networkAvailable = true))
    }

    @Test
    fun an_open_app_refreshes_every_period_after_a_success() {
        assertTrue(scheduler.shouldSync(Trigger.APP_OPENED, true), "first opening syncs")
        scheduler.onResult(finished())
        clock += 5 * minute
        assertFalse(scheduler.shouldSync(Trigger.TIMER, true))
        assertEquals(clock + 10 * minute, scheduler.nextCheckAt())
        clock += 10 * minute
        assertTrue(scheduler.shouldSync(Trigger.TIMER, true))
    }

    @Test
    fun failures_back_off_doubling_up_to_the_cap_and_a_success_resets() {
        scheduler.onResult(offline())
        assertEquals(clock + 30_000, scheduler.nextCheckAt())
        clock += 29_000
        assertFalse(scheduler.shouldSync(Trigger.TIMER, true), "not before the retry time")
        clock += 1_000
        assertTrue(scheduler.shouldSync(Trigger.TIMER, true))
        val waits = (1..8).map {
            scheduler.onResult(offline())
            val wait = scheduler.nextCheckAt()!! - clock
            clock += wait
            wait
        }
        assertEquals(listOf(60_000L, 120_000L, 240_000L, 480_000L, 960_000L, 1_800_000L, 1_800_000L, 1_800_000L), waits)
        // A regained network does not wait for the back-off.
        assertTrue(scheduler.shouldSync(Trigger.NETWORK_AVAILABLE, true))
        scheduler.onResult(finished())
        scheduler.onResult(offline())
        assertEquals(clock + 30_000, scheduler.nextCheckAt(), "back-off starts over after a success")
    }

    @Test
    fun an_ended_session_stops_automatic_sync_until_the_next_login() {
        scheduler.onResult(SyncState.Failed(SyncFailure.NOT_LOGGED_IN, "not_logged_in", "登录已过期，请重新登录"))
        assertNull(scheduler.nextCheckAt())
        assertFalse(scheduler.shouldSync(Trigger.VISIT_FINALISED, true), "no retries against a dead session")
        scheduler.onLoggedIn()
        assertTrue(scheduler.shouldSync(Trigger.VISIT_FINALISED, true))
    }

    @Test
    fun a_cancelled_sync_is_not_retried_by_the_timer_before_the_next_period() {
        scheduler.onResult(SyncState.Failed(SyncFailure.CANCELLED, "cancelled", "已取消同步"))
        clock += 5 * minute
        assertFalse(scheduler.shouldSync(Trigger.TIMER, true))
        assertTrue(scheduler.shouldSync(Trigger.VISIT_FINALISED, true), "the user's own next step still syncs")
    }
}

private fun summarySample() = SyncSummary(
    pushed = 0u, merged = 0u, rejected = emptyList(), uploadedBytes = 0uL, chunksSent = 0u, mediaUploaded = 0u,
    pagesPulled = 1u, changesApplied = 0u, deletedAssignments = 0u, roundTrips = 1u, bytesReceived = 71uL,
)
