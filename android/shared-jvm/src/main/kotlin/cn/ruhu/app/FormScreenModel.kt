package cn.ruhu.app

import cn.ruhu.mobile.FormView
import cn.ruhu.mobile.QuestionView
import cn.ruhu.mobile.RuhuDevice
import org.json.JSONArray
import org.json.JSONObject

/** One thing the form screen draws, in document order. Hidden (irrelevant) questions have no row. */
sealed interface FormRow {
    /** `household_size`, `members[1].age`; a repeat row's own header is `members[1]`. */
    val path: String
}

/** Explanatory text of the form (a `note` question). */
data class NoteRow(override val path: String, val text: String) : FormRow

/**
 * A question the user answers (or reads, when [readOnly]: calculated values). [display] is the answer as shown,
 * [editText] what a text box starts with, [previous] the case's current value (上次记录), [problems] the engine's
 * zh-CN messages for this field.
 */
data class FieldRow(
    override val path: String,
    val question: QuestionDef,
    val required: Boolean,
    val readOnly: Boolean,
    val valueJson: String?,
    val display: String?,
    val editText: String,
    val selected: Set<String>,
    val previous: String?,
    val problems: List<String>,
) : FormRow {
    val kind: QuestionKind get() = question.kind
    val label: String get() = question.label

    /** Photo questions: how many are taken, and how many the form asks for. */
    val photoCount: Int get() = FormValues.strings(FormValues.parse(valueJson)).size
    val photoMinimum: Int get() = question.minCount ?: if (required) 1 else 0

    /** The line under a photo slot, e.g. "已拍 1 张，至少需要 3 张". */
    val photoStatus: String
        get() = if (photoCount < photoMinimum) "已拍 $photoCount 张，至少需要 $photoMinimum 张" else "已拍 $photoCount 张"

    /** Signature questions: who signs, and whether they have. */
    val signer: SignerRole? get() = question.signer
    val signed: Boolean get() = kind == QuestionKind.SIGNATURE && valueJson != null
}

/** A repeat group's header: its rows follow, each opened by a [RepeatItemRow]. */
data class RepeatRow(
    override val path: String,
    val question: QuestionDef,
    val rowCount: Int,
    val expectedRows: Int?,
    val required: Boolean,
    val previous: String?,
    val problems: List<String>,
) : FormRow {
    val canAdd: Boolean get() = question.maxCount?.let { rowCount < it } ?: true
    val status: String get() = expectedRows?.let { "已填 $rowCount 项，应填 $it 项" } ?: "已填 $rowCount 项"
}

/** "法定义务人第1项", with a button that removes the row. */
data class RepeatItemRow(override val path: String, val groupId: String, val index: Int, val title: String) : FormRow

/** What the user did to a field. */
sealed interface UserInput {
    /** text, integer, decimal, money (in yuan) or date typed into a box; blank clears the answer. */
    data class Typed(val text: String) : UserInput
    data class YesNo(val yes: Boolean) : UserInput
    data class Pick(val value: String) : UserInput
    data class Toggle(val value: String, val on: Boolean) : UserInput
    data class Point(val lat: Double, val lon: Double) : UserInput
    data object Clear : UserInput
}

/** The result of an edit: an answer for `RuhuDevice.setAnswer`, or a message shown under the field instead. */
sealed interface Edit {
    data class Save(val questionId: String, val valueJson: String) : Edit
    data class Refused(val path: String, val message: String) : Edit
}

/**
 * The form screen of one draft: the form definition and the engine's [FormView] (relevance, requirement,
 * calculated values, problems, case values, all decided in Rust) turned into rows, and the user's edits turned
 * back into answers. Build a new model after each saved answer.
 */
class FormScreenModel(val definition: FormDefinition, val view: FormView, answersJson: String) {
    private val answers = JSONObject(answersJson)

    val title: String get() = definition.title
    val complete: Boolean get() = view.complete

    /** Every open problem, in document order (the review screen's list). */
    val problems: List<String> get() = view.problems.map { it.message }

    val rows: List<FormRow> = buildRows()

    fun row(path: String): FormRow? = rows.firstOrNull { it.path == path }

    fun field(path: String): FieldRow = rows.filterIsInstance<FieldRow>().firstOrNull { it.path == path }
        ?: throw NoSuchElementException("no visible field $path")

    /** The answer to save for [input] at [path] (`x` or `group[1].x`). */
    fun edit(path: String, input: UserInput): Edit {
        val (groupId, index, id) = splitPath(path)
        val q = definition.question(id) ?: return Edit.Refused(path, "表单中没有此问题")
        if (q.kind in NOT_EDITED_HERE) return Edit.Refused(path, "此项不能直接填写")
        val value = try {
            valueFor(q, input, currentJson(path))
        } catch (e: InputRefused) {
            return Edit.Refused(path, e.message)
        }
        if (groupId == null) return Edit.Save(q.id, value)
        val group = rowsOf(groupId)
        if (index == null || index >= group.length()) return Edit.Refused(path, "该项已被删除")
        val row = group.getJSONObject(index)
        val parsed = FormValues.parse(value)
        if (parsed == null) row.remove(id) else row.put(id, parsed)
        return Edit.Save(groupId, group.toString())
    }

