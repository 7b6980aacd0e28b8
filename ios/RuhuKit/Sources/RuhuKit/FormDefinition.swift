import Foundation

/// The question kinds of the forms engine (docs/forms.md), as the screen draws them.
public enum QuestionKind: String, Decodable, CaseIterable {
    case text
    case integer
    case decimal
    case money
    case date
    case yesNo = "yes_no"
    case selectOne = "select_one"
    case selectMultiple = "select_multiple"
    case geopoint
    case photo
    case signature
    case note
    case `repeat`
}

public struct Choice: Decodable, Equatable {
    public let value: String
    public let label: String
}

/// Who signs a signature question; the labels are the ones the paper form uses.
public enum SignerRole: String, Decodable, CaseIterable {
    case investigator1
    case investigator2
    case familyMember = "family_member"

    public var label: String {
        switch self {
        case .investigator1: return "调查人员一"
        case .investigator2: return "调查人员二"
        case .familyMember: return "申请人或在场家庭成员"
        }
    }
}

/// One question of a form definition, with what the renderer needs (expressions stay in Rust).
public struct QuestionDef: Decodable, Equatable {
    public let id: String
    public let kind: QuestionKind
    public let label: String
    public let hint: String?
    public let choices: [Choice]
    public let minCount: Int?
    public let maxCount: Int?
    public let signer: SignerRole?
    public let children: [QuestionDef]

    public func choiceLabel(_ value: String) -> String {
        choices.first { $0.value == value }?.label ?? value
    }

    private enum CodingKeys: String, CodingKey {
        case id, kind, label, hint, choices, signer
        case minCount = "min_count"
        case maxCount = "max_count"
        case children = "questions"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decode(QuestionKind.self, forKey: .kind)
        label = try c.decode(String.self, forKey: .label)
        // The library writes absent keys as JSON null, and a blank hint is no hint.
        hint = try c.decodeIfPresent(String.self, forKey: .hint).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        minCount = try c.decodeIfPresent(Int.self, forKey: .minCount)
        maxCount = try c.decodeIfPresent(Int.self, forKey: .maxCount)
        signer = try c.decodeIfPresent(String.self, forKey: .signer).flatMap(SignerRole.init(rawValue:))
        children = try c.decodeIfPresent([QuestionDef].self, forKey: .children) ?? []
    }
}

/// A form definition as `RuhuDevice.formJson` returns it (the format of core/forms/).
public struct FormDefinition: Decodable, Equatable {
    public let id: String
    public let version: Int
    public let title: String
    public let questions: [QuestionDef]

    private enum CodingKeys: String, CodingKey {
        case id, version, title, questions
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        version = try c.decode(Int.self, forKey: .version)
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? ""
        questions = try c.decodeIfPresent([QuestionDef].self, forKey: .questions) ?? []
    }

    /// A question by id, top level or inside a repeat group.
    public func question(_ id: String) -> QuestionDef? {
        for q in questions {
            if q.id == id { return q }
            if let child = q.children.first(where: { $0.id == id }) { return child }
        }
        return nil
    }

    public static func parse(_ json: String) throws -> FormDefinition {
        try JSONDecoder().decode(FormDefinition.self, from: Data(json.utf8))
    }
}
