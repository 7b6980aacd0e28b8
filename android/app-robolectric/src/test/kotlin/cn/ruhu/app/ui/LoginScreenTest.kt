package cn.ruhu.app.ui

import android.widget.Button
import cn.ruhu.app.LoginForm
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], manifest = Config.NONE)
class LoginScreenTest {
    @After
    fun forgetHook() {
        LoginActivity.onLogin = null
    }

    @Test
    fun `the login screen asks in Chinese and checks the boxes before logging in`() {
        var ready: LoginForm.Check.Ready? = null
        LoginActivity.onLogin = { _, r -> ready = r }
        val activity = Robolectric.buildActivity(LoginActivity::class.java).setup().get()
        idle()
        val root = activity.screen
        val texts = shownTexts(root)
        for (label in listOf("服务器地址", "用户名", "密码", "登录")) assertTrue("$label in $texts", label in texts)

        val submit = root.byTag<Button>("login:submit")
        submit.performClick()
        assertEquals("请填写服务器地址", activity.screen.problem.text.toString())
        activity.screen.server.setText("127.0.0.1:8080/")
        activity.screen.username.setText(" qingyan.diaocha1 ")
        submit.performClick()
        assertEquals("请填写密码", activity.screen.problem.text.toString())
        assertNull(ready)
        activity.screen.password.setText("Ruhu#demo2026")
        submit.performClick()
        assertEquals(LoginForm.Check.Ready("https://127.0.0.1:8080", "qingyan.diaocha1", "Ruhu#demo2026"), ready)

        // Large touch targets: every box and the button are at least 56 dp high once laid out.
        val min = Ui.dp(activity, Ui.TOUCH_DP)
        for (view in listOf<android.view.View>(submit, root.server, root.username, root.password)) {
            assertTrue("${view.javaClass.simpleName} is ${view.height}px high, needs $min", view.height >= min)
        }
        assertTrue(root.password.inputType and android.text.InputType.TYPE_TEXT_VARIATION_PASSWORD != 0)
    }

    @Test
    fun `a server address that is not one is refused`() {
        val activity = Robolectric.buildActivity(LoginActivity::class.java).setup().get()
        activity.screen.server.setText("ftp://ruhu")
        activity.screen.byTag<Button>("login:submit").performClick()
        assertTrue(activity.screen.problem.text.toString().startsWith("服务器地址格式不正确"))
        assertTrue(activity.screen.server.hasFocus())
    }
}
