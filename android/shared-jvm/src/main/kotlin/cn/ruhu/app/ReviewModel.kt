package cn.ruhu.app

import cn.ruhu.mobile.EligibilityAdvice
import cn.ruhu.mobile.RuhuDevice

/**
 * The review page before 完成并提交: what is still missing (the engine's problems, each with its question's label),
 * the eligibility pre-check shown as advice (the township decides), and whether the visit can be finalised.
 */
class ReviewModel(val form: FormScreenModel, val advice: EligibilityAdvice?) {
    /** "家庭人口数：此项为必填项", in document order. */
    val missing: List<String> = form.view.problems.map { p ->
        val id = FormScreenModel.splitPath(p.questionId).third
        val label = form.definition.question(id)?.label
        if (label == null) p.message else "$label：${p.message}"
    }

    val canFinalise: Boolean get() = form.complete && missing.isEmpty()

    val headline: String get() = if (canFinalise) "全部填写完成，请核对后提交" else "还有 ${missing.size} 处需要填写或修改"

    /** The pre-check in lines: the outcome, the per-capita income and 补差, each finding, and the note. */
    val adviceLines: List<String>
        get() {
            val a = advice ?: return emptyList()
            return buildList {
                add("初步判断（仅供参考）：${a.outcomeLabel}")
                a.perCapitaIncomeFen?.let { add("家庭月人均收入：${FormValues.money(it)}") }
                a.gapPaymentFen?.let { add("测算补差：每月 ${FormValues.money(it)}") }
                for (f in a.findings) {
                    val mark = when (f.met) {
                        true -> "✓"
                        false -> "✗"
                        null -> "？"
                    }
                    add("$mark ${f.explanation}")
                }
                add(a.note)
            }
        }

    companion object {
        fun load(device: RuhuDevice, draftId: String, formId: String, formVersion: UInt): ReviewModel =
            ReviewModel(FormScreenModel.load(device, draftId, formId, formVersion), device.eligibility(draftId))
    }
}
