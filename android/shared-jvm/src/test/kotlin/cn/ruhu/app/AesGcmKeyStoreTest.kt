package cn.ruhu.app

import cn.ruhu.mobile.KeyStoreException
import kotlin.random.Random
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class AesGcmKeyStoreTest {
    private val platformKey = Phone.newAesKey()
    private val keys = AesGcmKeyStore { platformKey }

    @Test
    fun `wrapping hides the key and unwrapping restores it`() {
        val key = Random.nextBytes(32)
        val wrapped = keys.wrapKey(key)
        assertEquals(1 + 12 + 32 + 16, wrapped.size, "IV length, 12-byte IV, key, tag")
        assertFalse(wrapped.toList().windowed(32).any { it == key.toList() }, "the plain key is not in the wrapped form")
        assertArrayEquals(key, keys.unwrapKey(wrapped))
        assertFalse(keys.wrapKey(key).contentEquals(wrapped), "a fresh IV every time")
    }

    @Test
    fun `a tampered, truncated or foreign wrapped key is refused`() {
        val wrapped = keys.wrapKey(Random.nextBytes(32))
        val tampered = wrapped.copyOf().also { it[20] = (it[20].toInt() xor 1).toByte() }
        assertThrows(KeyStoreException.Unavailable::class.java) { keys.unwrapKey(tampered) }
        assertThrows(KeyStoreException.Unavailable::class.java) { keys.unwrapKey(wrapped.copyOf(10)) }
        assertThrows(KeyStoreException.Unavailable::class.java) { keys.unwrapKey(ByteArray(0)) }
        val other = AesGcmKeyStore { Phone.newAesKey() }
        val e = assertThrows(KeyStoreException.Unavailable::class.java) { other.unwrapKey(wrapped) }
        assertTrue(e.reason.startsWith("无法解开本机数据密钥"), e.reason)
    }
}
