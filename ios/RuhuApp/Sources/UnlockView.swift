import LocalAuthentication
import RuhuKit
import SwiftUI

/// Opens the app without network: the 6-digit PIN, or Face ID / Touch ID where the phone has it.
struct UnlockView: View {
    @EnvironmentObject var app: AppModel
    @State var pin = ""
    @State var problem: String?

    var body: some View {
        VStack(alignment: .leading, spacing: Ui.spacing * 1.5) {
            Text("解锁").font(.largeTitle.bold())
            if let name = app.session?.user?.displayName {
                Text("\(name)，请输入离线解锁密码").font(.title3)
            }
            LabelledField(label: "离线解锁密码", placeholder: "6 位数字", text: $pin, secure: true, keyboard: .numberPad)
            if let problem {
                Text(problem).font(.body).foregroundColor(Ui.error)
            }
            Button("解锁", action: checkPin).buttonStyle(LargeButtonStyle())
            if biometryAvailable {
                Button(biometryLabel, action: useBiometry).buttonStyle(LargeButtonStyle(prominent: false))
            }
            Button("使用账号密码重新登录") { Task { await app.logout() } }
                .buttonStyle(LargeButtonStyle(prominent: false))
            Spacer()
        }
        .padding(20)
        .onAppear { if biometryAvailable { useBiometry() } }
    }

    private func checkPin() {
        if app.pins.check(pin) {
            app.unlocked()
        } else if app.pins.attemptsLeft == 0 {
            Task { await app.logout() }
        } else {
            problem = "密码不正确，还可以再试 \(app.pins.attemptsLeft) 次"
            pin = ""
        }
    }

    private var biometryAvailable: Bool {
        LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
    }

    private var biometryLabel: String {
        let context = LAContext()
        _ = context.canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
        return context.biometryType == .faceID ? "使用面容 ID 解锁" : "使用指纹解锁"
    }

    private func useBiometry() {
        LAContext().evaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, localizedReason: "解锁入户调查") { ok, _ in
            if ok { Task { @MainActor in app.unlocked() } }
        }
    }
}
