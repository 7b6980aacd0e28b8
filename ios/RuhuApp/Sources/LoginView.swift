import RuhuKit
import SwiftUI

/// Server address, user, password (checked by `LoginForm` before the network), and the offline PIN on first login.
struct LoginView: View {
    @EnvironmentObject var app: AppModel
    @State var server = ""
    @State var username = ""
    @State var password = ""
    @State var pin = ""
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
                if !app.pins.isSet {
                    LabelledField(label: "离线解锁密码", placeholder: "6 位数字，没有网络时用它打开", text: $pin, secure: true, keyboard: .numberPad)
                }
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
            let newPin = app.pins.isSet ? nil : pin
            if let newPin, let pinProblem = PinStore.problem(newPin) {
                problem = pinProblem
                return
            }
            problem = nil
            busy = true
            Task {
                defer { busy = false }
                do {
                    try await app.login(serverUrl: serverUrl, username: user, password: secret, pin: newPin)
                } catch {
                    problem = userMessage(error)
                }
            }
        }
    }
}
