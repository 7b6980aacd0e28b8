import Foundation
import RuhuMobile

/// The form screen of one open draft: saves each edit at once (a killed app loses nothing) and rebuilds the model
/// from the library after it, so relevance, calculations and problems are always the engine's.
@MainActor
public final class FormDraftController: ObservableObject {
    public let draftId: String
    private let device: RuhuDevice
    private let formId: String
    private let formVersion: UInt32

    @Published public private(set) var model: FormScreenModel
    /// Input the screen or the store refused, by path, shown under the field until it is edited again.
    @Published public private(set) var refusals: [String: String] = [:]

    public init(device: RuhuDevice, draftId: String, formId: String, formVersion: UInt32) throws {
        self.device = device
        self.draftId = draftId
        self.formId = formId
        self.formVersion = formVersion
        self.model = try FormScreenModel.load(device, draftId: draftId, formId: formId, formVersion: formVersion)
    }

    public func apply(_ edit: Edit) {
        switch edit {
        case .refused(let path, let message):
            refusals[path] = message
        case .save(let questionId, let valueJson):
            do {
                try device.setAnswer(draftId: draftId, questionId: questionId, valueJson: valueJson)
                refusals = refusals.filter { $0.key != questionId && !$0.key.hasPrefix(questionId + "[") }
            } catch {
                refusals[questionId] = userMessage(error)
            }
        }
        reload()
    }

    public func edit(_ path: String, _ input: UserInput) {
        apply(model.edit(path, input))
    }

    /// After a photo, a signature or a fix was stored through the device directly.
    public func reload() {
        do {
            model = try FormScreenModel.load(device, draftId: draftId, formId: formId, formVersion: formVersion)
        } catch {
            refusals[""] = userMessage(error)
        }
    }
}
