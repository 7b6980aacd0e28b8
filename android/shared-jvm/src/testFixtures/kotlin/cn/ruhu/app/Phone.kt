package cn.ruhu.app

import cn.ruhu.mobile.DeviceSettings
import cn.ruhu.mobile.KeyStore
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.util.UUID
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import kotlin.io.path.isRegularFile
import kotlin.io.path.readBytes
import kotlin.io.path.relativeTo

/**
 * One phone installation: its data folder, its installation id and the platform key that wraps its store key.
 * The wrapping key stays here, as it would stay in the Android Keystore; the store key itself is never seen.
 */
class Phone(root: Path, serverUrl: String, name: String) {
    val dataDir: Path = root.resolve(name)
    val settings = DeviceSettings(
        dataDir = dataDir.toString(),
        serverUrl = serverUrl,
        deviceId = "kotlin-$name-${UUID.randomUUID()}",
        deviceName = "${name}的手机",
        appVersion = "0.1.0-jvm-test",
    )
    private val platformKey: SecretKey = newAesKey()
    val keys: KeyStore = AesGcmKeyStore { platformKey }

    fun open(keys: KeyStore = this.keys): RuhuSession = RuhuSession.open(settings, keys)

    val storeFile: Path get() = dataDir.resolve("ruhu.db")
    val mediaDir: Path get() = dataDir.resolve("media")
    val wrappedKeyFile: Path get() = dataDir.resolve("store.key.wrapped")

    fun mediaFiles(): Int = if (Files.isDirectory(mediaDir)) Files.walk(mediaDir).use { s -> s.filter { it.isRegularFile() }.count().toInt() } else 0

    /** SHA-256 of every file in the data folder, by relative path: to prove that something changed nothing. */
    fun fingerprint(): Map<String, String> =
        Files.walk(dataDir).use { s ->
            s.filter { it.isRegularFile() }.toList().associate { file ->
                file.relativeTo(dataDir).toString() to MessageDigest.getInstance("SHA-256").digest(file.readBytes()).joinToString("") { "%02x".format(it) }
            }
        }

    companion object {
        fun newAesKey(): SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    }
}
