package cn.ruhu.app.ui

import android.app.AlertDialog
import android.content.DialogInterface
import android.view.View
import android.widget.Button
import cn.ruhu.app.Phone
import cn.ruhu.app.RuhuSession
import cn.ruhu.app.SyncState
import java.nio.file.Files
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowAlertDialog

/** Sync, settings and review screens over the real library and a real ruhu-server. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], manifest = Config.NONE)
class SessionScreensTest {
    private var session: RuhuSession? = null

    @After
    fun close() {
        SettingsActivity.onWiped = null
        SettingsActivity.onLoggedOut = null
        AppSession.current = null
        session?.close()
    }

    /** Runs the main looper until [done] holds (the sync runs on the session's own threads). */
    private fun until(what: String, done: () -> Boolean) {
        val deadline = System.nanoTime() + 60_000_000_000L
        while (!done()) {
            check(System.nanoTime() < deadline) { "timed out waiting for $what" }
            idle()
            Thread.sleep(50)
        }
    }

    @Test
    fun `the sync screen pulls a new visit with its progress bar filled and the start button back`() {
        val (_, s) = DemoServer.loggedInPhone("sync")
        session = s
        val assignmentId = DemoServer.assignDibaoVisit("同步界面测试户主（演示）")
        val activity = Robolectric.buildActivity(SyncActivity::class.java).setup().get()
        assertTrue(activity.start.isEnabled)
        // The login's own sync already ended as 同步完成: wait for the end of the one started here.
        val before = s.syncState.value
        activity.start.performClick()
        until("同步完成") { s.syncState.value.let { it !== before && it is SyncState.Finished } && activity.headline.text.toString() == "同步完成" }
        assertTrue(activity.detail.text.toString(), activity.detail.text.toString().contains("下载"))
        assertEquals(activity.bar.max, activity.bar.progress)
        assertTrue("start again", activity.start.isEnabled)
        assertFalse("nothing to cancel", activity.cancel.isEnabled)
        assertTrue("the new visit is on the phone", s.device.assignments().any { it.id == assignmentId })
    }

    @Test
    fun `a phone without a session is told in Chinese to log in again`() {
        val phone = Phone(DemoServer.tmp.resolve("phones"), DemoServer.server.url, "nologin-${System.nanoTime()}")
        val s = phone.open()
        session = s
        AppSession.current = s
        val activity = Robolectric.buildActivity(SyncActivity::class.java).setup().get()
        activity.start.performClick()
        until("登录已失效") { activity.headline.text.toString() == "登录已失效" }
        assertTrue(activity.detail.text.toString().contains("本机未提交的调查会保留"))
        assertEquals(View.VISIBLE, activity.relogin.visibility)
    }

    @Test
    fun `settings show the server and wipe only after a confirmation, leaving no store, photo or key`() {
        val (phone, s) = DemoServer.loggedInPhone("settings")
        session = s
        var wiped = false
        SettingsActivity.onWiped = { wiped = true }
        val activity = Robolectric.buildActivity(SettingsActivity::class.java).setup().get()
        val texts = shownTexts(activity.window.decorView)
        assertTrue(texts.toString(), DemoServer.server.url in texts)
        assertTrue(texts.toString(), texts.any { it.startsWith(s.user.value!!.displayName + "（") })

        activity.window.decorView.byTag<Button>("settings:wipe").performClick()
        val dialog = ShadowAlertDialog.getLatestAlertDialog() as AlertDialog
        assertTrue(shownTexts(dialog.window!!.decorView).any { it.endsWith("确定清除吗？") })
        dialog.getButton(DialogInterface.BUTTON_NEGATIVE).performClick()
        idle()
        assertTrue("取消 keeps everything", Files.exists(phone.storeFile))

        activity.window.decorView.byTag<Button>("settings:wipe").performClick()
        (ShadowAlertDialog.getLatestAlertDialog() as AlertDialog).getButton(DialogInterface.BUTTON_POSITIVE).performClick()
        idle()
        assertTrue(wiped)
        assertFalse(Files.exists(phone.storeFile))
        assertFalse(Files.exists(phone.wrappedKeyFile))
        assertEquals(0, phone.mediaFiles())
        assertEquals(null, s.user.value)
    }

    @Test
    fun `logout ends the session and keeps the phone's data`() {
        val (phone, s) = DemoServer.loggedInPhone("logout")
        session = s
        var loggedOut = false
        SettingsActivity.onLoggedOut = { loggedOut = true }
        val activity = Robolectric.buildActivity(SettingsActivity::class.java).setup().get()
        activity.window.decorView.byTag<Button>("settings:logout").performClick()
        until("退出登录") { loggedOut }
        assertEquals(null, s.user.value)
        assertEquals(cn.ruhu.mobile.UnlockStep.LOGIN, s.device.unlockStatus().step)
        assertTrue("the store stays", Files.exists(phone.storeFile))
    }

    @Test
    fun `review lists what is missing under its labels, shows the pre-check as advice and keeps finalise off`() {
        val (_, s) = DemoServer.loggedInPhone("review")
        session = s
        val assignmentId = DemoServer.assignDibaoVisit("核对界面测试户主（演示）")
        kotlinx.coroutines.runBlocking { s.sync() }
        val draft = s.device.startDraft(assignmentId)
        s.device.setAnswer(draft.id, "household_size", "2")
        for (q in listOf("income_wages_fen", "income_business_fen", "income_property_fen", "income_transfer_fen")) s.device.setAnswer(draft.id, q, "20000")

        val activity = Robolectric.buildActivity(ReviewActivity::class.java, ReviewActivity.intent(RuntimeEnvironment.getApplication(), assignmentId)).setup().get()
        val root = activity.window.decorView
        val texts = shownTexts(root)
        assertTrue(texts.toString(), texts.any { it.startsWith("• 调查日期：") })
        assertTrue(texts.toString(), texts.any { it.startsWith("还有 ") && it.endsWith(" 处需要填写或修改") })
        assertTrue(texts.toString(), texts.any { it.startsWith("初步判断（仅供参考）：") })
        assertTrue(texts.toString(), "家庭月人均收入：¥400.00" in texts)
        assertFalse(root.byTag<Button>("review:finalise").isEnabled)
    }
}
