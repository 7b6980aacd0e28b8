import Foundation
import RuhuMobile

/// Progress of a running sync. `bytesTotal` grows as each file starts uploading (the core announces a file's size
/// with its first chunk).
public struct SyncProgress: Equatable {
    public var pagesDone = 0
    public var changesApplied = 0
    public var filesStarted = 0
    public var bytesSent: Int64 = 0
    public var bytesTotal: Int64 = 0

    public init() {}

    /// Share of the bytes known so far that are sent; nil before any upload (downloads have no known total).
    public var uploadFraction: Double? {
        bytesTotal > 0 ? Double(bytesSent) / Double(bytesTotal) : nil
    }
}

/// What the sync banner shows.
public enum SyncState: Equatable {
    case idle
    case running(SyncProgress)
    case finished(SyncSummary)
    case failed(reason: SyncFailure, code: String, message: String)

    /// The banner's line, in Chinese.
    public var banner: String {
        switch self {
        case .idle:
            return "尚未同步"
        case .running(let p):
            var parts = ["正在同步"]
            if p.bytesTotal > 0 { parts.append("已上传 \(megabytes(p.bytesSent)) / \(megabytes(p.bytesTotal)) MB") }
            if p.pagesDone > 0 { parts.append("已下载 \(p.pagesDone) 页，更新 \(p.changesApplied) 条") }
            return parts.joined(separator: "，")
        case .finished(let s):
            let refused = s.rejected.isEmpty ? "" : "，\(s.rejected.count) 份被退回"
            return "同步完成：上传 \(s.pushed) 份调查\(refused)，更新 \(s.changesApplied) 条"
        case .failed(_, _, let message):
            return message
        }
    }
}

private func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f", Double(bytes) / 1_000_000)
}

/// How the app reacts to a failed sync.
public enum SyncFailure: Equatable {
    /// No network: keep working, try later. Nothing was lost.
    case offline
    /// The session ended: show the login screen; local work stays.
    case notLoggedIn
    /// The device or account was revoked and local data is already wiped: show the login screen with the message.
    case revoked
    /// Stopped by the user; the next sync resumes where this one stopped.
    case cancelled
    /// Anything else: show the message.
    case other
}

private let codeCancelled = "cancelled"

extension RuhuError {
    /// The zh-CN message of any error from the core.
    public var userMessage: String {
        switch self {
        case .WrongKey(_, let message), .Revoked(_, let message), .Offline(_, let message), .NotLoggedIn(_, let message):
            return message
        case .Validation(_, let message, _), .Failed(_, let message, _), .Internal(let message):
            return message
        }
    }

    func toFailed() -> SyncState {
        switch self {
        case .Offline(let code, let message): return .failed(reason: .offline, code: code, message: message)
        case .NotLoggedIn(let code, let message): return .failed(reason: .notLoggedIn, code: code, message: message)
        case .Revoked(let code, let message): return .failed(reason: .revoked, code: code, message: message)
        case .Failed(let code, let message, _):
            return .failed(reason: code == codeCancelled ? .cancelled : .other, code: code, message: message)
        case .WrongKey(let code, let message), .Validation(let code, let message, _):
            return .failed(reason: .other, code: code, message: message)
        case .Internal(let message):
            return .failed(reason: .other, code: "internal", message: message)
        }
    }
}

/// The zh-CN message of any error a RuhuKit call throws.
public func userMessage(_ error: Error) -> String {
    switch error {
    case let e as RuhuError: return e.userMessage
    case let e as KeyStoreError:
        if case .Unavailable(let message) = e { return message }
        return "本机数据密钥不可用"
    case let e as InputRefused: return e.message
    case let e as LocalizedError where e.errorDescription != nil: return e.errorDescription ?? ""
    default: return "操作失败，请重试"
    }
}

/// Turns the core's progress callbacks (on a Rust worker thread) into `SyncProgress` updates handed to `onChange`,
/// which must hop to the main actor itself.
final class SyncProgressTracker: SyncListener, @unchecked Sendable {
    private let lock = NSLock()
    private var progress = SyncProgress()
    private var files: [String: (sent: Int64, total: Int64)] = [:]
    private let observer: SyncListener?
    private let onChange: @Sendable (SyncProgress) -> Void

    init(observer: SyncListener?, onChange: @escaping @Sendable (SyncProgress) -> Void) {
        self.observer = observer
        self.onChange = onChange
    }

    func onPage(pagesDone: UInt32, changesApplied: UInt32) {
        update { p in
            p.pagesDone = Int(pagesDone)
            p.changesApplied = Int(changesApplied)
        }
        observer?.onPage(pagesDone: pagesDone, changesApplied: changesApplied)
    }

    func onUploadChunk(sha256: String, bytesSent: UInt64, totalBytes: UInt64) {
        update { p in
            files[sha256] = (Int64(clamping: bytesSent), Int64(clamping: totalBytes))
            p.filesStarted = files.count
            p.bytesSent = files.values.reduce(0) { $0 + $1.sent }
            p.bytesTotal = files.values.reduce(0) { $0 + $1.total }
        }
        observer?.onUploadChunk(sha256: sha256, bytesSent: bytesSent, totalBytes: totalBytes)
    }

    private func update(_ change: (inout SyncProgress) -> Void) {
        lock.lock()
        change(&progress)
        let snapshot = progress
        lock.unlock()
        onChange(snapshot)
    }
}
