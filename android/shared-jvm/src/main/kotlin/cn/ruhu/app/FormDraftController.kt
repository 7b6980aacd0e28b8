package cn.ruhu.app

import cn.ruhu.mobile.RuhuDevice
import cn.ruhu.mobile.RuhuException

/**
 * The form screen of one open draft: saves each edit at once (a killed app loses nothing) and rebuilds the model
 * from the library after it, so relevance, calculations and problems are always the engine's.
 */
class FormDraftController(
    private val device: RuhuDevice,
    val draftId: String,
    private val formId: String,
    private val formVersion: UInt,
) {
    var model: FormScreenModel = load()
        private set

    /** Input the screen or the store refused, by path, shown under the field until it is edited again. */
    var refusals: Map<String, String> = emptyMap()
        private set

    fun apply(edit: Edit): FormScreenModel {
        when (edit) {
            is Edit.Refused -> refusals = refusals + (edit.path to edit.message)
            is Edit.Save -> try {
                device.setAnswer(draftId, edit.questionId, edit.valueJson)
                refusals = refusals.filterKeys { it != edit.questionId && !it.startsWith(edit.questionId + "[") }
            } catch (e: RuhuException) {
                refusals = refusals + (edit.questionId to e.userMessage())
            }
        }
        return reload()
    }

    fun edit(path: String, input: UserInput): FormScreenModel = apply(model.edit(path, input))

    /** After a photo, a signature or a fix was stored through the device directly. */
    fun reload(): FormScreenModel = load().also { model = it }

    private fun load() = FormScreenModel.load(device, draftId, formId, formVersion)
}
