package cn.ruhu.app.ui

import android.hardware.biometrics.BiometricManager
import android.view.View
import cn.ruhu.app.RuhuSession
import cn.ruhu.mobile.UnlockStep
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.shadow.api.Shadow
import org.robolectric.shadows.ShadowBiometricManager
import org.robolectric.shadows.ShadowBiometricPrompt
import org.robolectric.annotation.Config

/** The PIN pad over the real library: choosing a PIN after login, a wrong PIN then the right one, and a lock-out. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], manifest = Config.NONE)
class UnlockScreenTest {
    private var session: RuhuSession? = null
    private val events = mutableListOf<String>()

    @After
    fun close() {
        UnlockActivity.onUnlocked = null
        UnlockActivity.onNeedsLogin = null
        AppSession.current = null
        session?.close()
    }

    /** Robolectric's phone: with or without an enrolled biometric. */
    private fun biometrics(enrolled: Boolean) {
        val manager = RuntimeEnvironment.getApplication().getSystemService(BiometricManager::class.java)
        Shadow.extract<ShadowBiometricManager>(manager).setCanAuthenticate(enrolled)
    }

    private fun open(): UnlockActivity {
        UnlockActivity.onUnlocked = { events += "unlocked" }
        UnlockActivity.onNeedsLogin = { events += "login" }
        return Robolectric.buildActivity(UnlockActivity::class.java).setup().get().also { idle() }
    }

    /** Taps the digits, then waits for the PIN check that runs off the main thread. */
    private fun type(activity: UnlockActivity, pin: String) {
        for (d in pin) activity.screen.byTag<View>("key:$d").performClick()
        val deadline = System.nanoTime() + 30_000_000_000L
        do {
            check(System.nanoTime() < deadline) { "the PIN check did not end" }
            Thread.sleep(10)
            idle()
        } while (activity.screen.busy)
    }

    private fun message(activity: UnlockActivity) = activity.screen.message.text.toString()

    @Test
    fun `a PIN is chosen twice, then a wrong PIN is refused with the attempts left and the right one unlocks`() {
        session = DemoServer.loggedInPhone("unlock").second
        biometrics(enrolled = false)
        val choose = open()
        assertEquals("请设置 6 位 PIN 码", choose.screen.title.text.toString())
        type(choose, "123456")
        assertEquals("PIN 码不能是连续的数字，如 123456", message(choose))
        type(choose, "270419")
        assertEquals("请再次输入 PIN 码", choose.screen.title.text.toString())
        type(choose, "270419")
        assertEquals(listOf("unlocked"), events)

        // The next start: the PIN pad, keys at least 72 dp, no biometric key on a phone without one.
        val activity = open()
        assertEquals("请输入 PIN 码", activity.screen.title.text.toString())
        val min = Ui.dp(activity, UnlockScreen.KEY_DP)
        for (key in (0..9).map { "key:$it" } + "key:delete") assertTrue(key, activity.screen.byTag<View>(key).height >= min)
        assertEquals(View.INVISIBLE, activity.screen.byTag<View>("key:biometric").visibility)

        type(activity, "27041")
        assertEquals("●●●●●○", activity.screen.dots.text.toString())
        activity.screen.byTag<View>("key:delete").performClick()
        type(activity, "81")
        assertEquals("PIN 码错误，还可尝试 4 次", message(activity))
        assertEquals("○○○○○○", activity.screen.dots.text.toString())
        assertEquals(listOf("unlocked"), events)
        type(activity, "270419")
        assertEquals(listOf("unlocked", "unlocked"), events)
        assertEquals(5u, session!!.device.unlockStatus().attemptsLeft)
    }

    @Test
    fun `where the phone has a biometric, the platform prompt unlocks and a lock-out takes the key away`() {
        session = DemoServer.loggedInPhone("biometric").second
        session!!.device.setPin("270419")
        biometrics(enrolled = true)
        val activity = open()
        type(activity, "111112")
        assertEquals(4u, session!!.device.unlockStatus().attemptsLeft)
        val key = activity.screen.byTag<View>("key:biometric")
        assertEquals(View.VISIBLE, key.visibility)
        key.performClick()
        ShadowBiometricPrompt.authenticateCurrentSessionSuccessfully()
        idle()
        assertEquals(listOf("unlocked"), events)
        assertEquals("a recognised owner clears the wrong attempts", 5u, session!!.device.unlockStatus().attemptsLeft)

        // After a lock-out the biometric key is gone: only an online login opens the phone.
        val again = open()
        repeat(5) { type(again, "111112") }
        assertEquals(View.INVISIBLE, again.screen.byTag<View>("key:biometric").visibility)
    }

    @Test
    fun `five wrong PINs end in an online login and keep the phone's data`() {
        val (phone, s) = DemoServer.loggedInPhone("lockout")
        session = s
        s.device.setPin("270419")
        val activity = open()
        for (left in 4 downTo 1) {
            type(activity, "111112")
            assertEquals("PIN 码错误，还可尝试 $left 次", message(activity))
        }
        type(activity, "111112")
        assertTrue(message(activity), message(activity).startsWith("PIN 码连续错误 5 次，请联网重新登录"))
        assertEquals(listOf("login"), events)
        assertNull("the session ended", s.user.value)
        assertEquals(UnlockStep.LOGIN, s.device.unlockStatus().step)
        assertTrue("the store stays", phone.storeFile.toFile().exists())
    }
}
