import Foundation
import RuhuMobile

/// One thing the form screen draws, in document order. Hidden (irrelevant) questions have no row.
public enum FormRow: Equatable, Identifiable {
    /// Explanatory text of the form (a `note` question).
    case note(path: String, text: String)
    case field(FieldRow)
    /// A repeat group's header: its rows follow, each opened by a `.repeatItem`.
    case repeatGroup(RepeatRow)
    /// "法定义务人第1项", with a button that removes the row.
    case repeatItem(path: String, groupId: String, index: Int, title: String)

    /// `household_size`, `members[1].age`; a repeat row's own header is `members[1]`.
    public var path: String {
        switch self {
        case .note(let path, _), .repeatItem(let path, _, _, _): return path
        case .field(let row): return row.path
        case .repeatGroup(let row): return row.path
        }
    }

    public var id: String { path }
}

/// A question the user answers (or reads, when `readOnly`: calculated values). `display` is the answer as shown,
/// `editText` what a text box starts with, `previous` the case's current value (上次记录), `problems` the engine's
/// zh-CN messages for this field.
public struct FieldRow: Equatable {
    public let path: String
    public let question: QuestionDef
    public let required: Bool
    public let readOnly: Bool
    public let valueJson: String?
    public let display: String?
    public let editText: String
    public let selected: Set<String>
    public let previous: String?
    public let problems: [String]

    public var kind: QuestionKind { question.kind }
    public var label: String { question.label }

    /// Photo questions: how many are taken, and how many the form asks for.
    public var photoCount: Int { JSONValue.parse(valueJson)?.strings.count ?? 0 }
    public var photoMinimum: Int { question.minCount ?? (required ? 1 : 0) }

    /// The line under a photo slot, e.g. "已拍 1 张，至少需要 3 张".
    public var photoStatus: String {
        photoCount < photoMinimum ? "已拍 \(photoCount) 张，至少需要 \(photoMinimum) 张" : "已拍 \(photoCount) 张"
    }

    /// Signature questions: who signs, and whether they have.
    public var signer: SignerRole? { question.signer }
    public var signed: Bool { kind == .signature && valueJson != nil }
}

public struct RepeatRow: Equatable {
    public let path: String
    public let question: QuestionDef
    public let rowCount: Int
    public let expectedRows: Int?
    public let required: Bool
    public let previous: String?
    public let problems: [String]

    public var canAdd: Bool { question.maxCount.map { rowCount < $0 } ?? true }
    public var status: String {
        expectedRows.map { "已填 \(rowCount) 项，应填 \($0) 项" } ?? "已填 \(rowCount) 项"
    }
}

/// What the user did to a field.
public enum UserInput: Equatable {
    /// text, integer, decimal, money (in yuan) or date typed into a box; blank clears the answer.
    case typed(String)
    case yesNo(Bool)
    case pick(String)
    case toggle(String, on: Bool)
    case point(lat: Double, lon: Double)
    case clear
}

/// The result of an edit: an answer for `RuhuDevice.setAnswer`, or a message shown under the field instead.
public enum Edit: Equatable {
    case save(questionId: String, valueJson: String)
    case refused(path: String, message: String)
}

/// The form screen of one draft: the form definition and the engine's `FormView` (relevance, requirement,
/// calculated values, problems, case values, all decided in Rust) turned into rows, and the user's edits turned
/// back into answers. Build a new model after each saved answer.
public struct FormScreenModel {
    public let definition: FormDefinition
    public let view: FormView
    public let rows: [FormRow]
    private let answers: JSONValue

    public init(definition: FormDefinition, view: FormView, answersJson: String) {
        self.definition = definition
        self.view = view
        self.answers = JSONValue.parse(answersJson) ?? .object([:])
        self.rows = FormScreenModel.buildRows(definition, view)
    }

    public var title: String { definition.title }
    public var complete: Bool { view.complete }

    /// Every open problem, in document order (the review screen's list).
    public var problems: [String] { view.problems.map(\.message) }

    public func row(_ path: String) -> FormRow? { rows.first { $0.path == path } }

    public func field(_ path: String) -> FieldRow? {
        if case .field(let f) = row(path) { return f }
        return nil
    }

    /// The answer to save for `input` at `path` (`x` or `group[1].x`).
    public func edit(_ path: String, _ input: UserInput) -> Edit {
        let (groupId, index, id) = FormScreenModel.splitPath(path)
        guard let q = definition.question(id) else { return .refused(path: path, message: "表单中没有此问题") }
        if FormScreenModel.notEditedHere.contains(q.kind) { return .refused(path: path, message: "此项不能直接填写") }
        let value: String
        do {
            value = try FormScreenModel.valueFor(q, input, current: view.questions.first { $0.path == path }?.valueJson)
        } catch let refusal as InputRefused {
            return .refused(path: path, message: refusal.message)
        } catch {
            return .refused(path: path, message: "输入无法保存")
        }
        guard let groupId else { return .save(questionId: q.id, valueJson: value) }
        var group = rowsOf(groupId)
        guard let index, index < group.count, case .object(var fields) = group[index] else {
            return .refused(path: path, message: "该项已被删除")
        }
        fields[id] = JSONValue.parse(value)
        group[index] = .object(fields)
        return .save(questionId: groupId, valueJson: JSONValue.array(group).json)
    }

