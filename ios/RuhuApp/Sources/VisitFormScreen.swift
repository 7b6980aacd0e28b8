import RuhuKit
import SwiftUI

/// The form renderer: every row of the `FormScreenModel` (relevance, requirement, calculations and problems all
/// decided by the engine in Rust), each edit saved at once.
struct VisitFormScreen: View {
    @ObservedObject var session: RuhuSession
    @StateObject private var controller: FormDraftController
    let assignmentId: String

    init(session: RuhuSession, controller: FormDraftController, assignmentId: String) {
        self.session = session
        self.assignmentId = assignmentId
        _controller = StateObject(wrappedValue: controller)
    }

    var body: some View {
        ScrollView {
            LazyVStack(alignment: .leading, spacing: Ui.spacing * 1.5) {
                if let general = controller.refusals[""] {
                    Text(general).foregroundColor(Ui.error)
                }
                ForEach(controller.model.rows) { row in
                    FormRowView(row: row, controller: controller, session: session)
                    Divider()
                }
                Text(controller.model.complete ? "全部填写完成，可以提交" : "还有 \(controller.model.problems.count) 处需要填写或修改")
                    .font(.title3)
                    .foregroundColor(controller.model.complete ? Ui.ink : Ui.error)
                NavigationLink(destination: ReviewView(session: session, controller: controller, assignmentId: assignmentId)) {
                    Text("检查并提交")
                }
                .buttonStyle(LargeButtonStyle())
            }
            .padding(16)
        }
        .navigationTitle(controller.model.title)
        .navigationBarTitleDisplayMode(.inline)
    }
}

/// One row: a note, a field of any kind, a repeat group's header or one of its items.
struct FormRowView: View {
    let row: FormRow
    @ObservedObject var controller: FormDraftController
    @ObservedObject var session: RuhuSession

    var body: some View {
        switch row {
        case .note(_, let text):
            Text(text).font(.body).foregroundColor(Ui.muted)
        case .field(let field):
            FieldView(field: field, controller: controller, session: session)
        case .repeatGroup(let group):
            VStack(alignment: .leading, spacing: 8) {
                Text(group.question.label).font(.title3.bold())
                Text(group.status).foregroundColor(Ui.muted)
                if let previous = group.previous {
                    Text(previous).foregroundColor(Ui.muted)
                }
                if group.canAdd {
                    Button("添加一项") { controller.apply(controller.model.addRow(group.path)) }
                        .buttonStyle(LargeButtonStyle(prominent: false))
                }
            }
            .problems(group.problems + [controller.refusals[group.path]].compactMap { $0 })
        case .repeatItem(let path, let groupId, let index, let title):
            HStack {
                Text(title).font(.headline)
                Spacer()
                Button("删除此项") { controller.apply(controller.model.removeRow(groupId, index)) }
                    .foregroundColor(Ui.error)
                    .touchTarget()
            }
            .problems([controller.refusals[path]].compactMap { $0 })
        }
    }
}
