import Foundation

/// What the user typed could not become an answer; `message` is shown under the field.
public struct InputRefused: Error, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// A calendar date as the engine writes it ("2026-11-28"), shown as 2026年11月28日.
public struct CalendarDate: Equatable, Comparable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Strict `YYYY-MM-DD` of a real day; nil otherwise.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        let components = DateComponents(calendar: Calendar(identifier: .gregorian), year: y, month: m, day: d)
        guard components.isValidDate else { return nil }
        year = y
        month = m
        day = d
    }

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Today in the phone's time zone.
    public static func today(_ now: Date = Date(), calendar: Calendar = .current) -> CalendarDate {
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return CalendarDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
    }

    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    public var chinese: String { "\(year)年\(month)月\(day)日" }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// Answers as JSON (the engine's format: money in whole fen) to the text the screen shows, and typed text back to
/// answer JSON. Only the shape of the input is checked here; the rules of the form are checked by the engine in Rust.
public enum FormValues {
    /// The answer as the screen shows it, e.g. money 150050 → "¥1,500.50", yes_no true → "是".
    public static func display(_ q: QuestionDef, _ json: String?) -> String? {
        guard let v = JSONValue.parse(json) else { return nil }
        switch q.kind {
        case .money:
            if case .number(let literal) = v, let fen = Int64(literal) { return "¥" + yuan(fen, grouped: true) }
            return v.text
        case .yesNo:
            if case .bool(let yes) = v { return yes ? "是" : "否" }
            return v.text
        case .selectOne:
            return q.choiceLabel(v.text)
        case .selectMultiple:
            let labels = v.strings.map(q.choiceLabel)
            return labels.isEmpty ? nil : labels.joined(separator: "、")
        case .date:
            return CalendarDate(iso: v.text)?.chinese ?? v.text
        case .geopoint:
            guard let lat = v["lat"].flatMap({ Double($0.text) }), let lon = v["lon"].flatMap({ Double($0.text) }) else { return nil }
            return String(format: "纬度 %.5f，经度 %.5f", lat, lon)
        case .photo:
            return "\(v.strings.count) 张照片"
        case .signature:
            return "已签名"
        case .repeat:
            return v.arrayCount.map { "\($0) 项" }
        case .note:
            return nil
        case .text, .integer, .decimal:
            return v.text
        }
    }

    /// The answer as the text box holds it for editing (money in yuan without the sign).
    public static func editText(_ q: QuestionDef, _ json: String?) -> String {
        guard let v = JSONValue.parse(json) else { return "" }
        if q.kind == .money {
            if case .number(let literal) = v, let fen = Int64(literal) { return yuan(fen, grouped: false) }
            return ""
        }
        return v.text
    }

    /// Typed text → answer JSON for text, integer, decimal, money (typed in yuan, saved in fen) and date.
    public static func typed(_ q: QuestionDef, _ text: String) throws -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "，", with: ",")
            .replacingOccurrences(of: "．", with: ".")
        if t.isEmpty { return "null" }
        switch q.kind {
        case .text:
            return JSONValue.quote(text.trimmingCharacters(in: .whitespacesAndNewlines))
        case .integer:
            guard let n = Int64(t) else { throw InputRefused("请填写整数") }
            return String(n)
        case .decimal:
            guard isDecimalLiteral(t), let d = Decimal(string: t, locale: Locale(identifier: "en_US_POSIX")) else {
                throw InputRefused("请填写数字，如 2.5")
            }
            return "\(d)"
        case .money:
            return String(try yuanToFen(t))
        case .date:
            guard let date = CalendarDate(iso: t) else { throw InputRefused("日期格式应为 年-月-日，如 2026-11-28") }
            return JSONValue.quote(date.iso)
        default:
            // The screen types only into the kinds above; anything else is a wrong call, refused like bad input.
            throw InputRefused("此项不能直接填写")
        }
    }

    /// "1,500.5" yuan → 150050 fen; at most two decimals, not negative.
    public static func yuanToFen(_ text: String) throws -> Int64 {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("¥") { t.removeFirst() }
        if t.hasSuffix("元") { t.removeLast() }
        t = t.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        guard isDecimalLiteral(t) else { throw InputRefused("请填写金额（元），如 1500.50") }
        if t.hasPrefix("-") { throw InputRefused("金额不能为负数") }
        if t.hasPrefix("+") { t.removeFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts[0].isEmpty ? "0" : String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if fraction.count > 2 { throw InputRefused("金额最多填写到分（两位小数）") }
        fraction = fraction.padding(toLength: 2, withPad: "0", startingAt: 0)
        guard let yuan = Int64(whole), let cents = Int64(fraction) else { throw InputRefused("金额过大，请核对") }
        let (scaled, overflow) = yuan.multipliedReportingOverflow(by: 100)
        let (fen, overflow2) = scaled.addingReportingOverflow(cents)
        if overflow || overflow2 { throw InputRefused("金额过大，请核对") }
        return fen
    }

    /// 150050 → "1,500.50" (grouped) or "1500.50".
    public static func yuan(_ fen: Int64, grouped: Bool) -> String {
        let negative = fen < 0
        let magnitude = fen.magnitude
        var whole = String(magnitude / 100)
        if grouped {
            var groups: [String] = []
            while whole.count > 3 {
                groups.insert(String(whole.suffix(3)), at: 0)
                whole.removeLast(3)
            }
            groups.insert(whole, at: 0)
            whole = groups.joined(separator: ",")
        }
        return (negative ? "-" : "") + whole + "." + String(format: "%02d", Int(magnitude % 100))
    }

    /// `12`, `-3.5`, `.5`, `+2.` — what a person types as a number, nothing else (no exponents, no spaces).
    static func isDecimalLiteral(_ t: String) -> Bool {
        var body = Substring(t)
        if let sign = body.first, sign == "+" || sign == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }) else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}
