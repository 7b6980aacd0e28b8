package cn.ruhu.app.ui

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationListener
import android.location.LocationManager
import android.os.Build
import android.os.CancellationSignal
import android.os.Handler
import android.os.Looper
import cn.ruhu.mobile.LocationFix

/**
 * One position fix from the platform's LocationManager (no Google Play services: most phones here have none):
 * GPS first, the network provider when GPS is off or gives nothing in [TIMEOUT_MS]. Mock locations are flagged,
 * not hidden — the library records them as such and the server shows them to the reviewer.
 */
class LocationCapture(private val context: Context, private val onFix: (LocationFix) -> Unit, private val onFailure: (String) -> Unit) {
    private val manager = context.getSystemService(LocationManager::class.java)
    private val main = Handler(Looper.getMainLooper())
    private var cancel: CancellationSignal? = null
    private var done = false

    /** Providers to try, in order: enabled ones only. */
    fun providers(): List<String> =
        listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER).filter { manager?.isProviderEnabled(it) == true }

    fun start() {
        val granted = context.checkSelfPermission(Manifest.permission.ACCESS_FINE_LOCATION) == PackageManager.PERMISSION_GRANTED ||
            context.checkSelfPermission(Manifest.permission.ACCESS_COARSE_LOCATION) == PackageManager.PERMISSION_GRANTED
        if (!granted) return fail("请在系统设置中允许“入户调查”使用位置信息")
        val order = providers()
        if (order.isEmpty()) return fail("请打开手机的定位（GPS）后再试")
        request(order, 0)
    }

    fun stop() {
        done = true
        cancel?.cancel()
        main.removeCallbacksAndMessages(null)
    }

    @Suppress("MissingPermission")
    private fun request(order: List<String>, index: Int) {
        val provider = order[index]
        val signal = CancellationSignal().also { cancel = it }
        val deliver = { location: Location? -> if (location != null) deliver(location) }
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            manager?.getCurrentLocation(provider, signal, context.mainExecutor) { deliver(it) }
        } else {
            val listener = LocationListener { deliver(it) }
            signal.setOnCancelListener { manager?.removeUpdates(listener) }
            @Suppress("DEPRECATION")
            manager?.requestSingleUpdate(provider, listener, Looper.getMainLooper())
        }
        main.postDelayed({
            if (done) return@postDelayed
            signal.cancel()
            if (index + 1 < order.size) request(order, index + 1) else fail("未能定位，请到室外空旷处再试")
        }, TIMEOUT_MS)
    }

    private fun deliver(location: Location) {
        if (done) return
        stop()
        onFix(toFix(location))
    }

    private fun fail(message: String) {
        if (done) return
        stop()
        onFailure(message)
    }

    companion object {
        const val TIMEOUT_MS = 60_000L

        fun toFix(location: Location): LocationFix = LocationFix(
            lat = location.latitude,
            lon = location.longitude,
            accuracyM = if (location.hasAccuracy()) location.accuracy.toDouble() else Double.NaN,
            provider = location.provider ?: "unknown",
            mock = isMock(location),
            timeMs = location.time,
        )

        fun isMock(location: Location): Boolean =
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) location.isMock else @Suppress("DEPRECATION") location.isFromMockProvider
    }
}