    /// One more (empty) row in a repeat group.
    public func addRow(_ groupId: String) -> Edit {
        var group = rowsOf(groupId)
        if let max = definition.question(groupId)?.maxCount, group.count >= max {
            return .refused(path: groupId, message: "最多填写 \(max) 项")
        }
        group.append(.object([:]))
        return .save(questionId: groupId, valueJson: JSONValue.array(group).json)
    }

    public func removeRow(_ groupId: String, _ index: Int) -> Edit {
        var group = rowsOf(groupId)
        guard group.indices.contains(index) else { return .refused(path: "\(groupId)[\(index)]", message: "该项已被删除") }
        group.remove(at: index)
        return .save(questionId: groupId, valueJson: group.isEmpty ? "null" : JSONValue.array(group).json)
    }

    private func rowsOf(_ groupId: String) -> [JSONValue] {
        if case .array(let items) = answers[groupId] { return items }
        return []
    }

    /// Photos and signatures come through the device (files), repeat groups through addRow/removeRow.
    private static let notEditedHere: Set<QuestionKind> = [.note, .repeat, .photo, .signature]

    private static func valueFor(_ q: QuestionDef, _ input: UserInput, current: String?) throws -> String {
        switch input {
        case .clear:
            return "null"
        case .typed(let text):
            return try FormValues.typed(q, text)
        case .yesNo(let yes):
            try expect(q, .yesNo)
            return yes ? "true" : "false"
        case .pick(let value):
            try expect(q, .selectOne)
            return JSONValue.quote(try choice(q, value))
        case .toggle(let value, let on):
            try expect(q, .selectMultiple)
            var chosen = Set(JSONValue.parse(current)?.strings ?? [])
            chosen.remove(try choice(q, value))
            if on { chosen.insert(value) }
            // Kept in the order of the choices, so the same selection always saves the same answer.
            return JSONValue.array(q.choices.map(\.value).filter(chosen.contains).map(JSONValue.string)).json
        case .point(let lat, let lon):
            try expect(q, .geopoint)
            return JSONValue.object(["lat": .number(String(lat)), "lon": .number(String(lon))]).json
        }
    }

    private static func choice(_ q: QuestionDef, _ value: String) throws -> String {
        guard q.choices.contains(where: { $0.value == value }) else { throw InputRefused("请从选项中选择") }
        return value
    }

    private static func expect(_ q: QuestionDef, _ kind: QuestionKind) throws {
        if q.kind != kind { throw InputRefused("此项不能这样填写") }
    }

    private static func buildRows(_ definition: FormDefinition, _ view: FormView) -> [FormRow] {
        var out: [FormRow] = []
        var hiddenGroups = Set<String>()
        for qv in view.questions {
            let (groupId, index, id) = splitPath(qv.path)
            if !qv.relevant {
                if groupId == nil { hiddenGroups.insert(id) }
                continue
            }
            if let groupId, hiddenGroups.contains(groupId) { continue }
            guard let q = definition.question(id) else { continue }
            if let groupId, let index, !out.contains(where: { $0.path == "\(groupId)[\(index)]" }) {
                let label = definition.question(groupId)?.label ?? groupId
                out.append(.repeatItem(path: "\(groupId)[\(index)]", groupId: groupId, index: index, title: "\(label)第\(index + 1)项"))
            }
            let problems = qv.problems.map(\.message)
            let previous = FormValues.display(q, qv.caseValueJson).map { "上次记录：\($0)" }
            switch q.kind {
            case .note:
                out.append(.note(path: qv.path, text: q.label))
            case .repeat:
                out.append(.repeatGroup(RepeatRow(
                    path: qv.path,
                    question: q,
                    rowCount: JSONValue.parse(qv.valueJson)?.arrayCount ?? 0,
                    expectedRows: qv.expectedRows.map(Int.init),
                    required: qv.required,
                    previous: previous,
                    problems: problems
                )))
            default:
                let value = JSONValue.parse(qv.valueJson)
                let selected: Set<String>
                switch q.kind {
                case .selectOne: selected = Set(value.map { [$0.text] } ?? [])
                case .selectMultiple: selected = Set(value?.strings ?? [])
                default: selected = []
                }
                out.append(.field(FieldRow(
                    path: qv.path,
                    question: q,
                    required: qv.required,
                    readOnly: qv.calculated,
                    valueJson: qv.valueJson,
                    display: FormValues.display(q, qv.valueJson),
                    editText: FormValues.editText(q, qv.valueJson),
                    selected: selected,
                    previous: previous,
                    problems: problems
                )))
            }
        }
        return out
    }

    /// `group[1].x` → (group, 1, x); `x` → (nil, nil, x).
    public static func splitPath(_ path: String) -> (groupId: String?, index: Int?, id: String) {
        guard let open = path.firstIndex(of: "["), let close = path.firstIndex(of: "]"), open < close,
              path[path.index(after: close)...].hasPrefix("."),
              let index = Int(path[path.index(after: open)..<close])
        else { return (nil, nil, path) }
        let group = String(path[..<open])
        let id = String(path[path.index(close, offsetBy: 2)...])
        guard !group.isEmpty, !id.isEmpty else { return (nil, nil, path) }
        return (group, index, id)
    }

    /// The current screen of a draft, straight from the phone's store.
    public static func load(_ device: RuhuDevice, draftId: String, formId: String, formVersion: UInt32) throws -> FormScreenModel {
        FormScreenModel(
            definition: try FormDefinition.parse(try device.formJson(formId: formId, version: formVersion)),
            view: try device.formState(draftId: draftId),
            answersJson: try device.answersJson(draftId: draftId)
        )
    }
}
