import Foundation
import RuhuMobile

/// The app's view of one phone's store: who is logged in, the day's plan, and the sync state the screens observe.
/// Screens call `device` directly for the visit itself (drafts, answers, photos, signatures).
@MainActor
public final class RuhuSession: ObservableObject {
    public let device: RuhuDevice

    /// Nil when logged out, and after a revocation wiped the phone.
    @Published public private(set) var user: User?
    @Published public private(set) var syncState: SyncState = .idle

    /// The sync in flight, so that a second one waits for it and `cancelSync` can reach it.
    private var lastSync: Task<SyncState, Never>?
    private var running: SyncHandle?

    private init(device: RuhuDevice) {
        self.device = device
        self.user = try? device.currentUser()
    }

    /// Opens the encrypted store. Throws `RuhuError.WrongKey` when `keys` cannot open it (nothing is changed; the
    /// app offers to wipe and log in again).
    public static func open(settings: DeviceSettings, keys: KeyStore) throws -> RuhuSession {
        RuhuSession(device: try RuhuDevice.open(settings: settings, keys: keys))
    }

    @discardableResult
    public func login(username: String, password: String) async throws -> User {
        let user = try await device.login(username: username, password: password)
        self.user = user
        return user
    }

    public func logout() async throws {
        try await device.logout()
        user = nil
    }

    /// The core dropped the session (forgotten PIN, lock-out, revocation): the screens go back to the login.
    func sessionEnded() {
        user = nil
    }

    public func plan(today: CalendarDate = CalendarDate(iso: todayInChina()) ?? .today()) throws -> [VillageGroup] {
        AssignmentPlan.group(try device.assignments(), today: today)
    }

    /// Pushes finished visits with their photos and pulls changes; the progress shows in `syncState`. One sync at
    /// a time: a second call waits for the first and then syncs again. Never throws for sync failures: they end in
    /// `.failed`. `observer` also gets every raw callback, on a Rust thread.
    @discardableResult
    public func sync(observer: SyncListener? = nil) async -> SyncState {
        let previous = lastSync
        let task = Task { @MainActor () -> SyncState in
            _ = await previous?.value
            return await self.runSync(observer: observer)
        }
        lastSync = task
        // The screen went away: stop the sync too rather than leave it running unobserved.
        return await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Stops the running sync at the next page or chunk; it ends as `.failed(reason: .cancelled, …)`.
    public func cancelSync() {
        running?.cancel()
    }

    /// Deletes everything this phone holds (store, photos, signatures, wrapped key). The session is unusable afterwards.
    public func wipe() throws {
        running?.cancel()
        try device.wipe()
        user = nil
        syncState = .idle
    }

    private func runSync(observer: SyncListener?) async -> SyncState {
        if Task.isCancelled { return syncState }
        syncState = .running(SyncProgress())
        // Holds the session only while the sync runs (the core drops the listener at the end).
        let tracker = SyncProgressTracker(observer: observer) { progress in
            Task { @MainActor in
                guard case .running = self.syncState else { return }
                self.syncState = .running(progress)
            }
        }
        let handle = device.startSync(listener: tracker)
        running = handle
        let end: SyncState
        do {
            let summary = try await withTaskCancellationHandler {
                try await handle.wait()
            } onCancel: {
                handle.cancel()
            }
            end = .finished(summary)
        } catch let error as RuhuError {
            end = error.toFailed()
        } catch {
            end = .failed(reason: .other, code: "internal", message: userMessage(error))
        }
        running = nil
        if case .failed(let reason, _, _) = end, reason == .revoked || reason == .notLoggedIn {
            user = nil
        }
        syncState = end
        return end
    }
}
