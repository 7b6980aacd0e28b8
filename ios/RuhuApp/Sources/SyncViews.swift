import RuhuKit
import SwiftUI

/// The one-line sync state on top of the assignment list.
struct SyncBanner: View {
    @ObservedObject var session: RuhuSession

    var body: some View {
        HStack(spacing: Ui.spacing) {
            if case .running = session.syncState {
                ProgressView()
            }
            Text(session.syncState.banner)
                .font(.body)
                .foregroundColor(isFailure ? Ui.error : Ui.ink)
        }
        .touchTarget()
    }

    private var isFailure: Bool {
        if case .failed = session.syncState { return true }
        return false
    }
}

/// Sync with a real progress bar (per uploaded byte and per downloaded page), cancel, the outbox and what the server
/// refused.
struct SyncScreen: View {
    @ObservedObject var session: RuhuSession
    @EnvironmentObject var app: AppModel
    @State var outbox: [OutboxItem] = []
    @State var problem: String?

    var body: some View {
        List {
            Section {
                Text(session.syncState.banner).font(.title3)
                if case .running(let progress) = session.syncState {
                    if let fraction = progress.uploadFraction {
                        ProgressView(value: fraction) {
                            Text("上传照片和签名：\(progress.filesStarted) 个文件")
                        }
                    } else {
                        ProgressView { Text("已下载 \(progress.pagesDone) 页") }
                    }
                    Button("取消同步") { session.cancelSync() }
                        .buttonStyle(LargeButtonStyle(prominent: false))
                } else {
                    Button("立即同步") { Task { await sync() } }
                        .buttonStyle(LargeButtonStyle())
                }
                if case .finished(let summary) = session.syncState {
                    ForEach(summary.rejected, id: \.submissionId) { rejection in
                        Text("被退回：\(rejection.message)").foregroundColor(Ui.error)
                    }
                }
            }
            Section(header: Text("待上传").font(.headline)) {
                if outbox.isEmpty {
                    Text("没有待上传的调查").foregroundColor(Ui.muted).touchTarget()
                }
                ForEach(outbox, id: \.submissionId) { item in
                    VStack(alignment: .leading, spacing: 4) {
                        Text(item.stateLabel).font(.title3)
                        if let error = item.lastError {
                            Text(error).foregroundColor(Ui.error)
                        }
                    }
                    .touchTarget()
                }
            }
            if let problem {
                Text(problem).foregroundColor(Ui.error)
            }
        }
        .navigationTitle("同步")
        .onAppear(perform: reload)
        .onReceive(session.$syncState) { _ in reload() }
    }

    private func sync() async {
        app.handle(await session.sync())
    }

    private func reload() {
        do {
            outbox = try session.device.outbox()
        } catch {
            problem = userMessage(error)
        }
    }
}
