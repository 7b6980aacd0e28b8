package cn.ruhu.app

import java.time.LocalDate
import java.time.format.DateTimeFormatter
import kotlin.random.Random

/** Valid, random resident ID numbers (GB 11643-1999) for test households. */
object ResidentIds {
    private val weights = intArrayOf(7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    private const val CHECK_CHARS = "10X98765432"

    fun checkChar(first17: String): Char {
        require(first17.length == 17 && first17.all { it.isDigit() })
        val sum = first17.indices.sumOf { (first17[it] - '0') * weights[it] }
        return CHECK_CHARS[sum % 11]
    }

    fun make(area: String, birth: LocalDate, sequence: Int): String {
        val body = area + birth.format(DateTimeFormatter.BASIC_ISO_DATE) + "%03d".format(sequence)
        return body + checkChar(body)
    }

    /** A random adult born 1958–1999 in 花溪区, and a child 9000 days younger. */
    fun randomPair(): Pair<String, String> {
        val birth = LocalDate.of(1958, 1, 1).plusDays(Random.nextLong(15_000))
        val seq = Random.nextInt(100, 999)
        return make("520111", birth, seq) to make("520111", birth.plusDays(9_000), seq + 1)
    }
}
