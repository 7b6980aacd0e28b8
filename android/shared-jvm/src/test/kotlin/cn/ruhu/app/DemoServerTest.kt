package cn.ruhu.app

import java.nio.file.Files
import java.nio.file.Path
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.io.TempDir

/**
 * A real ruhu-server process with demo data for the whole test class, the township visit supervisor's desk beside
 * it, and the two demo investigators a visit is assigned to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DemoServerTest {
    protected lateinit var tmp: Path
    protected lateinit var server: TestServer
    protected lateinit var desk: Desk
    protected lateinit var investigatorA: String
    protected lateinit var investigatorB: String

    @BeforeAll
    fun startServer(@TempDir dir: Path) {
        tmp = dir
        server = TestServer.start(Files.createDirectories(tmp.resolve("server")))
        desk = Desk.login(server.url, "qingyan.zuzhang")
        investigatorA = desk.userId("qingyan.diaocha1")
        investigatorB = desk.userId("qingyan.diaocha2")
    }

    @AfterAll
    fun stopServer() {
        if (::server.isInitialized) server.close()
    }
}
