import RuhuKit
import SwiftUI

/// Server address, user, password (checked by `LoginForm` before the network). The PIN is chosen next, on the PIN pad.
struct LoginView: View {
    @EnvironmentObject var app: AppModel
    @State var server = ""
    @State var username = ""
    @State var password = ""
    @State var problem: String?
    @State var busy = false

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Ui.spacing * 1.5) {
                Text("入户调查").font(.largeTitle.bold())
                Text("社会救助入户调查（离线可用）").font(.body).foregroundColor(Ui.muted)
                if let notice = app.notice {
                    Text(notice).font(.body).foregroundColor(Ui.error)
                }
                LabelledField(label: "服务器地址", placeholder: "如 https://ruhu.huaxi.gov.cn", text: $server, keyboard: .URL)
                LabelledField(label: "用户名", placeholder: "工号或用户名", text: $username)
                LabelledField(label: "密码", placeholder: "密码", text: $password, secure: true)
                if let problem {
                    Text(problem).font(.body).foregroundColor(Ui.error)
                }
                Button(action: submit) {
                    if busy { ProgressView().tint(.white) } else { Text("登录") }
                }
                .buttonStyle(LargeButtonStyle())
                .disabled(busy)
            }
            .padding(20)
        }
        .onAppear { server = app.serverUrl ?? server }
    }

    private func submit() {
        switch LoginForm(serverAddress: server, username: username, password: password).check() {
        case .problem(_, let message):
            problem = message
        case .ready(let serverUrl, let user, let secret):
            problem = nil
            busy = true
            Task {
                defer { busy = false }
                do {
                    try await app.login(serverUrl: serverUrl, username: user, password: secret)
                } catch {
                    problem = userMessage(error)
                }
            }
        }
    }
}
