package cn.ruhu.app

import java.awt.image.BufferedImage
import java.nio.file.Path
import javax.imageio.ImageIO

/** Real image files, as a phone's camera and signature pad would produce them. */
object TestImages {
    /** A camera-like JPEG whose pattern depends on [seed], so every photo (and its hash) differs. */
    fun cameraJpeg(path: Path, width: Int, height: Int, seed: Int): Path {
        val img = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
        for (y in 0 until height) {
            for (x in 0 until width) {
                val v = x * 31 + y * 17 + seed * 101
                val r = v % 251
                val g = (x xor y xor seed) % 241
                val b = (x + y) / 7 % 239
                img.setRGB(x, y, (r shl 16) or (g shl 8) or b)
            }
        }
        check(ImageIO.write(img, "jpg", path.toFile())) { "no JPEG writer" }
        return path
    }

    /** A signature-pad PNG: a dark stroke on white. */
    fun signaturePng(path: Path, seed: Int): Path {
        val img = BufferedImage(480, 160, BufferedImage.TYPE_INT_RGB)
        for (y in 0 until 160) {
            for (x in 0 until 480) {
                val onStroke = Math.abs(y - 80 - ((x + seed * 7) % 60 - 30)) < 3
                img.setRGB(x, y, if (onStroke) 0x0a0a0a else 0xffffff)
            }
        }
        check(ImageIO.write(img, "png", path.toFile())) { "no PNG writer" }
        return path
    }
}
