import CommonCrypto
import Foundation
import Security

/// The offline unlock PIN: only a salted PBKDF2 hash is kept, in the Keychain ("this device only"). After
/// `maxAttempts` wrong PINs the app asks for the password again (online).
final class PinStore {
    static let maxAttempts = 5
    private let service = "cn.ruhu.app.pin"
    private let rounds: UInt32 = 100_000

    var isSet: Bool { read("hash") != nil }

    private(set) var failedAttempts: Int {
        get { UserDefaults.standard.integer(forKey: "ruhu.pinFailures") }
        set { UserDefaults.standard.set(newValue, forKey: "ruhu.pinFailures") }
    }

    /// A PIN is 6 digits: checked here so the login screen can say so before anything is stored.
    static func problem(_ pin: String) -> String? {
        pin.count == 6 && pin.allSatisfy({ $0.isASCII && $0.isNumber }) ? nil : "离线解锁密码须为 6 位数字"
    }

    func set(_ pin: String) throws {
        var salt = Data(count: 16)
        let status = salt.withUnsafeMutableBytes { bytes -> OSStatus in
            guard let base = bytes.baseAddress else { return errSecAllocate }
            return SecRandomCopyBytes(kSecRandomDefault, bytes.count, base)
        }
        guard status == errSecSuccess else { throw PinFailure.keychain(status) }
        try write("salt", salt)
        try write("hash", derive(pin, salt: salt))
        failedAttempts = 0
    }

    /// True when `pin` is right; counts wrong ones.
    func check(_ pin: String) -> Bool {
        guard let salt = read("salt"), let hash = read("hash") else { return false }
        let right = derive(pin, salt: salt) == hash
        failedAttempts = right ? 0 : failedAttempts + 1
        return right
    }

    var attemptsLeft: Int { max(0, PinStore.maxAttempts - failedAttempts) }

    func clear() {
        for account in ["salt", "hash"] {
            SecItemDelete(query(account) as CFDictionary)
        }
        failedAttempts = 0
    }

    private func derive(_ pin: String, salt: Data) -> Data {
        var out = Data(count: 32)
        let password = Array(pin.utf8).map { Int8(bitPattern: $0) }
        _ = out.withUnsafeMutableBytes { outBytes in
            salt.withUnsafeBytes { saltBytes in
                CCKeyDerivationPBKDF(
                    CCPBKDFAlgorithm(kCCPBKDF2), password, password.count,
                    saltBytes.bindMemory(to: UInt8.self).baseAddress, salt.count,
                    CCPseudoRandomAlgorithm(kCCPRFHmacAlgSHA256), rounds,
                    outBytes.bindMemory(to: UInt8.self).baseAddress, 32
                )
            }
        }
        return out
    }

    private func query(_ account: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service, kSecAttrAccount as String: account]
    }

    private func read(_ account: String) -> Data? {
        var q = query(account)
        q[kSecReturnData as String] = true
        var item: CFTypeRef?
        return SecItemCopyMatching(q as CFDictionary, &item) == errSecSuccess ? item as? Data : nil
    }

    private func write(_ account: String, _ data: Data) throws {
        SecItemDelete(query(account) as CFDictionary)
        var q = query(account)
        q[kSecValueData as String] = data
        q[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        let status = SecItemAdd(q as CFDictionary, nil)
        guard status == errSecSuccess else { throw PinFailure.keychain(status) }
    }
}

enum PinFailure: Error, LocalizedError {
    case keychain(OSStatus)

    var errorDescription: String? {
        switch self {
        case .keychain(let status): return "无法保存离线解锁密码（钥匙串错误 \(status)）"
        }
    }
}
