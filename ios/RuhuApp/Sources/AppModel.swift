import Foundation
import RuhuKit
import UIKit

/// Where the app is: no store yet (log in), a store whose user must choose a PIN or unlock it, or the work screens.
enum AppPhase: Equatable {
    case login
    case locked
    case ready
}

/// Opens the phone's store at start-up and owns the session for every screen.
@MainActor
final class AppModel: ObservableObject {
    @Published private(set) var phase: AppPhase = .login
    @Published private(set) var session: RuhuSession?
    /// A message for the login screen: a revoked device, a store that could not be opened.
    @Published var notice: String?

    let keys = KeychainKeyStore()
    private let defaults = UserDefaults.standard

    init() {
        guard let server = defaults.string(forKey: Keys.serverUrl) else { return }
        do {
            let session = try RuhuSession.open(settings: settings(serverUrl: server), keys: keys)
            self.session = session
            phase = unlockStep(session) == .login ? .login : .locked
        } catch {
            // A key that no longer opens the store (a restored backup, a reset Keychain): start again from login.
            notice = userMessage(error)
        }
    }

    /// Opens (or reopens) the store for `serverUrl`, then logs in; a user without a PIN on this phone chooses one next.
    func login(serverUrl: String, username: String, password: String) async throws {
        if session == nil || defaults.string(forKey: Keys.serverUrl) != serverUrl {
            session = try RuhuSession.open(settings: settings(serverUrl: serverUrl), keys: keys)
            defaults.set(serverUrl, forKey: Keys.serverUrl)
        }
        guard let session else { return }
        try await session.login(username: username, password: password)
        notice = nil
        phase = unlockStep(session) == .choosePin ? .locked : .ready
    }

    func unlocked() {
        phase = .ready
    }

    /// The PIN pad ended the session (忘记 PIN 码, five wrong PINs): its message stays on the login screen.
    func needsLogin(_ message: String?) {
        notice = message
        phase = .login
    }

    /// Locks when the app goes to the background; the store stays open for sync.
    func lock() {
        if phase == .ready, let session, unlockStep(session) == .enterPin { phase = .locked }
    }

    func logout() async {
        try? await session?.logout()
        phase = .login
    }

    /// Deletes the store (with the PIN's hash), photos, signatures, the wrapped key and the Keychain wrapping key.
    func wipe(reason: String? = nil) {
        try? session?.wipe()
        keys.forget()
        session = nil
        defaults.removeObject(forKey: Keys.serverUrl)
        notice = reason
        phase = .login
    }

    /// After a sync: a revoked device is already wiped by the core; a lost session asks for the password again.
    func handle(_ state: SyncState) {
        guard case .failed(let reason, _, let message) = state else { return }
        switch reason {
        case .revoked: wipe(reason: message)
        case .notLoggedIn:
            notice = message
            phase = .login
        default: break
        }
    }

    var serverUrl: String? { defaults.string(forKey: Keys.serverUrl) }

    /// The core's answer to "what does the phone show": login, choose a PIN, or the PIN pad.
    private func unlockStep(_ session: RuhuSession) -> UnlockStep {
        (try? session.device.unlockStatus().step) ?? .login
    }

    private func settings(serverUrl: String) throws -> DeviceSettings {
        DeviceSettings(
            dataDir: try dataDirectory().path,
            serverUrl: serverUrl,
            deviceId: deviceId(),
            deviceName: UIDevice.current.name,
            appVersion: Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "0"
        )
    }

    /// Application Support/ruhu, excluded from iCloud and iTunes backups (the wrapped key is useless elsewhere).
    private func dataDirectory() throws -> URL {
        var dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("ruhu", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        return dir
    }

    /// Stable per installation.
    private func deviceId() -> String {
        if let id = defaults.string(forKey: Keys.deviceId) { return id }
        let id = UUID().uuidString.lowercased()
        defaults.set(id, forKey: Keys.deviceId)
        return id
    }

    private enum Keys {
        static let serverUrl = "ruhu.serverUrl"
        static let deviceId = "ruhu.deviceId"
    }
}
