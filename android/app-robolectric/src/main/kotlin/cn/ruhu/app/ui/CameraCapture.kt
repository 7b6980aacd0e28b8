package cn.ruhu.app.ui

import android.app.Activity
import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.content.Intent
import android.database.Cursor
import android.net.Uri
import android.os.ParcelFileDescriptor
import android.provider.MediaStore
import java.io.File
import java.io.FileNotFoundException

/**
 * The photo the system camera writes: one file in the app's private storage, handed to the camera app through
 * [CaptureProvider] with a one-off write grant. Not a `file://` URI (refused on API 24+ with
 * FileUriExposedException), not MediaStore (that would put the household's photo in the phone's public gallery),
 * and not AndroidX's FileProvider (a framework ContentProvider of 40 lines does the one thing needed).
 */
object CameraCapture {
    const val AUTHORITY = "cn.ruhu.app.capture"
    const val REQUEST_PHOTO = 4101

    /** The one pending capture file (a visit takes one photo at a time). */
    fun file(context: Context): File = File(File(context.noBackupFilesDir, "capture").apply { mkdirs() }, "pending.jpg")

    val uri: Uri = Uri.parse("content://$AUTHORITY/pending.jpg")

    /** Starts the camera app, or returns a Chinese message when the phone has none. */
    fun start(activity: Activity): String? {
        file(activity).delete()
        val intent = Intent(MediaStore.ACTION_IMAGE_CAPTURE)
            .putExtra(MediaStore.EXTRA_OUTPUT, uri)
            .addFlags(Intent.FLAG_GRANT_WRITE_URI_PERMISSION or Intent.FLAG_GRANT_READ_URI_PERMISSION)
        return try {
            activity.startActivityForResult(intent, REQUEST_PHOTO)
            null
        } catch (e: android.content.ActivityNotFoundException) {
            "本机没有可用的相机应用"
        }
    }
}

/**
 * Serves exactly one file, [CameraCapture.file], to the camera app that was granted the URI; anything else is not
 * found. Declared `exported="false"` with `grantUriPermissions="true"` in the manifest.
 */
class CaptureProvider : ContentProvider() {
    override fun onCreate(): Boolean = true

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        val ctx = context ?: throw FileNotFoundException("no context")
        if (uri != CameraCapture.uri) throw FileNotFoundException(uri.toString())
        return ParcelFileDescriptor.open(CameraCapture.file(ctx), ParcelFileDescriptor.parseMode(mode) or ParcelFileDescriptor.MODE_CREATE)
    }

    override fun getType(uri: Uri): String = "image/jpeg"

    override fun query(uri: Uri, projection: Array<out String>?, selection: String?, selectionArgs: Array<out String>?, sortOrder: String?): Cursor? = null

    override fun insert(uri: Uri, values: ContentValues?): Uri? = null

    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<out String>?): Int = 0

    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<out String>?): Int = 0
}
