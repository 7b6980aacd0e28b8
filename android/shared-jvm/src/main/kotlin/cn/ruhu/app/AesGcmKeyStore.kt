package cn.ruhu.app

import cn.ruhu.mobile.KeyStore
import cn.ruhu.mobile.KeyStoreException
import java.security.GeneralSecurityException
import java.security.Key
import javax.crypto.Cipher
import javax.crypto.spec.GCMParameterSpec

/**
 * The core's [KeyStore], wrapping the store key with AES-GCM under a key the platform keeps.
 *
 * On Android, [wrappingKey] returns an Android Keystore key (which never leaves secure hardware and picks the IV
 * itself, so the IV is read back from the cipher); on the JVM any AES key works. The plain store key only passes
 * through these two methods and is never kept here.
 *
 * Wrapped form: IV length (1 byte), IV, ciphertext with the 128-bit tag.
 */
class AesGcmKeyStore(private val wrappingKey: () -> Key) : KeyStore {

    override fun wrapKey(key: ByteArray): ByteArray = guarded("无法保护本机数据密钥") {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, wrappingKey())
        val iv = cipher.iv ?: throw GeneralSecurityException("no IV")
        check(iv.size in 1..255)
        byteArrayOf(iv.size.toByte()) + iv + cipher.doFinal(key)
    }

    override fun unwrapKey(wrapped: ByteArray): ByteArray = guarded("无法解开本机数据密钥") {
        val ivLength = wrapped.firstOrNull()?.toInt()?.and(0xff) ?: 0
        if (ivLength == 0 || wrapped.size < 1 + ivLength + TAG_BYTES) {
            throw GeneralSecurityException("wrapped key too short")
        }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, wrappingKey(), GCMParameterSpec(TAG_BYTES * 8, wrapped, 1, ivLength))
        cipher.doFinal(wrapped, 1 + ivLength, wrapped.size - 1 - ivLength)
    }

    private inline fun guarded(what: String, block: () -> ByteArray): ByteArray =
        try {
            block()
        } catch (e: GeneralSecurityException) {
            // Invalidated or missing platform key, tampered file: the core reports WrongKey and changes nothing.
            throw KeyStoreException.Unavailable("$what（${e.javaClass.simpleName}）")
        } catch (e: IllegalStateException) {
            throw KeyStoreException.Unavailable("$what（${e.javaClass.simpleName}）")
        }

    private companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val TAG_BYTES = 16
    }
}
