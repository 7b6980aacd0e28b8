import Foundation

/// One JSON value as the engine writes answers (`"文字"`, `3`, `true`, `["medical"]`, `{"lat":…}`). Numbers keep
/// their literal text, so money in fen and decimals such as 2.5 come back exactly as the engine wrote them.
public indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one JSON text; nil for absent input, for `null` and for text that is not JSON.
    public static func parse(_ json: String?) -> JSONValue? {
        guard let json else { return nil }
        var reader = JSONReader(Array(json.utf8))
        guard let value = reader.document(), value != .null else { return nil }
        return value
    }

    /// Compact JSON, object keys sorted (the same value always gives the same text).
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let literal): return literal
        case .string(let s): return JSONValue.quote(s)
        case .array(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let fields):
            let body = fields.keys.sorted().map { key in JSONValue.quote(key) + ":" + (fields[key] ?? .null).json }
            return "{" + body.joined(separator: ",") + "}"
        }
    }

    /// The value as a plain string for display and comparisons: strings unquoted, numbers as written.
    public var text: String {
        switch self {
        case .string(let s): return s
        default: return json
        }
    }

    /// The strings of an array (values of a multiple choice, photo hashes); empty for anything else.
    public var strings: [String] {
        if case .array(let items) = self { return items.map(\.text) }
        return []
    }

    public var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A small strict JSON reader (RFC 8259) over UTF-8 bytes.
private struct JSONReader {
    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func document() -> JSONValue? {
        guard let value = value() else { return nil }
        skipSpace()
        return at == bytes.count ? value : nil
    }

    private mutating func value() -> JSONValue? {
        skipSpace()
        guard at < bytes.count else { return nil }
        switch bytes[at] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return word("true", .bool(true))
        case UInt8(ascii: "f"): return word("false", .bool(false))
        case UInt8(ascii: "n"): return word("null", .null)
        default: return number()
        }
    }

    private mutating func object() -> JSONValue? {
        at += 1
        var fields: [String: JSONValue] = [:]
        skipSpace()
        if peek(UInt8(ascii: "}")) { at += 1; return .object(fields) }
        while true {
            skipSpace()
            guard peek(UInt8(ascii: "\"")), let key = string() else { return nil }
            skipSpace()
            guard peek(UInt8(ascii: ":")) else { return nil }
            at += 1
            guard let item = value() else { return nil }
            fields[key] = item
            skipSpace()
            if peek(UInt8(ascii: ",")) { at += 1; continue }
            if peek(UInt8(ascii: "}")) { at += 1; return .object(fields) }
            return nil
        }
    }

    private mutating func array() -> JSONValue? {
        at += 1
        var items: [JSONValue] = []
        skipSpace()
        if peek(UInt8(ascii: "]")) { at += 1; return .array(items) }
        while true {
            guard let item = value() else { return nil }
            items.append(item)
            skipSpace()
            if peek(UInt8(ascii: ",")) { at += 1; continue }
            if peek(UInt8(ascii: "]")) { at += 1; return .array(items) }
            return nil
        }
    }

    private mutating func string() -> String? {
        at += 1
        var out: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if b != UInt8(ascii: "\\") { out.append(b); continue }
            guard at < bytes.count else { return nil }
            let escape = bytes[at]
            at += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let scalar = unicodeEscape() else { return nil }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: out.append(escape)
            }
        }
        return nil
    }

    /// `\uXXXX`, with a following low surrogate when the first is a high one.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { return nil }
            at += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else { return nil }
        at += 4
        return v
    }

    private mutating func number() -> JSONValue? {
        let start = at
        while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
        let literal = String(decoding: bytes[start..<at], as: UTF8.self)
        // Double accepts every JSON number; the literal is kept as written.
        guard !literal.isEmpty, Double(literal) != nil else { return nil }
        return .number(literal)
    }

    private mutating func word(_ word: String, _ value: JSONValue) -> JSONValue? {
        let w = Array(word.utf8)
        guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else { return nil }
        at += w.count
        return value
    }

    private func peek(_ b: UInt8) -> Bool {
        at < bytes.count && bytes[at] == b
    }

    private mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
    }
}
