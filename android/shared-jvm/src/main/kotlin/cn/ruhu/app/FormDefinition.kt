package cn.ruhu.app

import org.json.JSONArray
import org.json.JSONObject

/** The question kinds of the forms engine (docs/forms.md), as the screen draws them. */
enum class QuestionKind(val code: String) {
    TEXT("text"),
    INTEGER("integer"),
    DECIMAL("decimal"),
    MONEY("money"),
    DATE("date"),
    YES_NO("yes_no"),
    SELECT_ONE("select_one"),
    SELECT_MULTIPLE("select_multiple"),
    GEOPOINT("geopoint"),
    PHOTO("photo"),
    SIGNATURE("signature"),
    NOTE("note"),
    REPEAT("repeat"),
    ;

    companion object {
        fun of(code: String): QuestionKind = entries.firstOrNull { it.code == code }
            ?: throw IllegalArgumentException("unknown question kind: $code")
    }
}

data class Choice(val value: String, val label: String)

/** Who signs a signature question; the labels are the ones the paper form uses. */
enum class SignerRole(val code: String, val label: String) {
    INVESTIGATOR1("investigator1", "调查人员一"),
    INVESTIGATOR2("investigator2", "调查人员二"),
    FAMILY_MEMBER("family_member", "申请人或在场家庭成员"),
    ;

    companion object {
        fun of(code: String?): SignerRole? = entries.firstOrNull { it.code == code }
    }
}

/** One question of a form definition, with what the renderer needs (expressions stay in Rust). */
data class QuestionDef(
    val id: String,
    val kind: QuestionKind,
    val label: String,
    val hint: String?,
    val choices: List<Choice>,
    val minCount: Int?,
    val maxCount: Int?,
    val signer: SignerRole?,
    val children: List<QuestionDef>,
) {
    fun choiceLabel(value: String): String = choices.firstOrNull { it.value == value }?.label ?: value
}

/** A form definition as `RuhuDevice.formJson` returns it (the format of core/forms/). */
data class FormDefinition(val id: String, val version: Int, val title: String, val questions: List<QuestionDef>) {
    private val byId: Map<String, QuestionDef> =
        questions.flatMap { listOf(it) + it.children }.associateBy { it.id }

    fun question(id: String): QuestionDef? = byId[id]

    companion object {
        fun parse(json: String): FormDefinition {
            val o = JSONObject(json)
            return FormDefinition(o.getString("id"), o.getInt("version"), o.stringOrNull("title").orEmpty(), questions(o.arrayOrNull("questions")))
        }

        // The library writes absent keys as JSON null; org.json's opt* would turn those into "null" strings.
        private fun JSONObject.stringOrNull(key: String): String? = if (isNull(key)) null else getString(key).ifBlank { null }

        private fun JSONObject.intOrNull(key: String): Int? = if (isNull(key)) null else getInt(key)

        private fun JSONObject.arrayOrNull(key: String): JSONArray? = if (isNull(key)) null else getJSONArray(key)

        private fun questions(a: JSONArray?): List<QuestionDef> =
            if (a == null) emptyList() else (0 until a.length()).map { question(a.getJSONObject(it)) }

        private fun question(q: JSONObject): QuestionDef {
            val choices = q.arrayOrNull("choices")?.let { a ->
                (0 until a.length()).map { a.getJSONObject(it) }.map { Choice(it.getString("value"), it.getString("label")) }
            }.orEmpty()
            return QuestionDef(
                id = q.getString("id"),
                kind = QuestionKind.of(q.getString("kind")),
                label = q.getString("label"),
                hint = q.stringOrNull("hint"),
                choices = choices,
                minCount = q.intOrNull("min_count"),
                maxCount = q.intOrNull("max_count"),
                signer = SignerRole.of(q.stringOrNull("signer")),
                children = questions(q.arrayOrNull("questions")),
            )
        }
    }
}
