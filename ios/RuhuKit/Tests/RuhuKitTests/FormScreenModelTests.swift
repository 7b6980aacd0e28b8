import RuhuKit
import XCTest

/// The form screen model from a definition (as `RuhuDevice.formJson` writes it, absent keys as null) and an engine
/// view built by hand: no library needed.
final class FormScreenModelTests: XCTestCase {
    private let definitionJson = #"""
    {"id":"tekun-home-visit","version":1,"title":"特困人员入户调查","questions":[
      {"id":"intro","kind":"note","label":"请如实填写。","hint":null,"choices":null,"questions":null},
      {"id":"income_fen","kind":"money","label":"月收入","hint":"","choices":null},
      {"id":"visit_date","kind":"date","label":"调查日期"},
      {"id":"has_disability","kind":"yes_no","label":"是否残疾"},
      {"id":"housing","kind":"select_one","label":"住房情况","choices":[{"value":"own","label":"自有住房"},{"value":"rent","label":"租房"}]},
      {"id":"aid","kind":"select_multiple","label":"已享受救助","choices":[{"value":"medical","label":"医疗救助"},{"value":"edu","label":"教育救助"}]},
      {"id":"house_photos","kind":"photo","label":"住房照片","min_count":3},
      {"id":"sign_1","kind":"signature","label":"调查人员签字","signer":"investigator1"},
      {"id":"supporters","kind":"repeat","label":"法定义务人","max_count":2,"questions":[
        {"id":"supporter_name","kind":"text","label":"姓名"},
        {"id":"supporter_income_fen","kind":"money","label":"月收入"}
      ]},
      {"id":"disability_grade","kind":"select_one","label":"残疾等级","choices":[{"value":"1","label":"一级"}]}
    ]}
    """#

    private func q(_ path: String, value: String? = nil, relevant: Bool = true, required: Bool = false, calculated: Bool = false,
                   problems: [String] = [], caseValue: String? = nil, expectedRows: UInt32? = nil) -> QuestionView {
        QuestionView(path: path, relevant: relevant, required: required, calculated: calculated, valueJson: value,
                     expectedRows: expectedRows, problems: problems.map { FieldProblem(questionId: path, code: "c", message: $0) },
                     caseValueJson: caseValue)
    }

    private func model(answers: String = "{}") throws -> FormScreenModel {
        let view = FormView(questions: [
            q("intro"),
            q("income_fen", value: "131550", required: true, caseValue: "120000"),
            q("visit_date", value: "\"2026-11-28\""),
            q("has_disability", value: "false"),
            q("housing", value: "\"rent\""),
            q("aid", value: "[\"medical\",\"edu\"]"),
            q("house_photos", value: "[\"a1\"]", required: true),
            q("sign_1"),
            q("supporters", value: "[{\"supporter_name\":\"王五\"}]", expectedRows: 2),
            q("supporters[0].supporter_name", value: "\"王五\""),
            q("supporters[0].supporter_income_fen", problems: ["请填写月收入"]),
            q("disability_grade", relevant: false),
        ], problems: [FieldProblem(questionId: "supporters[0].supporter_income_fen", code: "required", message: "请填写月收入")], complete: false)
        return FormScreenModel(definition: try FormDefinition.parse(definitionJson), view: view, answersJson: answers)
    }

    func testRowsFollowTheDocumentAndHideIrrelevantQuestions() throws {
        let m = try model()
        XCTAssertEqual(m.title, "特困人员入户调查")
        XCTAssertEqual(m.rows.map(\.path), [
            "intro", "income_fen", "visit_date", "has_disability", "housing", "aid", "house_photos", "sign_1",
            "supporters", "supporters[0]", "supporters[0].supporter_name", "supporters[0].supporter_income_fen",
        ])
        XCTAssertNil(m.row("disability_grade"))
        XCTAssertEqual(m.row("supporters[0]"), .repeatItem(path: "supporters[0]", groupId: "supporters", index: 0, title: "法定义务人第1项"))
        XCTAssertEqual(m.problems, ["请填写月收入"])
        XCTAssertFalse(m.complete)
    }

    func testFieldsShowValuesTheWayPeopleReadThem() throws {
        let m = try model()
        XCTAssertEqual(m.field("income_fen")?.display, "¥1,315.50")
        XCTAssertEqual(m.field("income_fen")?.editText, "1315.50")
        XCTAssertEqual(m.field("income_fen")?.previous, "上次记录：¥1,200.00")
        XCTAssertEqual(m.field("visit_date")?.display, "2026年11月28日")
        XCTAssertEqual(m.field("has_disability")?.display, "否")
        XCTAssertEqual(m.field("housing")?.display, "租房")
        XCTAssertEqual(m.field("aid")?.display, "医疗救助、教育救助")
        XCTAssertEqual(m.field("aid")?.selected, ["medical", "edu"])
        XCTAssertEqual(m.field("house_photos")?.photoStatus, "已拍 1 张，至少需要 3 张")
        XCTAssertEqual(m.field("sign_1")?.signer?.label, "调查人员一")
        XCTAssertEqual(m.field("sign_1")?.signed, false)
        XCTAssertEqual(m.field("supporters[0].supporter_income_fen")?.problems, ["请填写月收入"])
        guard case .repeatGroup(let group)? = m.row("supporters") else { return XCTFail("no repeat header") }
        XCTAssertEqual(group.status, "已填 1 项，应填 2 项")
        XCTAssertTrue(group.canAdd)
    }

    func testEditsBecomeAnswersOrChineseRefusals() throws {
        let m = try model(answers: #"{"supporters":[{"supporter_name":"王五"}]}"#)
        XCTAssertEqual(m.edit("income_fen", .typed("1,500.5")), .save(questionId: "income_fen", valueJson: "150050"))
        XCTAssertEqual(m.edit("income_fen", .typed("1.005")), .refused(path: "income_fen", message: "金额最多填写到分（两位小数）"))
        XCTAssertEqual(m.edit("has_disability", .yesNo(true)), .save(questionId: "has_disability", valueJson: "true"))
        XCTAssertEqual(m.edit("housing", .pick("palace")), .refused(path: "housing", message: "请从选项中选择"))
        XCTAssertEqual(m.edit("aid", .toggle("medical", on: false)), .save(questionId: "aid", valueJson: #"["edu"]"#))
        XCTAssertEqual(m.edit("house_photos", .clear), .refused(path: "house_photos", message: "此项不能直接填写"))
        XCTAssertEqual(
            m.edit("supporters[0].supporter_income_fen", .typed("800")),
            .save(questionId: "supporters", valueJson: #"[{"supporter_income_fen":80000,"supporter_name":"王五"}]"#)
        )
        XCTAssertEqual(m.addRow("supporters"), .save(questionId: "supporters", valueJson: #"[{"supporter_name":"王五"},{}]"#))
        XCTAssertEqual(m.removeRow("supporters", 0), .save(questionId: "supporters", valueJson: "null"))
        XCTAssertEqual(m.removeRow("supporters", 3), .refused(path: "supporters[3]", message: "该项已被删除"))
    }

    func testARepeatGroupStopsAtItsMaximum() throws {
        let m = try model(answers: #"{"supporters":[{},{}]}"#)
        XCTAssertEqual(m.addRow("supporters"), .refused(path: "supporters", message: "最多填写 2 项"))
    }
}
