package cn.ruhu.app

import java.io.ByteArrayOutputStream
import java.io.DataOutputStream
import java.util.zip.CRC32
import java.util.zip.DeflaterOutputStream
import kotlin.math.ceil
import kotlin.math.hypot
import kotlin.math.max
import kotlin.math.min
import kotlin.math.roundToInt

/**
 * The strokes of a signature pad, in the pad's pixels, and their export as a PNG (black ink on white, 8-bit
 * grayscale) for `RuhuDevice.addSignature`. Plain Kotlin so that the picture is the same on every phone and can be
 * checked on the JVM; the Android view only feeds it touch points and draws the same strokes.
 */
class SignatureInk(val width: Int, val height: Int, private val strokeWidth: Float) {
    private val strokes = mutableListOf<MutableList<FloatArray>>()

    init {
        require(width > 0 && height > 0 && strokeWidth > 0f)
    }

    val strokeCount: Int get() = strokes.size

    /** A pad with no line on it: a tap alone is not a signature. */
    val isEmpty: Boolean get() = strokes.none { it.size >= 2 }

    fun start(x: Float, y: Float) {
        strokes += mutableListOf(floatArrayOf(x, y))
    }

    fun extend(x: Float, y: Float) {
        strokes.lastOrNull()?.add(floatArrayOf(x, y)) ?: start(x, y)
    }

    fun clear() = strokes.clear()

    /** Every stroke as a list of (x, y) points, for drawing. */
    fun lines(): List<List<FloatArray>> = strokes

    /**
     * The signature as PNG bytes, scaled down to at most [maxWidth] pixels wide (a signature needs no more, and the
     * file travels over mobile data). Refuses an empty pad with the message the pad shows.
     */
    fun png(maxWidth: Int = 800): ByteArray {
        if (isEmpty) throw InputRefused(EMPTY_PAD)
        val scale = min(1f, maxWidth.toFloat() / width)
        val w = max(1, (width * scale).roundToInt())
        val h = max(1, (height * scale).roundToInt())
        val pixels = ByteArray(w * h) { WHITE }
        val radius = max(1f, strokeWidth * scale / 2f)
        for (stroke in strokes) {
            for (i in 1 until stroke.size) {
                line(pixels, w, h, stroke[i - 1][0] * scale, stroke[i - 1][1] * scale, stroke[i][0] * scale, stroke[i][1] * scale, radius)
            }
        }
        return encodePng(pixels, w, h)
    }

    private fun line(px: ByteArray, w: Int, h: Int, x0: Float, y0: Float, x1: Float, y1: Float, r: Float) {
        val steps = max(1, ceil(hypot(x1 - x0, y1 - y0) * 2).toInt())
        for (s in 0..steps) {
            val t = s.toFloat() / steps
            dot(px, w, h, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, r)
        }
    }

    private fun dot(px: ByteArray, w: Int, h: Int, cx: Float, cy: Float, r: Float) {
        for (y in max(0, (cy - r).toInt())..min(h - 1, (cy + r).toInt())) {
            for (x in max(0, (cx - r).toInt())..min(w - 1, (cx + r).toInt())) {
                if (hypot(x + 0.5f - cx, y + 0.5f - cy) <= r) px[y * w + x] = INK
            }
        }
    }

    companion object {
        const val EMPTY_PAD = "请先在框内签名"
        private const val WHITE: Byte = 0xFF.toByte()
        private const val INK: Byte = 0x10

        /** A minimal PNG: signature, IHDR (8-bit grayscale), one zlib IDAT of unfiltered rows, IEND. */
        fun encodePng(gray: ByteArray, w: Int, h: Int): ByteArray {
            val raw = ByteArrayOutputStream(gray.size + h)
            for (y in 0 until h) {
                raw.write(0)
                raw.write(gray, y * w, w)
            }
            val idat = ByteArrayOutputStream().also { DeflaterOutputStream(it).use { z -> raw.writeTo(z) } }.toByteArray()
            val ihdr = ByteArrayOutputStream().also { DataOutputStream(it).apply { writeInt(w); writeInt(h); write(byteArrayOf(8, 0, 0, 0, 0)) } }.toByteArray()
            val out = ByteArrayOutputStream()
            out.write(byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte(), 0x0D, 0x0A, 0x1A, 0x0A))
            chunk(out, "IHDR", ihdr)
            chunk(out, "IDAT", idat)
            chunk(out, "IEND", ByteArray(0))
            return out.toByteArray()
        }

        private fun chunk(out: ByteArrayOutputStream, type: String, data: ByteArray) {
            val d = DataOutputStream(out)
            val typeBytes = type.toByteArray(Charsets.US_ASCII)
            d.writeInt(data.size)
            d.write(typeBytes)
            d.write(data)
            d.writeInt(CRC32().apply { update(typeBytes); update(data) }.value.toInt())
        }
    }
}
