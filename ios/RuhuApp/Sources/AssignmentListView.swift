import RuhuKit
import SwiftUI

/// The day's plan: by village (pinyin order), refused visits first, then open ones by due date; the sync state on
/// top, the distance to each household from the phone's position, and each case's stage and next deadline.
struct AssignmentListView: View {
    @ObservedObject var session: RuhuSession
    @EnvironmentObject var app: AppModel
    @EnvironmentObject var location: LocationService
    @State var plan: [VillageGroup] = []
    @State var problem: String?

    var body: some View {
        List {
            Section {
                SyncBanner(session: session)
            }
            if let problem {
                Text(problem).foregroundColor(Ui.error)
            }
            if plan.isEmpty {
                Text("暂无入户任务，请同步后查看").font(.title3).foregroundColor(Ui.muted).touchTarget()
            }
            ForEach(plan) { group in
                Section(header: Text("\(group.village)（待访 \(group.openCount) 户）").font(.title3.bold()).foregroundColor(Ui.accent)) {
                    ForEach(group.rows) { row in
                        NavigationLink(destination: CaseSummaryView(session: session, assignmentId: row.item.id)) {
                            AssignmentRowView(row: row, distance: location.distance(toLat: row.item.householdLat, lon: row.item.householdLon))
                        }
                    }
                }
            }
        }
        .listStyle(.insetGrouped)
        .navigationTitle("入户任务")
        .refreshable { await syncAndReload() }
        .onAppear {
            location.start()
            reload()
        }
        .onReceive(session.$syncState) { state in
            if case .finished = state { reload() }
        }
    }

    private func reload() {
        do {
            plan = try session.plan()
            problem = nil
        } catch {
            problem = userMessage(error)
        }
    }

    private func syncAndReload() async {
        let end = await session.sync()
        app.handle(end)
        reload()
    }
}

struct AssignmentRowView: View {
    let row: AssignmentRow
    let distance: Double?

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                Text(row.item.headName).font(.title3.bold())
                Text(row.item.assistanceTypeLabel).font(.body).foregroundColor(Ui.muted)
                Spacer()
                if let distance {
                    Text("距您约 \(distanceText(distance))").font(.body).foregroundColor(Ui.muted)
                }
            }
            Text(row.item.address).font(.body)
            Text(row.statusLine)
                .font(.body)
                .foregroundColor(row.refused || row.overdue ? Ui.error : Ui.muted)
            if let stage = row.stageLine {
                Text(stage).font(.body).foregroundColor(Ui.muted)
            }
            if let deadline = row.deadlineLine {
                Text(deadline).font(.body).foregroundColor(colour(of: row.deadlineUrgency))
            }
        }
        .padding(.vertical, 6)
        .touchTarget()
    }

    private func colour(of urgency: DeadlineUrgency?) -> Color {
        switch urgency {
        case .overdue: return Ui.error
        case .dueSoon: return Ui.warning
        case .onTime, nil: return Ui.ink
        }
    }
}
