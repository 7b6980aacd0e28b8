import RuhuKit
import XCTest

final class LoginFormTests: XCTestCase {
    func testAddressIsNormalisedBeforeLogin() {
        let check = LoginForm(serverAddress: " ruhu.huaxi.gov.cn/api/v1/ ", username: " zhangsan ", password: "Ruhu#demo2026").check()
        XCTAssertEqual(check, .ready(serverUrl: "https://ruhu.huaxi.gov.cn", username: "zhangsan", password: "Ruhu#demo2026"))
    }

    func testPlainHttpOnALoopbackPortIsKept() {
        let check = LoginForm(serverAddress: "http://127.0.0.1:8080/", username: "a", password: "b").check()
        XCTAssertEqual(check, .ready(serverUrl: "http://127.0.0.1:8080", username: "a", password: "b"))
    }

    func testEachEmptyBoxHasItsOwnMessage() {
        XCTAssertEqual(LoginForm(serverAddress: "  ", username: "a", password: "b").check(), .problem(.server, "请填写服务器地址"))
        XCTAssertEqual(LoginForm(serverAddress: "ruhu.cn", username: " ", password: "b").check(), .problem(.username, "请填写用户名"))
        XCTAssertEqual(LoginForm(serverAddress: "ruhu.cn", username: "a", password: "").check(), .problem(.password, "请填写密码"))
    }

    func testAnAddressThatIsNoWebAddressIsRefused() {
        XCTAssertEqual(
            LoginForm(serverAddress: "ftp://ruhu.cn", username: "a", password: "b").check(),
            .problem(.server, "服务器地址格式不正确，例如 https://ruhu.huaxi.gov.cn")
        )
    }
}
