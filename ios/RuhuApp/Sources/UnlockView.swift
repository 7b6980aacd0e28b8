import LocalAuthentication
import RuhuKit
import SwiftUI

/// The PIN pad (same as Android's): large keys, dots for the digits typed, the core's Chinese message under them
/// ("PIN 码错误，还可尝试 3 次"), Face ID / Touch ID where the phone has it, and 忘记 PIN 码. Also where a new PIN is
/// chosen (twice) after the first login. The rules are the core's, through `UnlockController`.
@MainActor
struct UnlockView: View {
    @EnvironmentObject var app: AppModel
    @StateObject private var controller: UnlockController

    init(session: RuhuSession) {
        _controller = StateObject(wrappedValue: UnlockController(session: session))
    }

    private let rows = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]]
    private static let keySize: CGFloat = 72

    var body: some View {
        VStack(spacing: Ui.spacing * 1.5) {
            Text(controller.title).font(.title.bold()).multilineTextAlignment(.center)
            Text(controller.dots).font(.system(size: 32)).kerning(8)
            Text(controller.message ?? " ")
                .font(.body)
                .foregroundColor(controller.messageIsError ? Ui.error : Ui.accent)
                .multilineTextAlignment(.center)
            VStack(spacing: 12) {
                ForEach(rows, id: \.self) { row in
                    HStack(spacing: 12) {
                        ForEach(row, id: \.self) { label in
                            key(label) { press(Int(label) ?? 0) }
                        }
                    }
                }
                HStack(spacing: 12) {
                    key(biometryLabel, small: true) { useBiometry() }
                        .opacity(offersBiometry ? 1 : 0)
                        .disabled(!offersBiometry)
                    key("0") { press(0) }
                    key("删除", small: true) { controller.delete() }
                }
            }
            Button("忘记 PIN 码，重新登录") {
                Task { leave(await controller.forgotPin()) }
            }
            .buttonStyle(LargeButtonStyle(prominent: false))
            .disabled(controller.busy)
            Spacer()
        }
        .padding(20)
        .onAppear { if offersBiometry { useBiometry() } }
    }

    private func key(_ label: String, small: Bool = false, action: @escaping () -> Void) -> some View {
        Button(action: action) {
            Text(label)
                .font(small ? .title3 : .system(size: 28, weight: .medium))
                .frame(width: Self.keySize, height: Self.keySize)
                .foregroundColor(Ui.ink)
                .background(Color(.systemGray5))
                .clipShape(Circle())
        }
        .disabled(controller.busy)
    }

    private func press(_ digit: Int) {
        Task { leave(await controller.digit(digit)) }
    }

    private func leave(_ next: UnlockController.Next) {
        switch next {
        case .stay: break
        case .unlocked: app.unlocked()
        case .login: app.needsLogin(controller.message)
        }
    }

    /// Only where the PIN pad is shown (not while choosing a PIN) and the phone has enrolled Face ID / Touch ID.
    private var offersBiometry: Bool {
        controller.biometricAllowed && LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
    }

    private var biometryLabel: String {
        let context = LAContext()
        _ = context.canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
        return context.biometryType == .faceID ? "面容" : "指纹"
    }

    private func useBiometry() {
        guard !controller.busy else { return }
        LAContext().evaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, localizedReason: "解锁入户调查") { ok, _ in
            guard ok else { return }
            Task { @MainActor in leave(await controller.biometricSucceeded()) }
        }
    }
}
