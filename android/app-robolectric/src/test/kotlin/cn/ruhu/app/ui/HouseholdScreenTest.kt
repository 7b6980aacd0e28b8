package cn.ruhu.app.ui

import cn.ruhu.mobile.todayInChina
import android.Manifest
import android.location.Location
import android.location.LocationManager
import android.os.SystemClock
import android.view.View
import android.widget.TextView
import cn.ruhu.app.RuhuSession
import java.time.LocalDate
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** The assignment list's sync line and distances, and the household summary it opens, over the real library. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], manifest = Config.NONE)
class HouseholdScreenTest {
    private var session: RuhuSession? = null

    @After
    fun close() {
        AppSession.current = null
        session?.close()
    }

    @Test
    fun `the list shows the sync state and the distance, and a visit opens its household with masked IDs`() {
        val (_, s) = DemoServer.loggedInPhone("household")
        session = s
        val assignmentId = DemoServer.assignDibaoVisit("概况界面测试户主（演示）")
        kotlinx.coroutines.runBlocking { s.sync() }
        val app = RuntimeEnvironment.getApplication()
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        val manager = app.getSystemService(LocationManager::class.java)
        shadowOf(manager).setProviderEnabled(LocationManager.GPS_PROVIDER, true)

        val list = Robolectric.buildActivity(AssignmentListActivity::class.java).setup().get()
        idle()
        assertEquals("调查均已上传　同步完成", list.list.byTag<TextView>("list:status").text.toString())
        shadowOf(manager).simulateLocation(Location(LocationManager.GPS_PROVIDER).apply {
            latitude = 26.3285
            longitude = 106.6874
            accuracy = 10f
            time = System.currentTimeMillis()
            elapsedRealtimeNanos = SystemClock.elapsedRealtimeNanos()
        })
        idle()
        assertEquals("距您约 111 米", list.list.byTag<TextView>("distance:$assignmentId").text.toString())

        list.list.byTag<View>("assignment:$assignmentId").performClick()
        val started = shadowOf(list).nextStartedActivity
        val household = Robolectric.buildActivity(HouseholdActivity::class.java, started).setup().get()
        idle()
        val root = household.window.decorView
        assertEquals("概况界面测试户主（演示）户", household.summary.title)
        assertEquals("青岩镇示范二村（演示）测试组", root.byTag<TextView>("fact:地址").text.toString())
        val members = s.device.householdMembers(assignmentId)
        val shown = (0 until members.size).map { root.byTag<TextView>("member:$it").text.toString() }
        assertTrue(shown.toString(), shown[0].startsWith("概况界面测试户主（演示）（户主）"))
        for ((line, member) in shown.zip(members)) {
            assertFalse("full ID number on screen: $line", line.contains(member.residentId))
            assertTrue(line.endsWith(member.residentIdMasked))
        }
        root.byTag<View>("household:visit").performClick()
        assertEquals(FormActivity::class.java.name, shadowOf(household).nextStartedActivity.component?.className)
    }

    @Test
    fun `a freshly assigned 低保 visit shows its case in 调查核实中 and the case's earliest deadline under the visit's own`() {
        val (_, s) = DemoServer.loggedInPhone("deadlines")
        session = s
        val assignmentId = DemoServer.assignDibaoVisit("期限界面测试户主（演示）")
        kotlinx.coroutines.runBlocking { s.sync() }
        val item = s.device.assignments().single { it.id == assignmentId }
        val next = item.deadlines.first()
        // Accepted today under the devolved procedure: its whole-procedure limit is weeks away, so not yet due soon.
        assertTrue("weeks away: ${next.dueDate}", LocalDate.parse(next.dueDate) > LocalDate.parse(todayInChina()).plusWeeks(2))

        val list = Robolectric.buildActivity(AssignmentListActivity::class.java).setup().get()
        idle()
        val row = list.list.byTag<View>("assignment:$assignmentId")
        assertEquals("截止 ${item.dueDate}", row.byTag<TextView>("status:$assignmentId").text.toString())
        assertEquals("案件进度：调查核实中", row.byTag<TextView>("stage:$assignmentId").text.toString())
        val deadline = row.byTag<TextView>("deadline:$assignmentId")
        assertEquals("审核确认办理时限（权限下放）：截止 ${next.dueDate}　未到期", deadline.text.toString())
        assertEquals(Ui.INK, deadline.currentTextColor)
    }
}
