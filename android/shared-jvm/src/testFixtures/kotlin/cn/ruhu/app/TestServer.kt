package cn.ruhu.app

import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * The built `ruhu-server` binary with demo data on a free loopback port, its SQLite database and blobs in [dataDir].
 * The binary comes from the `ruhu.server.bin` system property (set by the Maven build).
 */
class TestServer private constructor(private val process: Process, val url: String, private val log: Path) : AutoCloseable {

    fun logTail(): String = runCatching { Files.readAllLines(log).takeLast(30).joinToString("\n") }.getOrDefault("")

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly()
    }

    companion object {
        fun start(dataDir: Path): TestServer {
            val bin = System.getProperty("ruhu.server.bin")
                ?: error("system property ruhu.server.bin is not set (run through Maven: see pom.xml)")
            check(Files.isExecutable(Path.of(bin))) { "ruhu-server not built at $bin (cargo build -p ruhu-server)" }
            val port = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
            val log = dataDir.resolve("server.log")
            val process = ProcessBuilder(bin, "--demo", "--listen", "127.0.0.1:$port", "--data-dir", dataDir.resolve("data").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start()
            val server = TestServer(process, "http://127.0.0.1:$port", log)
            val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()
            val healthz = HttpRequest.newBuilder(URI.create("${server.url}/healthz")).timeout(Duration.ofSeconds(2)).build()
            val deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos()
            while (System.nanoTime() < deadline) {
                if (!process.isAlive) error("ruhu-server exited with ${process.exitValue()}:\n${server.logTail()}")
                val status = runCatching { http.send(healthz, HttpResponse.BodyHandlers.discarding()).statusCode() }.getOrNull()
                if (status == 200) return server
                Thread.sleep(100)
            }
            server.close()
            error("ruhu-server did not become healthy in 60 s:\n${server.logTail()}")
        }
    }
}
