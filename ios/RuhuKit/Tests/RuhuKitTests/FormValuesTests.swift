@testable import RuhuKit
import XCTest

final class FormValuesTests: XCTestCase {
    private var money: QuestionDef {
        get throws {
            try XCTUnwrap(FormDefinition.parse(#"{"id":"f","version":1,"title":null,"questions":[{"id":"m","kind":"money","label":"月收入"}]}"#).questions.first)
        }
    }

    func testMoneyIsShownInYuanWithGroupingAndEditedWithout() throws {
        let money = try self.money
        XCTAssertEqual(FormValues.display(money, "131550"), "¥1,315.50")
        XCTAssertEqual(FormValues.display(money, "123456789"), "¥1,234,567.89")
        XCTAssertEqual(FormValues.display(money, "5"), "¥0.05")
        XCTAssertEqual(FormValues.editText(money, "150050"), "1500.50")
        XCTAssertNil(FormValues.display(money, nil))
        XCTAssertNil(FormValues.display(money, "null"))
    }

    func testMoneyTypedInYuanIsSavedInFen() throws {
        let money = try self.money
        XCTAssertEqual(try FormValues.typed(money, "1,500.5"), "150050")
        XCTAssertEqual(try FormValues.typed(money, "¥1315.50元"), "131550")
        XCTAssertEqual(try FormValues.typed(money, "1500．50"), "150050")
        XCTAssertEqual(try FormValues.typed(money, "2.500"), "250")
        XCTAssertEqual(try FormValues.typed(money, "  "), "null")
    }

    func testMoneyThatIsNoAmountIsRefusedWithAChineseReason() throws {
        let money = try self.money
        XCTAssertThrowsError(try FormValues.typed(money, "1.005")) { XCTAssertEqual($0 as? InputRefused, InputRefused("金额最多填写到分（两位小数）")) }
        XCTAssertThrowsError(try FormValues.typed(money, "-3")) { XCTAssertEqual($0 as? InputRefused, InputRefused("金额不能为负数")) }
        XCTAssertThrowsError(try FormValues.typed(money, "一千")) { XCTAssertEqual($0 as? InputRefused, InputRefused("请填写金额（元），如 1500.50")) }
        XCTAssertThrowsError(try FormValues.typed(money, "99999999999999999999")) { XCTAssertEqual($0 as? InputRefused, InputRefused("金额过大，请核对")) }
    }

    func testDatesAreShownTheChineseWayAndTypedAsIso() throws {
        let date = try FormDefinition.parse(#"{"id":"f","version":1,"questions":[{"id":"d","kind":"date","label":"日期"}]}"#).questions[0]
        XCTAssertEqual(FormValues.display(date, "\"2026-11-28\""), "2026年11月28日")
        XCTAssertEqual(try FormValues.typed(date, "2026-11-28"), "\"2026-11-28\"")
        XCTAssertThrowsError(try FormValues.typed(date, "2026-02-30")) { XCTAssertEqual($0 as? InputRefused, InputRefused("日期格式应为 年-月-日，如 2026-11-28")) }
    }

    func testJsonReaderKeepsNumbersAsWrittenAndRefusesBrokenText() {
        XCTAssertEqual(JSONValue.parse("2.50"), .number("2.50"))
        XCTAssertEqual(JSONValue.parse(#"{"a":[1,"调\u8c03",true]}"#)?["a"], .array([.number("1"), .string("调调"), .bool(true)]))
        XCTAssertNil(JSONValue.parse("[1,"))
        XCTAssertNil(JSONValue.parse("null"))
        XCTAssertEqual(JSONValue.object(["b": .string("x\"y"), "a": .null]).json, #"{"a":null,"b":"x\"y"}"#)
    }
}
