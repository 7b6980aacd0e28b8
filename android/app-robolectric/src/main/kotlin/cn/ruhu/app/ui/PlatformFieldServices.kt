package cn.ruhu.app.ui

import android.app.Activity
import android.content.Intent
import android.widget.Toast
import cn.ruhu.app.FixReport
import cn.ruhu.app.SignerRole
import cn.ruhu.app.UserInput
import cn.ruhu.app.userMessage
import cn.ruhu.mobile.RuhuException

/**
 * The form's camera, signature pad and GPS on a real phone: the system camera intent, [SignatureActivity] and
 * [LocationCapture]. Results are stored through the library and the form is redrawn; what the GPS found is
 * reported in [lastReport] (accuracy, distance to the household, mock warning) and shown as a toast.
 */
class PlatformFieldServices : FieldServices {
    private var pendingPhoto: Pair<String, String>? = null
    private var capture: LocationCapture? = null

    /** The last GPS or camera outcome as shown to the user. */
    @Volatile
    var lastReport: String? = null
        private set

    override fun takePhoto(activity: FormActivity, draftId: String, questionId: String) {
        pendingPhoto = draftId to questionId
        CameraCapture.start(activity)?.let { report(activity, it) }
    }

    override fun sign(activity: FormActivity, draftId: String, questionId: String, signer: SignerRole) {
        val session = AppSession.current ?: return
        val name = when (signer) {
            SignerRole.INVESTIGATOR1 -> session.user.value?.displayName
            SignerRole.INVESTIGATOR2, SignerRole.FAMILY_MEMBER -> null
        }
        activity.startActivityForResult(SignatureActivity.intent(activity, draftId, signer, name), REQUEST_SIGNATURE)
    }

    override fun locate(activity: FormActivity, draftId: String, questionId: String) {
        val session = AppSession.current ?: return
        capture?.stop()
        capture = LocationCapture(activity, onFix = { fix ->
            try {
                session.device.recordFix(draftId, fix)
                activity.input(questionId, UserInput.Point(fix.lat, fix.lon))
                report(activity, FixReport.describe(fix.accuracyM, session.device.distanceToHousehold(draftId), fix.mock))
            } catch (e: RuhuException) {
                report(activity, e.userMessage())
            }
        }, onFailure = { report(activity, it) }).also { it.start() }
    }

    override fun onResult(activity: FormActivity, requestCode: Int, resultCode: Int, data: Intent?) {
        when (requestCode) {
            REQUEST_SIGNATURE -> activity.refresh()
            CameraCapture.REQUEST_PHOTO -> {
                val (draftId, questionId) = pendingPhoto ?: return
                pendingPhoto = null
                val file = CameraCapture.file(activity)
                try {
                    if (resultCode == Activity.RESULT_OK && file.length() > 0) {
                        AppSession.current?.device?.importPhoto(draftId, questionId, file.path)
                        activity.refresh()
                    }
                } catch (e: RuhuException) {
                    report(activity, e.userMessage())
                } finally {
                    // The library keeps an encrypted, location-stripped copy; the camera's file must not stay.
                    file.delete()
                }
            }
        }
    }

    private fun report(activity: Activity, message: String) {
        lastReport = message
        Toast.makeText(activity, message, Toast.LENGTH_LONG).show()
    }

    companion object {
        const val REQUEST_SIGNATURE = 4102
    }
}
