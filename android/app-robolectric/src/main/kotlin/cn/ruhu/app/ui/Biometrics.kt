package cn.ruhu.app.ui

import android.content.Context
import android.content.pm.PackageManager
import android.hardware.biometrics.BiometricManager
import android.hardware.biometrics.BiometricPrompt
import android.os.Build
import android.os.CancellationSignal

/**
 * The platform's own biometric prompt (android.hardware.biometrics, API 28+; no AndroidX, no Google services).
 * Phones below API 28, or without enrolled biometrics, use the PIN only. A biometric never replaces the PIN: it is
 * offered only where the PIN pad is shown, and the core refuses it after a lock-out.
 */
object Biometrics {
    fun available(context: Context): Boolean = when {
        Build.VERSION.SDK_INT >= Build.VERSION_CODES.R ->
            context.getSystemService(BiometricManager::class.java)
                ?.canAuthenticate(BiometricManager.Authenticators.BIOMETRIC_STRONG) == BiometricManager.BIOMETRIC_SUCCESS
        Build.VERSION.SDK_INT == Build.VERSION_CODES.Q ->
            @Suppress("DEPRECATION")
            (context.getSystemService(BiometricManager::class.java)?.canAuthenticate() == BiometricManager.BIOMETRIC_SUCCESS)
        // API 28 has the prompt but no way to ask whether a finger is enrolled: offer it where the hardware is.
        Build.VERSION.SDK_INT == Build.VERSION_CODES.P -> context.packageManager.hasSystemFeature(PackageManager.FEATURE_FINGERPRINT)
        else -> false
    }

    /** Shows the prompt; [onSuccess] or [onFallback] (cancelled, failed too often, 使用 PIN 码) runs on the main thread. */
    fun prompt(context: Context, onSuccess: () -> Unit, onFallback: (String?) -> Unit): CancellationSignal {
        val main = context.mainExecutor
        val cancel = CancellationSignal()
        val prompt = BiometricPrompt.Builder(context)
            .setTitle("解锁入户调查")
            .setSubtitle("验证指纹或面容")
            .setNegativeButton("使用 PIN 码", main) { _, _ -> onFallback(null) }
            .build()
        prompt.authenticate(cancel, main, object : BiometricPrompt.AuthenticationCallback() {
            override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult?) = onSuccess()

            override fun onAuthenticationError(errorCode: Int, errString: CharSequence?) = onFallback(errString?.toString())
        })
        return cancel
    }
}
