import RuhuKit
import SwiftUI

/// The household and case before the visit: who lives there (ID numbers masked), the case, the due date, the
/// distance from here; then the visit's form.
struct CaseSummaryView: View {
    @ObservedObject var session: RuhuSession
    let assignmentId: String
    @EnvironmentObject var location: LocationService
    @State var item: AssignmentItem?
    @State var members: [Member] = []
    @State var controller: FormDraftController?
    @State var openForm = false
    @State var problem: String?

    var body: some View {
        List {
            if let item {
                Section(header: Text("家庭").font(.headline)) {
                    line("户主", item.headName)
                    line("地址", item.address)
                    line("村（社区）", item.villageName)
                    if let metres = location.distance(toLat: item.householdLat, lon: item.householdLon) {
                        line("距离", distanceText(metres))
                    }
                }
                Section(header: Text("家庭成员（\(members.count) 人）").font(.headline)) {
                    ForEach(members, id: \.self) { member in
                        VStack(alignment: .leading, spacing: 2) {
                            Text("\(member.name)（\(member.relation)）").font(.title3)
                            Text(member.residentIdMasked).foregroundColor(Ui.muted)
                        }
                        .touchTarget()
                    }
                }
                Section(header: Text("案件").font(.headline)) {
                    line("案件编号", item.caseNo)
                    line("救助类型", item.assistanceTypeLabel)
                    line("状态", item.outboxStateLabel ?? item.statusLabel)
                    line("截止日期", item.dueDate)
                    line("调查人员", item.investigators.joined(separator: "、"))
                    if let error = item.outboxError {
                        Text("被退回：\(error)").foregroundColor(Ui.error)
                    }
                }
                if item.status == "assigned" && item.outboxState == nil {
                    Section {
                        Button(item.draftId == nil ? "开始调查" : "继续调查", action: start)
                            .buttonStyle(LargeButtonStyle())
                    }
                }
            }
            if let problem {
                Text(problem).foregroundColor(Ui.error)
            }
        }
        .navigationTitle(item?.headName ?? "案件")
        .onAppear(perform: load)
        .background(NavigationLink(destination: form, isActive: $openForm) { EmptyView() })
    }

    @ViewBuilder private var form: some View {
        if let controller {
            VisitFormScreen(session: session, controller: controller, assignmentId: assignmentId)
        }
    }

    private func line(_ label: String, _ value: String) -> some View {
        HStack(alignment: .top) {
            Text(label).foregroundColor(Ui.muted).frame(width: 96, alignment: .leading)
            Text(value)
        }
        .font(.title3)
        .touchTarget()
    }

    private func load() {
        do {
            item = try session.device.assignment(assignmentId: assignmentId)
            members = try session.device.householdMembers(assignmentId: assignmentId)
        } catch {
            problem = userMessage(error)
        }
    }

    private func start() {
        do {
            let draft = try session.device.startDraft(assignmentId: assignmentId)
            controller = try FormDraftController(device: session.device, draftId: draft.id, formId: draft.formId, formVersion: draft.formVersion)
            openForm = true
        } catch {
            problem = userMessage(error)
        }
    }
}
