package cn.ruhu.app.ui

import android.content.Context
import android.text.InputType
import android.util.TypedValue
import android.view.View
import android.view.inputmethod.EditorInfo
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.RadioButton
import android.widget.RadioGroup
import android.widget.ScrollView
import cn.ruhu.app.FieldRow
import cn.ruhu.app.FormRow
import cn.ruhu.app.FormScreenModel
import cn.ruhu.app.NoteRow
import cn.ruhu.app.QuestionKind
import cn.ruhu.app.RepeatItemRow
import cn.ruhu.app.RepeatRow
import cn.ruhu.app.SignerRole
import cn.ruhu.app.UserInput
import cn.ruhu.app.ui.Ui.touchTarget

/** What the form screen asks of its host: save an edit, or open the camera, the signature pad or the GPS. */
interface FormScreenActions {
    fun input(path: String, input: UserInput)
    fun addRow(groupId: String)
    fun removeRow(groupId: String, index: Int)
    fun takePhoto(questionId: String)
    fun sign(questionId: String, signer: SignerRole)
    fun locate(questionId: String)
    fun finalise()
}

/**
 * Draws a [FormScreenModel]: one block per row, in document order. Views are tagged with their path
 * (`input:members[1].age`, `problem:…`, `add:members`) so that the screen can be driven in tests and by
 * accessibility services alike. Call [render] again with each new model.
 */
class FormScreenView(context: Context, private val actions: FormScreenActions) : ScrollView(context) {
    private val column = Ui.column(context)

    init {
        addView(column)
    }

    fun render(model: FormScreenModel, refusals: Map<String, String> = emptyMap()) {
        column.removeAllViews()
        column.addView(Ui.text(context, model.title, 22f, Ui.INK, bold = true))
        for (row in model.rows) column.addView(block(row, refusals[row.path]))
        val summary = if (model.complete) "全部填写完成，可以提交" else "还有 ${model.problems.size} 处需要填写或修改"
        column.addView(Ui.text(context, summary, Ui.TEXT_SP, if (model.complete) Ui.ACCENT else Ui.ERROR).apply { tag = "summary" })
        column.addView(Ui.button(context, "完成并提交") { actions.finalise() }.apply {
            isEnabled = model.complete
            tag = "finalise"
        }, fullWidth())
    }

