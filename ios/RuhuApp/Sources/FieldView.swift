import RuhuKit
import SwiftUI

/// A question of any kind of the forms engine, with its label, the case's previous value and its problems.
struct FieldView: View {
    let field: FieldRow
    @ObservedObject var controller: FormDraftController
    @ObservedObject var session: RuhuSession

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text(field.required ? "\(field.label)（必填）" : field.label).font(.title3.bold())
            if let hint = field.question.hint {
                Text(hint).foregroundColor(Ui.muted)
            }
            input
            if let previous = field.previous {
                Text(previous).foregroundColor(Ui.muted)
            }
        }
        .problems(field.problems + [controller.refusals[field.path]].compactMap { $0 })
    }

    @ViewBuilder private var input: some View {
        if field.readOnly {
            Text(field.display ?? "（待计算）").font(.title3).touchTarget()
        } else {
            switch field.kind {
            case .text, .integer, .decimal, .money, .date:
                TypedField(field: field) { controller.edit(field.path, .typed($0)) }
            case .yesNo:
                ChoiceList(options: [ChoiceOption("true", "是"), ChoiceOption("false", "否")], selected: field.yesNoSelection) { value, _ in
                    controller.edit(field.path, .yesNo(value == "true"))
                }
            case .selectOne:
                ChoiceList(options: field.question.choices.map { ChoiceOption($0.value, $0.label) }, selected: field.selected) { value, _ in
                    controller.edit(field.path, .pick(value))
                }
            case .selectMultiple:
                ChoiceList(options: field.question.choices.map { ChoiceOption($0.value, $0.label) }, selected: field.selected, multiple: true) { value, on in
                    controller.edit(field.path, .toggle(value, on: on))
                }
            case .geopoint:
                GeopointField(field: field, controller: controller, session: session)
            case .photo:
                PhotoField(field: field, controller: controller, session: session)
            case .signature:
                SignatureField(field: field, controller: controller, session: session)
            case .note, .repeat:
                EmptyView()
            }
        }
    }
}

private extension FieldRow {
    /// 是/否 as the values ("true", "false") of a two-choice list.
    var yesNoSelection: Set<String> {
        valueJson.map { [$0] } ?? []
    }
}

/// A text box for text, integer, decimal, money (in yuan) and date; saves on 完成 and when it loses focus.
struct TypedField: View {
    let field: FieldRow
    let save: (String) -> Void
    @State var text = ""
    @FocusState var focused: Bool

    var body: some View {
        TextField(placeholder, text: $text)
            .font(.title3)
            .keyboardType(keyboard)
            .focused($focused)
            .submitLabel(.done)
            .onSubmit { save(text) }
            .onChange(of: focused) { isFocused in
                if !isFocused && text != field.editText { save(text) }
            }
            .onAppear { text = field.editText }
            .onChange(of: field.editText) { text = $0 }
            .padding(.horizontal, 12)
            .touchTarget()
            .overlay(RoundedRectangle(cornerRadius: 8).stroke(Color(.systemGray3)))
    }

    private var placeholder: String {
        switch field.kind {
        case .money: return "金额（元）"
        case .date: return "年-月-日"
        case .integer: return "整数"
        case .decimal: return "数字"
        default: return "请填写"
        }
    }

    private var keyboard: UIKeyboardType {
        switch field.kind {
        case .integer: return .numberPad
        case .money, .decimal: return .decimalPad
        case .date: return .numbersAndPunctuation
        default: return .default
        }
    }
}

struct ChoiceOption: Identifiable {
    let value: String
    let label: String
    var id: String { value }

    init(_ value: String, _ label: String) {
        self.value = value
        self.label = label
    }
}

/// Large radio buttons (one choice) or check boxes (several).
struct ChoiceList: View {
    let options: [ChoiceOption]
    let selected: Set<String>
    var multiple = false
    let choose: (String, Bool) -> Void

    var body: some View {
        VStack(spacing: 8) {
            ForEach(options) { option in
                let on = selected.contains(option.value)
                Button {
                    choose(option.value, !on)
                } label: {
                    HStack {
                        Image(systemName: multiple ? (on ? "checkmark.square.fill" : "square") : (on ? "largecircle.fill.circle" : "circle"))
                            .font(.title2)
                        Text(option.label).font(.title3)
                        Spacer()
                    }
                    .padding(.horizontal, 12)
                    .touchTarget()
                    .background(on ? Ui.accent.opacity(0.12) : Color.clear)
                    .overlay(RoundedRectangle(cornerRadius: 8).stroke(on ? Ui.accent : Color(.systemGray3)))
                }
                .foregroundColor(Ui.ink)
            }
        }
    }
}
