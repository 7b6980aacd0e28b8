package cn.ruhu.app.ui

import android.app.Activity
import android.app.Application
import android.content.Context
import android.content.Intent
import android.os.Bundle
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import cn.ruhu.app.AesGcmKeyStore
import cn.ruhu.app.RuhuSession
import cn.ruhu.app.userMessage
import cn.ruhu.mobile.DeviceSettings
import cn.ruhu.mobile.RuhuException
import cn.ruhu.mobile.UnlockStep
import java.io.File
import java.security.Key
import java.util.UUID
import javax.crypto.KeyGenerator
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch

/**
 * The app process: opens the store with a key wrapped by the Android Keystore and connects the screens' hooks
 * (login → choose PIN → list; unlock → list; lock-out, wipe, revocation → login). Compiled by CI, run only on a
 * phone (Robolectric has no AndroidKeyStore provider).
 */
class RuhuApplication : Application() {
    override fun onCreate() {
        super.onCreate()
        AppStart.install(this)
    }
}

/** The launcher: sends the user to login, the PIN pad or choosing a PIN, and finishes. */
class StartActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        startActivity(AppStart.firstScreen(this))
        finish()
    }
}

object AppStart {
    private const val PREFS = "ruhu"
    private const val KEY_ALIAS = "ruhu-store-key"
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)

    fun install(app: Application) {
        LoginActivity.onLogin = { activity, ready ->
            scope.launch {
                val problem = try {
                    val session = open(activity, ready.serverUrl)
                    session.login(ready.username, ready.password)
                    AutoSync.watch(session, scope)
                    null
                } catch (e: RuhuException) {
                    e.userMessage()
                }
                activity.runOnUiThread {
                    if (problem != null) activity.screen.showProblem(problem) else replace(activity, UnlockActivity::class.java)
                }
            }
        }
        UnlockActivity.onUnlocked = { replace(it, AssignmentListActivity::class.java) }
        UnlockActivity.onNeedsLogin = { replace(it, LoginActivity::class.java) }
        SyncActivity.onNeedsLogin = { replace(it, LoginActivity::class.java) }
        SettingsActivity.onLoggedOut = { replace(it, LoginActivity::class.java) }
        SettingsActivity.onWiped = { activity ->
            AppSession.current?.close()
            AppSession.current = null
            replace(activity, LoginActivity::class.java)
        }
        FormActivity.services = PlatformFieldServices()
        AutoSync.install(app)
        prefs(app).getString("server_url", null)?.let { url -> runCatching { open(app, url) } }
    }

    fun firstScreen(context: Context): Intent {
        val step = runCatching { AppSession.current?.device?.unlockStatus()?.step }.getOrNull()
        val screen = if (step == null || step == UnlockStep.LOGIN) LoginActivity::class.java else UnlockActivity::class.java
        return Intent(context, screen)
    }

    /** The session for [serverUrl]: the open one, or the store reopened with the new address. */
    private fun open(context: Context, serverUrl: String): RuhuSession {
        AppSession.current?.takeIf { it.settings.serverUrl == serverUrl && !it.device.isWiped() }?.let { return it }
        AppSession.current?.close()
        val prefs = prefs(context)
        val installation = prefs.getString("installation_id", null) ?: UUID.randomUUID().toString().also { prefs.edit().putString("installation_id", it).apply() }
        prefs.edit().putString("server_url", serverUrl).apply()
        val settings = DeviceSettings(
            // No-backup storage: the store, photos and wrapped key never go to a cloud backup.
            dataDir = File(context.noBackupFilesDir, "ruhu").path,
            serverUrl = serverUrl,
            deviceId = installation,
            deviceName = android.os.Build.MODEL,
            appVersion = context.packageManager.getPackageInfo(context.packageName, 0).versionName ?: "0",
        )
        return RuhuSession.open(settings, AesGcmKeyStore { keystoreKey() }).also {
            AppSession.current = it
            AutoSync.watch(it, scope)
        }
    }

    /** The AES key in the Android Keystore (hardware-backed where the phone has it) that wraps the store key. */
    private fun keystoreKey(): Key {
        val store = java.security.KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        store.getKey(KEY_ALIAS, null)?.let { return it }
        val spec = KeyGenParameterSpec.Builder(KEY_ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore").apply { init(spec) }.generateKey()
    }

    private fun prefs(context: Context) = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    private fun replace(from: Activity, to: Class<out Activity>) {
        from.startActivity(Intent(from, to).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK))
        from.finish()
    }
}
