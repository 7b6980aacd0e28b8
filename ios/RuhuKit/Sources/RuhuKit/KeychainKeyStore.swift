import CryptoKit
import Foundation
import RuhuMobile
import Security

/// The core's `KeyStore` on iOS: the store key is wrapped with AES-GCM under a random 256-bit wrapping key that
/// lives only in the Keychain, as a generic-password item readable when the phone is unlocked and never copied
/// to another device or to a backup (kSecAttrAccessibleWhenUnlockedThisDeviceOnly).
///
/// The plain store key only passes through `wrapKey` / `unwrapKey` and is never kept here. Wrapped form (the same
/// layout as Android's AesGcmKeyStore): nonce length (1 byte, 12), nonce, ciphertext, 16-byte tag.
public final class KeychainKeyStore: KeyStore {
    /// The Keychain item's service and account; tests use their own service so they never touch the app's key.
    public let service: String
    public let account: String

    public init(service: String = "cn.ruhu.app.store-key", account: String = "wrapping-key") {
        self.service = service
        self.account = account
    }

    public func wrapKey(key: Data) throws -> Data {
        try guarded("无法保护本机数据密钥") {
            let sealed = try AES.GCM.seal(key, using: try wrappingKey(createIfMissing: true))
            guard let combined = sealed.combined else { throw KeychainFailure.sealing }
            return Data([UInt8(nonceBytes)]) + combined
        }
    }

    public func unwrapKey(wrapped: Data) throws -> Data {
        try guarded("无法解开本机数据密钥") {
            guard let first = wrapped.first, Int(first) == nonceBytes, wrapped.count >= 1 + nonceBytes + tagBytes else {
                throw KeychainFailure.malformed
            }
            let box = try AES.GCM.SealedBox(combined: wrapped.dropFirst())
            return try AES.GCM.open(box, using: try wrappingKey(createIfMissing: false))
        }
    }

    /// Removes the wrapping key: every store key wrapped with it can never be opened again (used after a wipe).
    public func forget() {
        SecItemDelete(baseQuery() as CFDictionary)
    }

    private func wrappingKey(createIfMissing: Bool) throws -> SymmetricKey {
        var query = baseQuery()
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecSuccess, let data = item as? Data, data.count == 32 {
            return SymmetricKey(data: data)
        }
        guard status == errSecItemNotFound, createIfMissing else { throw KeychainFailure.status(status) }
        let key = SymmetricKey(size: .bits256)
        var add = baseQuery()
        add[kSecValueData as String] = key.withUnsafeBytes { Data($0) }
        add[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        let added = SecItemAdd(add as CFDictionary, nil)
        guard added == errSecSuccess else { throw KeychainFailure.status(added) }
        return key
    }

    private func baseQuery() -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
    }

    /// Any failure becomes `KeyStoreError.Unavailable` with a Chinese message: the core reports WrongKey and changes
    /// nothing. The message names the cause, never the key.
    private func guarded(_ what: String, _ body: () throws -> Data) throws -> Data {
        do {
            return try body()
        } catch let failure as KeychainFailure {
            throw KeyStoreError.Unavailable(message: "\(what)（\(failure.reason)）")
        } catch {
            throw KeyStoreError.Unavailable(message: "\(what)（密钥校验失败）")
        }
    }
}

private let nonceBytes = 12
private let tagBytes = 16

private enum KeychainFailure: Error {
    case status(OSStatus)
    case malformed
    case sealing

    var reason: String {
        switch self {
        case .status(errSecItemNotFound): return "钥匙串中没有密钥"
        case .status(errSecInteractionNotAllowed): return "手机已锁定"
        case .status(let code): return "钥匙串错误 \(code)"
        case .malformed: return "密钥文件格式不正确"
        case .sealing: return "加密失败"
        }
    }
}