    private fun block(row: FormRow, refusal: String?): View {
        val box = LinearLayout(context).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(0, Ui.dp(context, 12), 0, Ui.dp(context, 12))
            tag = "row:${row.path}"
        }
        when (row) {
            is NoteRow -> box.addView(Ui.text(context, row.text, Ui.SMALL_SP, Ui.MUTED))
            is RepeatRow -> {
                box.addView(label(row.question.label, row.required, false))
                row.previous?.let { box.addView(previous(it)) }
                box.addView(Ui.text(context, row.status, Ui.SMALL_SP, Ui.MUTED))
                problems(box, row.path, listOfNotNull(refusal) + row.problems)
                if (row.canAdd) box.addView(Ui.button(context, "添加一项") { actions.addRow(row.path) }.apply { tag = "add:${row.path}" }, fullWidth())
            }
            is RepeatItemRow -> {
                box.addView(Ui.text(context, row.title, Ui.LABEL_SP, Ui.ACCENT, bold = true))
                box.addView(Ui.button(context, "删除此项") { actions.removeRow(row.groupId, row.index) }.apply { tag = "remove:${row.path}" })
            }
            is FieldRow -> field(box, row, refusal)
        }
        return box
    }

    private fun field(box: LinearLayout, row: FieldRow, refusal: String?) {
        box.addView(label(row.label, row.required, row.readOnly))
        row.question.hint?.let { box.addView(Ui.text(context, it, Ui.SMALL_SP, Ui.MUTED)) }
        row.previous?.let { box.addView(previous(it)) }
        val input: View = when {
            row.readOnly -> Ui.text(context, row.display ?: "（待计算）", Ui.TEXT_SP, Ui.INK).touchTarget()
            else -> when (row.kind) {
                QuestionKind.TEXT, QuestionKind.INTEGER, QuestionKind.DECIMAL, QuestionKind.MONEY, QuestionKind.DATE -> typed(row)
                QuestionKind.YES_NO -> choices(row, listOf("true" to "是", "false" to "否")) { actions.input(row.path, UserInput.YesNo(it == "true")) }
                QuestionKind.SELECT_ONE -> choices(row, row.question.choices.map { it.value to it.label }) { actions.input(row.path, UserInput.Pick(it)) }
                QuestionKind.SELECT_MULTIPLE -> checkboxes(row)
                QuestionKind.GEOPOINT -> action(row.display ?: "尚未定位", "获取当前位置") { actions.locate(row.path) }
                QuestionKind.PHOTO -> action(row.photoStatus, "拍照") { actions.takePhoto(row.path) }
                QuestionKind.SIGNATURE -> action(
                    "签字人：${row.signer?.label ?: ""}　${if (row.signed) "已签名" else "未签名"}",
                    if (row.signed) "重新签字" else "签字",
                ) { row.signer?.let { actions.sign(row.path, it) } }
                QuestionKind.NOTE, QuestionKind.REPEAT -> Ui.text(context, row.display ?: "")
            }
        }
        input.tag = "input:${row.path}"
        box.addView(input, fullWidth())
        problems(box, row.path, listOfNotNull(refusal) + row.problems)
    }

    private fun label(text: String, required: Boolean, readOnly: Boolean): View {
        val suffix = when {
            readOnly -> "（自动计算）"
            required -> " *"
            else -> ""
        }
        return Ui.text(context, text + suffix, Ui.LABEL_SP, Ui.INK, bold = true)
    }

    private fun previous(text: String) = Ui.text(context, text, Ui.SMALL_SP, Ui.MUTED)

    private fun problems(box: LinearLayout, path: String, messages: List<String>) {
        messages.forEachIndexed { i, m -> box.addView(Ui.text(context, m, Ui.SMALL_SP, Ui.ERROR).apply { tag = "problem:$path:$i" }) }
    }

    /** A text box that saves when the keyboard's 完成 is pressed or the box loses focus. */
    private fun typed(row: FieldRow): EditText = EditText(context).apply {
        setText(row.editText)
        setTextSize(TypedValue.COMPLEX_UNIT_SP, Ui.TEXT_SP)
        inputType = when (row.kind) {
            QuestionKind.INTEGER -> InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_FLAG_SIGNED
            QuestionKind.DECIMAL, QuestionKind.MONEY -> InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_FLAG_DECIMAL
            QuestionKind.DATE -> InputType.TYPE_CLASS_DATETIME or InputType.TYPE_DATETIME_VARIATION_DATE
            else -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_MULTI_LINE
        }
        hint = when (row.kind) {
            QuestionKind.MONEY -> "金额（元）"
            QuestionKind.DATE -> "年-月-日"
            else -> ""
        }
        imeOptions = EditorInfo.IME_ACTION_DONE
        // 完成 and the focus loss that follows when the screen is redrawn must not save the same text twice.
        var saved = row.editText
        val save = {
            val typed = text.toString()
            if (typed != saved) {
                saved = typed
                actions.input(row.path, UserInput.Typed(typed))
            }
        }
        setOnEditorActionListener { _, action, _ -> if (action == EditorInfo.IME_ACTION_DONE) save(); false }
        setOnFocusChangeListener { _, focused -> if (!focused) save() }
    }.touchTarget()

    private fun choices(row: FieldRow, options: List<Pair<String, String>>, pick: (String) -> Unit): RadioGroup =
        RadioGroup(context).apply {
            orientation = if (options.size <= 2) RadioGroup.HORIZONTAL else RadioGroup.VERTICAL
            val current = row.valueJson?.trim('"')
            for ((value, text) in options) {
                addView(RadioButton(context).apply {
                    this.text = text
                    setTextSize(TypedValue.COMPLEX_UNIT_SP, Ui.TEXT_SP)
                    tag = "choice:${row.path}:$value"
                    isChecked = value == current
                    setOnClickListener { pick(value) }
                    setPadding(0, 0, Ui.dp(context, 24), 0)
                }.touchTarget())
            }
        }

    private fun checkboxes(row: FieldRow): LinearLayout = LinearLayout(context).apply {
        orientation = LinearLayout.VERTICAL
        for (choice in row.question.choices) {
            addView(CheckBox(context).apply {
                text = choice.label
                setTextSize(TypedValue.COMPLEX_UNIT_SP, Ui.TEXT_SP)
                tag = "choice:${row.path}:${choice.value}"
                isChecked = choice.value in row.selected
                setOnClickListener { actions.input(row.path, UserInput.Toggle(choice.value, isChecked)) }
            }.touchTarget())
        }
    }

    private fun action(status: String, button: String, onClick: () -> Unit): LinearLayout = LinearLayout(context).apply {
        orientation = LinearLayout.VERTICAL
        addView(Ui.text(context, status, Ui.TEXT_SP, Ui.INK))
        addView(Ui.button(context, button, onClick), fullWidth())
    }

    private fun fullWidth() = LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT)
}
