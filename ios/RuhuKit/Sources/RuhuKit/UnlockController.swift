import Foundation
import RuhuMobile

/// The PIN pad's model: which step it is on (choose a PIN twice, or enter it), the digits typed so far and the
/// Chinese message under the dots. The rules (PIN form, Argon2id hash in the encrypted store, attempt count,
/// lock-out) are the core's (`checkNewPin`, `RuhuDevice.unlockStatus/setPin/unlockWithPin/unlockedByBiometric/
/// forgetPin`); this only collects digits and says what happened. Mirrors the Kotlin `UnlockController`.
@MainActor
public final class UnlockController: ObservableObject {
    /// What the screen does next.
    public enum Next: Equatable {
        case stay
        case unlocked
        case login
    }

    @Published public private(set) var step: UnlockStep = .login
    @Published public private(set) var entered = ""
    @Published public private(set) var message: String?
    /// True when `message` is a refusal (shown in red), false for guidance.
    @Published public private(set) var messageIsError = false
    @Published public private(set) var pinLength = 6
    /// True while a complete PIN is being checked (Argon2, about 0.1 s on a cheap phone): keys do nothing meanwhile.
    @Published public private(set) var busy = false

    private let session: RuhuSession
    private var firstChoice: String?

    public init(session: RuhuSession) {
        self.session = session
        reload()
    }

    public var title: String {
        switch step {
        case .login: return "请联网登录"
        case .choosePin: return firstChoice == nil ? "请设置 \(pinLength) 位 PIN 码" : "请再次输入 PIN 码"
        case .enterPin: return "请输入 PIN 码"
        }
    }

    /// Dots for the typed digits: ●●●○○○ (all filled while the PIN is checked).
    public var dots: String {
        let filled = busy ? pinLength : entered.count
        return String(repeating: "●", count: filled) + String(repeating: "○", count: max(0, pinLength - filled))
    }

    /// Biometrics stand in for the PIN only where the PIN pad would be shown.
    public var biometricAllowed: Bool { step == .enterPin }

    /// One key of the pad; the digit that completes the PIN sends it to the core, off the main thread.
    public func digit(_ d: Int) async -> Next {
        guard (0...9).contains(d), !busy else { return .stay }
        if step == .login || entered.count >= pinLength { return step == .login ? .login : .stay }
        entered += String(d)
        guard entered.count == pinLength else { return .stay }
        let pin = entered
        entered = ""
        busy = true
        defer { busy = false }
        return await guarded {
            switch self.step {
            case .login: return .login
            case .choosePin: return try await self.choose(pin)
            case .enterPin: return try await self.enter(pin)
            }
        }
    }

    public func delete() {
        guard !busy, !entered.isEmpty else { return }
        entered.removeLast()
    }

    /// The platform's biometric prompt (Face ID / Touch ID) recognised the owner.
    public func biometricSucceeded() async -> Next {
        await guarded {
            try self.session.device.unlockedByBiometric()
            return .unlocked
        }
    }

    /// 忘记 PIN 码: the PIN and the session go, the next step is an online login; local work stays.
    public func forgotPin() async -> Next {
        guard !busy else { return .stay }
        return await guarded {
            try self.session.device.forgetPin()
            self.session.sessionEnded()
            self.reload()
            self.message = nil
            return .login
        }
    }

    private func choose(_ pin: String) async throws -> Next {
        guard let first = firstChoice else {
            try checkNewPin(pin: pin)
            firstChoice = pin
            say("请再输入一次，确认 PIN 码", error: false)
            return .stay
        }
        firstChoice = nil
        guard first == pin else {
            say("两次输入的 PIN 码不一致，请重新设置", error: true)
            return .stay
        }
        let device = session.device
        try await Task.detached(priority: .userInitiated) { try device.setPin(pin: pin) }.value
        return .unlocked
    }

    private func enter(_ pin: String) async throws -> Next {
        let device = session.device
        let attempt = try await Task.detached(priority: .userInitiated) { try device.unlockWithPin(pin: pin) }.value
        switch attempt.result {
        case .unlocked:
            return .unlocked
        case .wrongPin:
            say(attempt.message, error: true)
            return .stay
        case .lockedOut:
            session.sessionEnded()
            reload()
            say(attempt.message, error: true)
            return .login
        }
    }

    private func reload() {
        entered = ""
        firstChoice = nil
        do {
            let status = try session.device.unlockStatus()
            step = status.step
            pinLength = Int(status.pinLength)
        } catch {
            // A store that cannot say (closed, wiped): only an online login helps.
            step = .login
            say(userMessage(error), error: true)
        }
    }

    private func say(_ text: String, error: Bool) {
        message = text
        messageIsError = error
    }

    private func guarded(_ body: () async throws -> Next) async -> Next {
        do {
            return try await body()
        } catch let e as RuhuError {
            say(e.userMessage, error: true)
            switch e {
            case .NotLoggedIn, .Revoked:
                session.sessionEnded()
                reload()
                return .login
            default:
                return .stay
            }
        } catch {
            say(userMessage(error), error: true)
            return .stay
        }
    }
}
