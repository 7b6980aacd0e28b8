@testable import RuhuKit
import XCTest

final class SyncStateTests: XCTestCase {
    func testProgressAddsUpEveryFileAndEveryPage() {
        let seen = Recorded()
        let tracker = SyncProgressTracker(observer: nil) { seen.add($0) }
        tracker.onUploadChunk(sha256: "a", bytesSent: 500_000, totalBytes: 1_000_000)
        tracker.onUploadChunk(sha256: "b", bytesSent: 300_000, totalBytes: 1_000_000)
        tracker.onUploadChunk(sha256: "a", bytesSent: 1_000_000, totalBytes: 1_000_000)
        tracker.onPage(pagesDone: 2, changesApplied: 37)
        let last = seen.last ?? SyncProgress()
        XCTAssertEqual(last.filesStarted, 2)
        XCTAssertEqual(last.bytesSent, 1_300_000)
        XCTAssertEqual(last.bytesTotal, 2_000_000)
        XCTAssertEqual(last.uploadFraction, 0.65)
        XCTAssertEqual(SyncState.running(last).banner, "正在同步，已上传 1.3 / 2.0 MB，已下载 2 页，更新 37 条")
    }

    func testEachFailureTellsTheAppHowToReact() {
        XCTAssertEqual(RuhuError.Offline(code: "network", message: "无法连接服务器").toFailed(), .failed(reason: .offline, code: "network", message: "无法连接服务器"))
        XCTAssertEqual(RuhuError.Revoked(code: "device_revoked", message: "本机已被停用").toFailed(), .failed(reason: .revoked, code: "device_revoked", message: "本机已被停用"))
        XCTAssertEqual(RuhuError.Failed(code: "cancelled", message: "同步已取消", field: nil).toFailed(), .failed(reason: .cancelled, code: "cancelled", message: "同步已取消"))
        XCTAssertEqual(RuhuError.Internal(message: "内部错误").toFailed(), .failed(reason: .other, code: "internal", message: "内部错误"))
        XCTAssertEqual(SyncState.failed(reason: .offline, code: "network", message: "无法连接服务器").banner, "无法连接服务器")
    }
}

/// Progress updates as the tracker hands them over (from any thread).
private final class Recorded: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [SyncProgress] = []

    func add(_ progress: SyncProgress) {
        lock.lock()
        all.append(progress)
        lock.unlock()
    }

    var last: SyncProgress? {
        lock.lock()
        defer { lock.unlock() }
        return all.last
    }
}
