import RuhuKit
import XCTest

/// Needs the Keychain (run in the iOS simulator or on a phone, from Xcode) and, for the store test, the real
/// library from the XCFramework.
final class KeychainKeyStoreTests: XCTestCase {
    private var keys: KeychainKeyStore!
    private var dataDir: URL!

    override func setUp() {
        super.setUp()
        keys = KeychainKeyStore(service: "cn.ruhu.tests.\(UUID().uuidString)")
        dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("ruhu-\(UUID().uuidString)")
    }

    override func tearDown() {
        keys.forget()
        try? FileManager.default.removeItem(at: dataDir)
        super.tearDown()
    }

    private func randomKey() -> Data {
        Data((0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    func testWrappingHidesTheKeyAndUnwrappingRestoresIt() throws {
        let key = randomKey()
        let wrapped = try keys.wrapKey(key: key)
        XCTAssertEqual(wrapped.count, 1 + 12 + 32 + 16, "nonce length, 12-byte nonce, key, tag")
        XCTAssertNil(wrapped.range(of: key), "the plain key is not in the wrapped form")
        XCTAssertEqual(try keys.unwrapKey(wrapped: wrapped), key)
        XCTAssertNotEqual(try keys.wrapKey(key: key), wrapped, "a fresh nonce every time")
    }

    func testATamperedTruncatedOrForeignWrappedKeyIsRefused() throws {
        var wrapped = try keys.wrapKey(key: randomKey())
        let truncated = wrapped.prefix(10)
        wrapped[20] ^= 1
        for bad in [wrapped, Data(truncated), Data()] {
            XCTAssertThrowsError(try keys.unwrapKey(wrapped: bad)) { error in
                guard case KeyStoreError.Unavailable(let message)? = error as? KeyStoreError else { return XCTFail("\(error)") }
                XCTAssertTrue(message.hasPrefix("无法解开本机数据密钥"), message)
            }
        }
        let other = KeychainKeyStore(service: "cn.ruhu.tests.other.\(UUID().uuidString)")
        XCTAssertThrowsError(try other.unwrapKey(wrapped: try keys.wrapKey(key: randomKey())))
    }

    private func settings() -> DeviceSettings {
        DeviceSettings(dataDir: dataDir.path, serverUrl: "http://127.0.0.1:9", deviceId: UUID().uuidString, deviceName: "XCTest", appVersion: "test")
    }

    func testTheStoreOpensAgainWithItsKeychainKeyAndNotWithAnother() throws {
        _ = try RuhuDevice.open(settings: settings(), keys: keys)
        _ = try RuhuDevice.open(settings: settings(), keys: keys)
        let stranger = KeychainKeyStore(service: "cn.ruhu.tests.stranger.\(UUID().uuidString)")
        XCTAssertThrowsError(try RuhuDevice.open(settings: settings(), keys: stranger)) { error in
            guard case RuhuError.WrongKey(_, let message)? = error as? RuhuError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.hasPrefix("无法解开本机数据密钥"), message)
        }
    }

    func testWipeRemovesTheStoreAndItsWrappedKey() throws {
        let device = try RuhuDevice.open(settings: settings(), keys: keys)
        try device.wipe()
        XCTAssertTrue(device.isWiped())
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataDir.appendingPathComponent("store.key.wrapped").path))
    }
}
