package cn.ruhu.app.ui

import android.Manifest
import android.app.Activity
import android.content.Intent
import android.location.Location
import android.location.LocationManager
import android.os.SystemClock
import android.provider.MediaStore
import android.view.MotionEvent
import android.view.View
import cn.ruhu.app.FormDefinition
import cn.ruhu.app.QuestionKind
import cn.ruhu.app.RuhuSession
import cn.ruhu.app.SignerRole
import cn.ruhu.app.TestImages
import java.io.ByteArrayInputStream
import java.nio.file.Files
import javax.imageio.ImageIO
import org.json.JSONObject
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** Signature pad, GPS and camera of the form, over the real library and server, with Robolectric's platform. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], manifest = Config.NONE)
class FieldServicesTest {
    private var session: RuhuSession? = null

    @After
    fun close() {
        FormActivity.services = null
        AppSession.current = null
        session?.close()
    }

    private fun visit(name: String): Triple<RuhuSession, String, String> {
        val (_, s) = DemoServer.loggedInPhone(name)
        session = s
        val assignmentId = DemoServer.assignDibaoVisit("${name}测试户主（演示）")
        kotlinx.coroutines.runBlocking { s.sync() }
        return Triple(s, assignmentId, s.device.startDraft(assignmentId).id)
    }

    private fun answers(s: RuhuSession, draftId: String) = JSONObject(s.device.answersJson(draftId))

    private fun touch(view: View, action: Int, x: Float, y: Float) {
        val now = SystemClock.uptimeMillis()
        val event = MotionEvent.obtain(now, now, action, x, y, 0)
        view.dispatchTouchEvent(event)
        event.recycle()
    }

    @Test
    fun `the signature pad refuses an empty pad and stores the drawn strokes as a PNG in the draft`() {
        val (s, _, draftId) = visit("签名")
        val app = RuntimeEnvironment.getApplication()
        val activity = Robolectric.buildActivity(SignatureActivity::class.java, SignatureActivity.intent(app, draftId, SignerRole.INVESTIGATOR1, "测试调查员")).setup().get()
        idle()
        activity.window.decorView.byTag<View>("sign:confirm").performClick()
        assertEquals("请先在框内签名", activity.problem.text.toString())
        assertFalse(activity.isFinishing)

        val pad = activity.pad
        assertTrue("a large pad", pad.height >= Ui.dp(activity, SignaturePadView.HEIGHT_DP) && pad.width > 200)
        touch(pad, MotionEvent.ACTION_DOWN, 20f, 100f)
        for ((x, y) in listOf(60f to 140f, 120f to 80f, 180f to 160f)) touch(pad, MotionEvent.ACTION_MOVE, x, y)
        touch(pad, MotionEvent.ACTION_UP, 220f, 120f)
        assertFalse(pad.isEmpty)
        activity.window.decorView.byTag<View>("sign:confirm").performClick()

        val sha = assertNotNull(activity.storedSha256).let { activity.storedSha256!! }
        assertTrue(activity.isFinishing)
        assertTrue("the signature answers its question", answers(s, draftId).get("sign_investigator_1").toString().contains(sha))
        val image = ImageIO.read(ByteArrayInputStream(activity.storedPng))
        assertEquals(pad.width, image.width)
        val inked = (0 until image.height).sumOf { y -> (0 until image.width).count { x -> image.getRGB(x, y) and 0xff < 0x80 } }
        assertTrue("ink on the PNG: $inked pixels", inked > 200)
        assertTrue("no plain copy left in the cache", activity.cacheDir.listFiles().orEmpty().none { it.name.startsWith("signature") })
    }

    @Test
    fun `a GPS fix is recorded with its accuracy and distance, and a mock location is flagged`() {
        val (s, assignmentId, draftId) = visit("定位")
        val app = RuntimeEnvironment.getApplication()
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        val manager = app.getSystemService(LocationManager::class.java)
        shadowOf(manager).setProviderEnabled(LocationManager.GPS_PROVIDER, true)
        val services = PlatformFieldServices()
        FormActivity.services = services
        val form = Robolectric.buildActivity(FormActivity::class.java, FormActivity.intent(app, assignmentId)).setup().get()
        idle()

        fun fix(lat: Double, mock: Boolean) = Location(LocationManager.GPS_PROVIDER).apply {
            latitude = lat
            longitude = 106.6874
            accuracy = 8f
            time = System.currentTimeMillis()
            elapsedRealtimeNanos = SystemClock.elapsedRealtimeNanos()
            isMock = mock
        }
        services.locate(form, draftId, "location")
        shadowOf(manager).simulateLocation(fix(26.3280, mock = false))
        idle()
        assertEquals("已定位，精度约 8 米；距该户登记位置 56 米", services.lastReport)
        assertEquals(26.3280, answers(s, draftId).getJSONObject("location").getDouble("lat"), 1e-9)

        // A fresh fix, not the one the platform still holds as recent.
        shadowOf(manager).setLastKnownLocation(LocationManager.GPS_PROVIDER, null)
        services.locate(form, draftId, "location")
        shadowOf(manager).simulateLocation(fix(26.4000, mock = true))
        idle()
        assertEquals("已定位，精度约 8 米。警告：这是模拟位置，不能作为到户依据，已如实记录", services.lastReport)
        assertEquals("a mock fix does not move the distance", 56.0, s.device.distanceToHousehold(draftId)!!, 1.0)
    }

    @Test
    fun `the camera writes into the app's private file through the capture provider and the photo is imported`() {
        val (s, assignmentId, draftId) = visit("拍照")
        val app = RuntimeEnvironment.getApplication()
        Robolectric.setupContentProvider(CaptureProvider::class.java, CameraCapture.AUTHORITY)
        val services = PlatformFieldServices()
        FormActivity.services = services
        val form = Robolectric.buildActivity(FormActivity::class.java, FormActivity.intent(app, assignmentId)).setup().get()
        idle()
        val definition = FormDefinition.parse(s.device.formJson(form.controller.model.definition.id, form.controller.model.definition.version.toUInt()))
        val photoQuestion = definition.questions.first { it.kind == QuestionKind.PHOTO }.id

        services.takePhoto(form, draftId, photoQuestion)
        val started = shadowOf(form).nextStartedActivityForResult
        assertEquals(MediaStore.ACTION_IMAGE_CAPTURE, started.intent.action)
        val output = started.intent.getParcelableExtra(MediaStore.EXTRA_OUTPUT, android.net.Uri::class.java)
        assertEquals(CameraCapture.uri, output)
        assertTrue(started.intent.flags and Intent.FLAG_GRANT_WRITE_URI_PERMISSION != 0)

        // The camera app writes the JPEG through the granted URI.
        val jpeg = TestImages.cameraJpeg(Files.createTempFile("camera", ".jpg"), 1600, 1200, 7)
        app.contentResolver.openOutputStream(output!!)!!.use { it.write(Files.readAllBytes(jpeg)) }
        shadowOf(form).receiveResult(started.intent, Activity.RESULT_OK, null)
        idle()
        assertEquals(1, answers(s, draftId).getJSONArray(photoQuestion).length())
        assertFalse("the plain camera file is gone", CameraCapture.file(app).exists())
    }
}
