import Foundation

/// The login screen's three boxes, checked before anything goes to the network.
public struct LoginForm: Equatable {
    public enum Field: Equatable {
        case server, username, password
    }

    public enum Check: Equatable {
        /// `serverUrl` is normalised: scheme included, no trailing slash, no "/api/v1".
        case ready(serverUrl: String, username: String, password: String)
        case problem(Field, String)
    }

    public var serverAddress: String
    public var username: String
    public var password: String

    public init(serverAddress: String, username: String, password: String) {
        self.serverAddress = serverAddress
        self.username = username
        self.password = password
    }

    public func check() -> Check {
        var address = serverAddress.trimmingCharacters(in: .whitespacesAndNewlines)
        for suffix in ["/", "/api/v1", "/"] where address.hasSuffix(suffix) {
            address.removeLast(suffix.count)
        }
        if address.isEmpty { return .problem(.server, "请填写服务器地址") }
        let url = address.contains("://") ? address : "https://\(address)"
        guard let parts = URLComponents(string: url),
              let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty
        else {
            return .problem(.server, "服务器地址格式不正确，例如 https://ruhu.huaxi.gov.cn")
        }
        let user = username.trimmingCharacters(in: .whitespacesAndNewlines)
        if user.isEmpty { return .problem(.username, "请填写用户名") }
        if password.isEmpty { return .problem(.password, "请填写密码") }
        return .ready(serverUrl: url, username: user, password: password)
    }
}
