package cn.ruhu.app.ui

import cn.ruhu.app.DEMO_PASSWORD
import cn.ruhu.app.Desk
import cn.ruhu.app.Phone
import cn.ruhu.app.RuhuSession
import cn.ruhu.app.TestServer
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.runBlocking

/**
 * One real ruhu-server with demo data for the screen tests of this JVM (started on first use, stopped at exit), and
 * phones logged in to it as the demo investigator, each in its own data folder.
 */
object DemoServer {
    val tmp: Path by lazy { Files.createTempDirectory("ruhu-robolectric-screens") }
    val server: TestServer by lazy {
        TestServer.start(Files.createDirectories(tmp.resolve("server"))).also { s -> Runtime.getRuntime().addShutdownHook(Thread { s.close() }) }
    }

    fun desk(): Desk = Desk.login(server.url, "qingyan.zuzhang")

    /** A phone logged in as 调查员 qingyan.diaocha1 and synced, published as the app's session. */
    fun loggedInPhone(name: String): Pair<Phone, RuhuSession> = runBlocking {
        val phone = Phone(tmp.resolve("phones"), server.url, "$name-${System.nanoTime()}")
        val session = phone.open()
        session.login("qingyan.diaocha1", DEMO_PASSWORD)
        session.sync()
        AppSession.current = session
        phone to session
    }

    /** A 低保 visit assigned to the two demo investigators; returns the assignment id. */
    fun assignDibaoVisit(headName: String): String {
        val desk = desk()
        val caseId = desk.householdWithDibaoCase("520111101902", headName, 26.3275, 106.6874)
        return desk.assign(caseId, desk.userId("qingyan.diaocha1"), desk.userId("qingyan.diaocha2"))
    }
}