    /** One more (empty) row in a repeat group. */
    fun addRow(groupId: String): Edit {
        val q = definition.question(groupId)
        val group = rowsOf(groupId)
        if (q?.maxCount != null && group.length() >= q.maxCount) return Edit.Refused(groupId, "最多填写 ${q.maxCount} 项")
        return Edit.Save(groupId, group.put(JSONObject()).toString())
    }

    fun removeRow(groupId: String, index: Int): Edit {
        val group = rowsOf(groupId)
        if (index !in 0 until group.length()) return Edit.Refused("$groupId[$index]", "该项已被删除")
        group.remove(index)
        return Edit.Save(groupId, if (group.length() == 0) "null" else group.toString())
    }

    private fun rowsOf(groupId: String): JSONArray =
        JSONArray(answers.optJSONArray(groupId)?.toString() ?: "[]")

    private fun currentJson(path: String): String? = view.questions.firstOrNull { it.path == path }?.valueJson

    private fun valueFor(q: QuestionDef, input: UserInput, current: String?): String = when (input) {
        UserInput.Clear -> "null"
        is UserInput.Typed -> FormValues.typed(q, input.text)
        is UserInput.YesNo -> expect(q, QuestionKind.YES_NO) { input.yes.toString() }
        is UserInput.Pick -> expect(q, QuestionKind.SELECT_ONE) { JSONObject.quote(choice(q, input.value)) }
        is UserInput.Toggle -> expect(q, QuestionKind.SELECT_MULTIPLE) {
            val chosen = FormValues.strings(FormValues.parse(current)).toMutableList()
            chosen.remove(choice(q, input.value))
            if (input.on) chosen.add(input.value)
            // Kept in the order of the choices, so the same selection always saves the same answer.
            JSONArray(q.choices.map { it.value }.filter { it in chosen }).toString()
        }
        is UserInput.Point -> expect(q, QuestionKind.GEOPOINT) { JSONObject().put("lat", input.lat).put("lon", input.lon).toString() }
    }

    private fun choice(q: QuestionDef, value: String): String =
        if (q.choices.any { it.value == value }) value else throw InputRefused("请从选项中选择")

    private inline fun expect(q: QuestionDef, kind: QuestionKind, json: () -> String): String =
        if (q.kind == kind) json() else throw IllegalArgumentException("${q.id} is ${q.kind}, not $kind")

    private fun buildRows(): List<FormRow> {
        val out = mutableListOf<FormRow>()
        val hiddenGroups = mutableSetOf<String>()
        for (qv in view.questions) {
            val (groupId, index, id) = splitPath(qv.path)
            if (!qv.relevant) {
                if (groupId == null) hiddenGroups += id
                continue
            }
            if (groupId != null && groupId in hiddenGroups) continue
            val q = definition.question(id) ?: continue
            if (groupId != null && index != null && out.none { it.path == "$groupId[$index]" }) {
                val group = definition.question(groupId)
                out += RepeatItemRow("$groupId[$index]", groupId, index, "${group?.label ?: groupId}第${index + 1}项")
            }
            out += when (q.kind) {
                QuestionKind.NOTE -> NoteRow(qv.path, q.label)
                QuestionKind.REPEAT -> RepeatRow(
                    path = qv.path,
                    question = q,
                    rowCount = FormValues.strings(FormValues.parse(qv.valueJson)).size,
                    expectedRows = qv.expectedRows?.toInt(),
                    required = qv.required,
                    previous = previous(q, qv),
                    problems = qv.problems.map { it.message },
                )
                else -> field(q, qv)
            }
        }
        return out
    }

    private fun field(q: QuestionDef, qv: QuestionView) = FieldRow(
        path = qv.path,
        question = q,
        required = qv.required,
        readOnly = qv.calculated,
        valueJson = qv.valueJson,
        display = FormValues.display(q, qv.valueJson),
        editText = FormValues.editText(q, qv.valueJson),
        selected = when (q.kind) {
            QuestionKind.SELECT_ONE -> setOfNotNull(FormValues.parse(qv.valueJson)?.toString())
            QuestionKind.SELECT_MULTIPLE -> FormValues.strings(FormValues.parse(qv.valueJson)).toSet()
            else -> emptySet()
        },
        previous = previous(q, qv),
        problems = qv.problems.map { it.message },
    )

    private fun previous(q: QuestionDef, qv: QuestionView): String? =
        FormValues.display(q, qv.caseValueJson)?.let { "上次记录：$it" }

    companion object {
        private val NOT_EDITED_HERE = setOf(QuestionKind.NOTE, QuestionKind.REPEAT, QuestionKind.PHOTO, QuestionKind.SIGNATURE)
        private val ROW_PATH = Regex("""^([A-Za-z]\w*)\[(\d+)]\.([A-Za-z]\w*)$""")

        /** `group[1].x` → (group, 1, x); `x` → (null, null, x). */
        fun splitPath(path: String): Triple<String?, Int?, String> {
            val m = ROW_PATH.matchEntire(path) ?: return Triple(null, null, path)
            return Triple(m.groupValues[1], m.groupValues[2].toInt(), m.groupValues[3])
        }

        /** The current screen of [draftId] of a form, straight from the phone's store. */
        fun load(device: RuhuDevice, draftId: String, formId: String, formVersion: UInt): FormScreenModel =
            FormScreenModel(
                FormDefinition.parse(device.formJson(formId, formVersion)),
                device.formState(draftId),
                device.answersJson(draftId),
            )
    }
}
