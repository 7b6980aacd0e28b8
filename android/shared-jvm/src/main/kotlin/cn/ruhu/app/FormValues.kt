package cn.ruhu.app

import java.math.BigDecimal
import java.math.RoundingMode
import java.text.DecimalFormat
import java.text.DecimalFormatSymbols
import java.time.LocalDate
import java.time.format.DateTimeParseException
import java.util.Locale
import org.json.JSONArray
import org.json.JSONObject
import org.json.JSONTokener

/** What the user typed could not become an answer; [message] is shown under the field. */
class InputRefused(override val message: String) : Exception(message)

/**
 * Answers as JSON (the engine's format: money in whole fen) to the text the screen shows, and typed text back to
 * answer JSON. Only the shape of the input is checked here; the rules of the form are checked by the engine in Rust.
 */
object FormValues {
    private val yuan = DecimalFormat("¥#,##0.00", DecimalFormatSymbols(Locale.SIMPLIFIED_CHINESE))
    private val plainYuan = DecimalFormat("0.00", DecimalFormatSymbols(Locale.ROOT))

    /** Parses one JSON value ("\"文字\"", "3", "true", "[...]", "{...}"); null for absent or JSON null. */
    fun parse(json: String?): Any? {
        if (json == null) return null
        val v = JSONTokener(json).nextValue()
        return if (v == JSONObject.NULL) null else v
    }

    /** Whole fen as the screen shows money: 150050 → "¥1,500.50". */
    fun money(fen: Long): String = yuan.format(fenToYuan(fen))

    /** The answer as the screen shows it, e.g. money 150050 → "¥1,500.50", yes_no true → "是". */
    fun display(q: QuestionDef, json: String?): String? {
        val v = parse(json) ?: return null
        return when (q.kind) {
            QuestionKind.MONEY -> (v as? Number)?.let { money(it.toLong()) } ?: v.toString()
            QuestionKind.YES_NO -> if (v == true) "是" else if (v == false) "否" else v.toString()
            QuestionKind.SELECT_ONE -> q.choiceLabel(v.toString())
            QuestionKind.SELECT_MULTIPLE -> strings(v).joinToString("、") { q.choiceLabel(it) }.ifEmpty { null }
            QuestionKind.DATE -> runCatching { LocalDate.parse(v.toString()) }.getOrNull()
                ?.let { "${it.year}年${it.monthValue}月${it.dayOfMonth}日" } ?: v.toString()
            QuestionKind.GEOPOINT -> (v as? JSONObject)?.let { "纬度 %.5f，经度 %.5f".format(Locale.ROOT, it.optDouble("lat"), it.optDouble("lon")) }
            QuestionKind.PHOTO -> "${strings(v).size} 张照片"
            QuestionKind.SIGNATURE -> "已签名"
            QuestionKind.REPEAT -> (v as? JSONArray)?.let { "${it.length()} 项" }
            QuestionKind.NOTE -> null
            QuestionKind.TEXT, QuestionKind.INTEGER, QuestionKind.DECIMAL -> v.toString()
        }
    }

    /** The answer as the text box holds it for editing (money in yuan without the sign). */
    fun editText(q: QuestionDef, json: String?): String {
        val v = parse(json) ?: return ""
        return when (q.kind) {
            QuestionKind.MONEY -> (v as? Number)?.let { plainYuan.format(fenToYuan(it.toLong())) } ?: ""
            else -> v.toString()
        }
    }

    /** Typed text → answer JSON for text, integer, decimal, money (typed in yuan, saved in fen) and date. */
    fun typed(q: QuestionDef, text: String): String {
        val t = text.trim().replace('，', ',').replace('．', '.')
        if (t.isEmpty()) return "null"
        return when (q.kind) {
            QuestionKind.TEXT -> JSONObject.quote(text.trim())
            QuestionKind.INTEGER -> t.toLongOrNull()?.toString() ?: throw InputRefused("请填写整数")
            QuestionKind.DECIMAL -> t.toBigDecimalOrNull()?.toPlainString() ?: throw InputRefused("请填写数字，如 2.5")
            QuestionKind.MONEY -> yuanToFen(t).toString()
            QuestionKind.DATE -> try {
                JSONObject.quote(LocalDate.parse(t).toString())
            } catch (_: DateTimeParseException) {
                throw InputRefused("日期格式应为 年-月-日，如 2026-11-28")
            }
            else -> throw IllegalArgumentException("${q.id} (${q.kind}) is not typed in")
        }
    }

    /** "1,500.5" yuan → 150050 fen; at most two decimals, not negative. */
    fun yuanToFen(text: String): Long {
        val amount = text.removePrefix("¥").removeSuffix("元").replace(",", "").trim().toBigDecimalOrNull()
            ?: throw InputRefused("请填写金额（元），如 1500.50")
        if (amount.signum() < 0) throw InputRefused("金额不能为负数")
        if (amount.stripTrailingZeros().scale() > 2) throw InputRefused("金额最多填写到分（两位小数）")
        return try {
            amount.movePointRight(2).longValueExact()
        } catch (_: ArithmeticException) {
            throw InputRefused("金额过大，请核对")
        }
    }

    fun fenToYuan(fen: Long): BigDecimal = BigDecimal.valueOf(fen).movePointLeft(2).setScale(2, RoundingMode.UNNECESSARY)

    fun strings(v: Any?): List<String> = (v as? JSONArray)?.let { a -> (0 until a.length()).map { a.get(it).toString() } }.orEmpty()
}
