package cn.ruhu.app.ui

import android.view.inputmethod.EditorInfo
import android.widget.Button
import android.widget.CompoundButton
import android.widget.EditText
import android.widget.TextView
import cn.ruhu.app.DEMO_PASSWORD
import cn.ruhu.app.Desk
import cn.ruhu.app.Phone
import cn.ruhu.app.RuhuSession
import cn.ruhu.app.TestServer
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.After
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * The form screen as an Android Activity (Robolectric's real framework classes), over the real Rust library and a
 * real ruhu-server: what the investigator sees and taps on the 特困 form, and what ends up in the draft.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], manifest = Config.NONE)
class FormScreenTest {
    private var session: RuhuSession? = null

    @After
    fun close() {
        AppSession.current = null
        session?.close()
    }

    private fun openTekunVisit(): Pair<RuhuSession, String> = runBlocking {
        val desk = Desk.login(server.url, "qingyan.zuzhang")
        val caseId = desk.householdWithCase("520111101902", "特困界面测试户主（演示）", 26.3275, 106.6874, "tekun")
        val assignmentId = desk.assign(caseId, desk.userId("qingyan.diaocha1"), desk.userId("qingyan.diaocha2"))
        val phone = Phone(tmp.resolve("phones"), server.url, "UI-${System.nanoTime()}")
        val s = phone.open()
        session = s
        s.login("qingyan.diaocha1", DEMO_PASSWORD)
        s.sync()
        s to assignmentId
    }

    private fun type(activity: FormActivity, path: String, text: String) {
        val box = activity.screen.byTag<EditText>("input:$path")
        box.setText(text)
        box.onEditorAction(EditorInfo.IME_ACTION_DONE)
        idle()
    }

    private fun tap(activity: FormActivity, tag: String) {
        activity.screen.byTag<android.view.View>(tag).performClick()
        idle()
    }

    @Test
    fun `the 特困 form renders in Chinese and saves what is tapped and typed`() {
        val (s, assignmentId) = openTekunVisit()
        AppSession.current = s
        val activity = Robolectric.buildActivity(FormActivity::class.java, FormActivity.intent(org.robolectric.RuntimeEnvironment.getApplication(), assignmentId)).setup().get()
        idle()
        val screen = activity.screen
        val draftId = activity.controller.draftId
        fun answers() = JSONObject(s.device.answersJson(draftId))

        val texts = shownTexts(screen)
        for (label in listOf("特困人员救助供养入户调查表", "调查日期 *", "年龄（按身份证号计算）（自动计算）", "住房外景、室内及厨房照片 *", "已拍 0 张，至少需要 3 张", "签字人：调查人员一　未签名")) {
            assertTrue("「$label」 shown in $texts", label in texts)
        }
        assertNull("no supporters before 是否有义务人", screen.findViewWithTag<android.view.View>("row:supporters"))
        assertFalse("an incomplete visit cannot be finalised", screen.byTag<Button>("finalise").isEnabled)

        // 是/否 and choices are radio buttons; a disability asks for its grade.
        tap(activity, "choice:disability_type:physical")
        assertEquals("physical", answers().getString("disability_type"))
        assertTrue(screen.byTag<CompoundButton>("choice:disability_type:physical").isChecked)
        assertTrue("一级" in shownTexts(screen.byTag("row:disability_grade")))
        tap(activity, "choice:disability_type:none")
        assertNull("no grade without a disability", screen.findViewWithTag<android.view.View>("row:disability_grade"))

        // Supporters: the group appears, rows are added and named.
        tap(activity, "choice:has_supporters:true")
        assertTrue(answers().getBoolean("has_supporters"))
        tap(activity, "add:supporters")
        assertTrue("法定义务人第1项" in shownTexts(screen))
        type(activity, "supporters[0].supporter_name", "测试义务人（演示）")
        assertEquals("测试义务人（演示）", answers().getJSONArray("supporters").getJSONObject(0).getString("supporter_name"))

        // Money typed in yuan is saved in fen; the total appears read-only.
        for ((path, yuan) in listOf("income_wages_fen" to "0", "income_business_fen" to "0", "income_property_fen" to "15", "income_transfer_fen" to "300.5")) {
            type(activity, path, yuan)
        }
        assertEquals(30_050, answers().getInt("income_transfer_fen"))
        assertEquals("¥315.50", screen.byTag<TextView>("input:income_total_fen").text.toString())

        // Input that is not a number is refused under the field, in Chinese, and saves nothing.
        type(activity, "house_count", "一套")
        assertEquals("请填写整数", screen.byTag<TextView>("problem:house_count:0").text.toString())
        assertFalse(answers().has("house_count"))

        // Large touch targets everywhere the investigator taps or types.
        val min = Ui.dp(activity, Ui.TOUCH_DP)
        val small = allViews(screen).filter { it.isShown && (it is Button || it is CompoundButton || it is EditText) && it.height < min }
        assertEquals("views under ${Ui.TOUCH_DP} dp: ${small.map { (it as TextView).text }}", emptyList<Any>(), small)
    }

    @Test
    fun `the assignment list shows the visit by village and opens its household`() {
        val (s, assignmentId) = openTekunVisit()
        AppSession.current = s
        val activity = Robolectric.buildActivity(AssignmentListActivity::class.java).setup().get()
        idle()
        val texts = shownTexts(activity.list)
        assertTrue("village header in $texts", texts.any { it.endsWith("户）") && it.contains("待访") })
        assertTrue("head and type in $texts", "特困界面测试户主（演示）　特困人员救助供养" in texts || texts.any { it.startsWith("特困界面测试户主（演示）　") })
        val row = activity.list.byTag<android.view.View>("assignment:$assignmentId")
        assertTrue(row.height >= Ui.dp(activity, Ui.TOUCH_DP))
        row.performClick()
        val started = org.robolectric.Shadows.shadowOf(activity).nextStartedActivity
        assertEquals(HouseholdActivity::class.java.name, started.component?.className)
        assertEquals(assignmentId, started.getStringExtra(HouseholdActivity.EXTRA_ASSIGNMENT_ID))
    }

    companion object {
        private lateinit var tmp: Path
        private lateinit var server: TestServer

        @JvmStatic
        @BeforeClass
        fun startServer() {
            tmp = Files.createTempDirectory("ruhu-robolectric")
            server = TestServer.start(Files.createDirectories(tmp.resolve("server")))
        }

        @JvmStatic
        @AfterClass
        fun stopServer() {
            if (::server.isInitialized) server.close()
        }
    }
}
