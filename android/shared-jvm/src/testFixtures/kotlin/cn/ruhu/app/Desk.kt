package cn.ruhu.app

import cn.ruhu.mobile.todayInChina
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.LocalDate
import java.util.UUID
import org.json.JSONArray
import org.json.JSONObject

const val DEMO_PASSWORD = "Ruhu#demo2026"

/** The API as a supervisor's desk uses it: plain HTTP with a bearer token, JSON in and out. */
class Desk private constructor(private val base: String, private val token: String) {
    private val http = HttpClient.newHttpClient()

    /** The township caseworker who registers and accepts this desk's applications. */
    private val clerk: Desk by lazy { login(base, "qingyan.jingban") }

    class Reply(val status: Int, val body: String) {
        fun ok(): Reply {
            check(status in 200..299) { "expected success, got $status $body" }
            return this
        }

        fun json(): JSONObject = JSONObject(ok().body)

        fun array(): JSONArray = JSONArray(ok().body)
    }

    fun call(method: String, path: String, body: JSONObject? = null): Reply {
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(it.toString()) } ?: HttpRequest.BodyPublishers.noBody()
        val request = HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer $token")
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        return Reply(response.statusCode(), response.body())
    }

    fun get(path: String) = call("GET", path)

    fun post(path: String, body: JSONObject = JSONObject()) = call("POST", path, body)

    fun userId(username: String): String {
        val users = get("/api/v1/users").array()
        return (0 until users.length()).map { users.getJSONObject(it) }
            .firstOrNull { it.getString("username") == username }
            ?.getString("id")
            ?: error("user $username not visible: $users")
    }

    /** Registers a household with two members (valid, unique ID numbers) and an accepted 低保 application; returns the case id. */
    fun householdWithDibaoCase(villageCode: String, headName: String, lat: Double, lon: Double): String =
        householdWithCase(villageCode, headName, lat, lon, "dibao")

    /** The same with a case of [assistanceType] (`dibao`, `tekun`, …). */
    fun householdWithCase(villageCode: String, headName: String, lat: Double, lon: Double, assistanceType: String): String {
        val (head, child) = ResidentIds.randomPair()
        val household = post(
            "/api/v1/households",
            JSONObject()
                .put("village_code", villageCode)
                .put("head_name", headName)
                .put("address", "青岩镇示范二村（演示）测试组")
                .put("location", JSONObject().put("lat", lat).put("lon", lon))
                .put(
                    "members",
                    JSONArray()
                        .put(JSONObject().put("name", headName).put("resident_id", head).put("relation", "户主"))
                        .put(JSONObject().put("name", "测试子女（演示）").put("resident_id", child).put("relation", "子女")),
                ),
        ).json()
        // The application is registered and accepted at the township's counter, as the procedure has it.
        val clerk = clerk
        val case = clerk.post("/api/v1/cases", JSONObject().put("household_id", household.getString("id")).put("assistance_type", assistanceType)).json()
        clerk.post("/api/v1/cases/${case.getString("id")}/actions", JSONObject().put("action", "accept")).ok()
        return case.getString("id")
    }

    /** Assigns a home visit of [caseId] to two investigators, due in [dueInDays]; returns the assignment id. */
    fun assign(caseId: String, investigator1: String, investigator2: String, dueInDays: Long = 5): String {
        val body = JSONObject()
            .put("case_id", caseId)
            .put("investigator_ids", JSONArray().put(investigator1).put(investigator2))
            .put("due_date", LocalDate.parse(todayInChina()).plusDays(dueInDays).toString())
        return post("/api/v1/assignments", body).json().getString("id")
    }

    /** Revokes the registered device whose installation id is [installationId]. */
    fun revokeDevice(installationId: String): JSONObject {
        val devices = get("/api/v1/devices").array()
        val device = (0 until devices.length()).map { devices.getJSONObject(it) }
            .firstOrNull { it.getString("installation_id") == installationId }
            ?: error("device $installationId not listed: $devices")
        return post("/api/v1/devices/${device.getString("id")}/revoke").json()
    }

    companion object {
        fun login(base: String, username: String): Desk {
            val body = JSONObject()
                .put("username", username)
                .put("password", DEMO_PASSWORD)
                .put("device_id", "desk-kotlin-${UUID.randomUUID()}")
                .put("device_name", "办公电脑")
            val request = HttpRequest.newBuilder(URI.create("$base/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build()
            val response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString())
            check(response.statusCode() == 200) { "login $username: ${response.statusCode()} ${response.body()}" }
            return Desk(base, JSONObject(response.body()).getString("access_token"))
        }
    }
}
