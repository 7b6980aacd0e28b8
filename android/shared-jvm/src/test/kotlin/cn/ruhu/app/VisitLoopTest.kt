package cn.ruhu.app

import cn.ruhu.mobile.KeyStore
import cn.ruhu.mobile.LocationFix
import cn.ruhu.mobile.Member
import cn.ruhu.mobile.RuhuException
import cn.ruhu.mobile.Signer
import cn.ruhu.mobile.SyncListener
import cn.ruhu.mobile.todayInChina
import java.nio.file.Files
import java.util.Collections
import kotlin.random.Random
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield
import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The home-visit loop of tests/tests/visit_loop.rs, from Kotlin through the generated bindings: the real Rust library
 * (SQLCipher store, photo pipeline, tus uploads) talking HTTP to a real ruhu-server process.
 */
class VisitLoopTest : DemoServerTest() {

    private fun newPhone(name: String) = Phone(tmp.resolve("phones"), server.url, "$name-${Random.nextInt(1_000_000)}")

    private fun newAssignment(headName: String): Pair<String, String> {
        val caseId = desk.householdWithDibaoCase(VILLAGE, headName, HOME_LAT, HOME_LON)
        return caseId to desk.assign(caseId, investigatorA, investigatorB)
    }

    /** Every answer of dibao-home-visit v2 as JSON, money in whole fen: one row per member the household record lists. */
    private fun answers(members: List<Member>) = linkedMapOf(
        "visit_date" to JSONObject.quote(todayInChina()),
        "visit_mode" to "\"in_person\"",
        "household_size" to members.size.toString(),
        "members" to JSONArray(members.mapIndexed { i, m ->
            JSONObject().put("member_name", m.name).put("relation", if (i == 0) "self" else "child").put("resident_id", m.residentId)
                .put("health", if (i == 0) "serious" else "healthy").put("disability_grade", "none")
                .put("work_capacity", if (i == 0) "none" else "full").apply { if (i != 0) put("employment", "farming") }
        }).toString(),
        "near_relative_of_staff" to "false",
        "income_wages_fen" to "65000",
        "income_business_fen" to "0",
        "income_property_fen" to "0",
        "income_transfer_fen" to "12000",
        "has_excluded_income" to "false",
        "bank_deposits_fen" to "300000",
        "securities_fen" to "0",
        "has_vehicle" to "false",
        "house_count" to "1",
        "house_area_m2" to "58.5",
        "land_mu" to "0.0",
        "has_business" to "false",
        "housing_condition" to "\"own_unsafe\"",
        "living_conditions" to JSONObject.quote("房屋漏雨，家电陈旧，户主患慢性病。"),
        "high_spending_signs" to "false",
        "rigid_expenses" to JSONArray().put("medical").toString(),
        "expense_medical_fen" to "15000",
        "neighbour_visited" to "true",
        "neighbour_findings" to JSONObject.quote("邻居反映情况属实"),
        "opinion_result" to "\"consistent\"",
        "location" to JSONObject().put("lat", HOME_LAT + 0.0003).put("lon", HOME_LON).toString(),
        "opinion" to JSONObject.quote("家庭收入低于当地低保标准，建议纳入。"),
    )

    @Test
    fun `a visit recorded on the phone arrives complete on the server`() = runBlocking {
        val (caseId, assignmentId) = newAssignment("测试户主甲（演示）")
        val phone = newPhone("A")
        val files = Files.createDirectories(tmp.resolve("files-a"))

        phone.open().use { session ->
            val user = session.login("qingyan.diaocha1", DEMO_PASSWORD)
            assertEquals(investigatorA, user.id)
            assertEquals(user, session.user.value)
            assertTrue(session.sync() is SyncState.Finished)

            val row = session.plan().flatMap { it.rows }.single { it.item.id == assignmentId }
            assertTrue(row.isOpen, "the new visit is open on the plan")
            assertEquals(2u, row.item.memberCount)
            assertEquals("dibao-home-visit", row.item.formId)
            val members = session.device.householdMembers(assignmentId)
            assertTrue(members.all { it.residentIdMasked.contains('*') && it.residentIdMasked != it.residentId }, "masked ID numbers for lists")

            // In the house: every answer of v2 (both members), three photos, a GPS fix and three signatures.
            val draft = session.device.startDraft(assignmentId)
            assertEquals("dibao-home-visit" to 2u, draft.formId to draft.formVersion)
            for ((question, value) in answers(members)) session.device.setAnswer(draft.id, question, value)
            val photoQuestions = listOf("photos_outside", "photos_inside", "photos_kitchen")
            val photoHashes = listOf(Triple(4000, 3000, 0), Triple(1600, 1200, 1), Triple(1200, 1600, 2)).map { (w, h, seed) ->
                val jpeg = TestImages.cameraJpeg(files.resolve("photo$seed.jpg"), w, h, seed)
                val photo = session.device.importPhoto(draft.id, photoQuestions[seed], jpeg.toString())
                assertTrue(photo.width.toLong() * photo.height.toLong() <= 2_100_000, "downscaled to about 2 MP: ${photo.width}×${photo.height}")
                photo.sha256
            }
            assertEquals(3, photoHashes.toSet().size)
            session.device.recordFix(draft.id, LocationFix(HOME_LAT + 0.0003, HOME_LON, 8.0, "gps", false, System.currentTimeMillis()))
            val distance = session.device.distanceToHousehold(draft.id) ?: error("distance unknown offline")
            assertTrue(distance in 25.0..45.0, "about 33 m from the household: $distance")
            val signers = listOf(
                Triple(Signer.INVESTIGATOR1, "青岩调查员一（演示）", investigatorA),
                Triple(Signer.INVESTIGATOR2, "青岩调查员二（演示）", investigatorB),
                Triple(Signer.FAMILY_MEMBER, "测试户主甲（演示）", null),
            )
            val signatureHashes = signers.mapIndexed { i, (signer, name, userId) ->
                val png = TestImages.signaturePng(files.resolve("sign$i.png"), i)
                session.device.addSignature(draft.id, signer, name, userId, png.toString())
            }
            assertEquals(emptyList<Any>(), session.device.validateDraft(draft.id))
            val submissionId = session.device.finalise(draft.id)
            assertEquals(listOf(submissionId), session.device.outbox().map { it.submissionId })
            assertFalse(session.plan().flatMap { it.rows }.single { it.item.id == assignmentId }.isOpen, "finalised visits leave the open list")

            // Sync, watching the progress both as raw callbacks and as the state the sync banner shows.
            val recorder = RecordingListener()
            val banner = Collections.synchronizedList(mutableListOf<SyncState>())
            val watcher = launch(Dispatchers.Default) { session.syncState.collect { banner.add(it) } }
            yield()
            val end = session.sync(recorder)
            watcher.cancel()
            val summary = (end as? SyncState.Finished ?: error("sync failed: $end")).summary
            assertEquals(1u, summary.merged)
            assertEquals(emptyList<Any>(), summary.rejected)
            assertEquals(6u, summary.mediaUploaded, "three photos and three signatures")
            val uploaded = recorder.finalBytes()
            assertEquals((photoHashes + signatureHashes).toSet(), uploaded.keys)
            assertTrue(uploaded.values.all { (sent, total) -> sent == total && total > 0 }, "every file went up whole: $uploaded")
            assertEquals(summary.uploadedBytes.toLong(), uploaded.values.sumOf { it.second })
            val lastRunning = banner.filterIsInstance<SyncState.Running>().lastOrNull()
            assertNotNull(lastRunning, "the banner showed progress: $banner")
            assertTrue(lastRunning!!.bytesSent <= lastRunning.bytesTotal, "$lastRunning")
            assertEquals(end, session.syncState.value)
            assertEquals(listOf("sent"), session.device.outbox().map { it.state })

            // The case record on the server: the visit with the same photos, signatures, distance and actors.
            val record = desk.get("/api/v1/cases/$caseId").json()
            val visits = record.getJSONArray("visits")
            assertEquals(1, visits.length(), record.toString())
            val visit = visits.getJSONObject(0)
            assertEquals(submissionId, visit.getString("submission_id"))
            assertTrue(visit.getJSONObject("completeness").getBoolean("complete"), visit.toString())
            val serverPhotos = visit.getJSONArray("media").let { m -> (0 until m.length()).map { m.getJSONObject(it).getString("sha256") } }
            assertEquals(photoHashes, serverPhotos)
            for (sha in photoHashes) assertEquals(200, desk.get("/api/v1/media/$sha").status, "photo $sha downloadable")
            val serverDistance = visit.getJSONObject("gps").getDouble("distance_m")
            assertEquals(distance, serverDistance, 0.5, "same distance on both ends")
            val signatures = visit.getJSONArray("signatures").let { s -> (0 until s.length()).map { s.getJSONObject(it) } }
            assertEquals(listOf("investigator1", "investigator2", "family_member"), signatures.map { it.getString("role") })
            assertEquals(signatureHashes, signatures.map { it.getString("media_sha256") })
            assertEquals(investigatorA, visit.getJSONObject("submitted_by").getString("id"))
            assertEquals(phone.settings.deviceId, visit.getString("device_id"))
            val wages = record.getJSONObject("facts").getJSONObject("income.wages_fen")
            assertEquals(65_000, wages.getInt("value"))
            // (¥650 + ¥120) / 2 as the form calculates it, and both member rows merged into the case.
            assertEquals(38_500, record.getJSONObject("facts").getJSONObject("income.per_capita_fen").getInt("value"))
            assertEquals(2, record.getJSONObject("facts").getJSONObject("household.members").getJSONArray("value").length())
            assertEquals(submissionId, wages.getString("source_submission"))

            // A second sync sends nothing again, and the plan shows the visit as done.
            val again = (session.sync() as SyncState.Finished).summary
            assertEquals(0u, again.pushed)
            assertEquals(0uL, again.uploadedBytes)
            val done = session.plan().flatMap { it.rows }.single { it.item.id == assignmentId }
            assertEquals("completed", done.item.status)
        }
    }

    @Test
    fun `a wrong key is refused and changes nothing`() = runBlocking {
        val (_, assignmentId) = newAssignment("测试户主乙（演示）")
        val phone = newPhone("K")
        val draftId = phone.open().use { session ->
            session.login("qingyan.diaocha1", DEMO_PASSWORD)
            session.sync()
            val draft = session.device.startDraft(assignmentId)
            session.device.setAnswer(draft.id, "household_size", "2")
            val jpeg = TestImages.cameraJpeg(tmp.resolve("k.jpg"), 640, 480, 7)
            session.device.importPhoto(draft.id, "photos_outside", jpeg.toString())
            draft.id
        }
        val before = phone.fingerprint()
        assertTrue(before.keys.any { it.startsWith("media") }, "the photo is on disk: ${before.keys}")

        // Another platform key (e.g. after a keystore reset): unwrapping fails.
        val otherPlatformKey = Phone.newAesKey()
        val e1 = assertThrows(RuhuException.WrongKey::class.java) { phone.open(AesGcmKeyStore { otherPlatformKey }) }
        assertEquals("key_unavailable", e1.code)
        assertTrue(e1.userMessage().contains("密钥"), e1.userMessage())
        // A key store that hands back some other 32-byte key: the store itself refuses it.
        val e2 = assertThrows(RuhuException.WrongKey::class.java) { phone.open(ImpostorKeyStore()) }
        assertTrue(e2.userMessage().isNotBlank())
        assertEquals(before, phone.fingerprint(), "a wrong key changes no file")

        phone.open().use { session ->
            assertEquals("qingyan.diaocha1", session.user.value?.username)
            val answers = JSONObject(session.device.answersJson(draftId))
            assertEquals(2, answers.getInt("household_size"))
            assertEquals(1, answers.getJSONArray("photos_outside").length())
        }
    }

    @Test
    fun `wipe removes the store, the photos and the wrapped key`() = runBlocking {
        val (_, assignmentId) = newAssignment("测试户主丙（演示）")
        val phone = newPhone("W")
        phone.open().use { session ->
            session.login("qingyan.diaocha1", DEMO_PASSWORD)
            session.sync()
            val draft = session.device.startDraft(assignmentId)
            session.device.importPhoto(draft.id, "photos_outside", TestImages.cameraJpeg(tmp.resolve("w.jpg"), 640, 480, 9).toString())
            assertEquals(1, phone.mediaFiles())
            assertTrue(Files.exists(phone.storeFile) && Files.exists(phone.wrappedKeyFile))

            session.wipe()
            assertTrue(session.device.isWiped())
            assertNull(session.user.value)
            assertFalse(Files.exists(phone.storeFile), "store deleted")
            assertFalse(Files.exists(phone.mediaDir), "photos deleted")
            assertFalse(Files.exists(phone.wrappedKeyFile), "wrapped key deleted")
            assertThrows(RuhuException::class.java) { session.device.assignments() }
        }
        // The next start is a fresh, empty phone.
        phone.open().use { session ->
            assertNull(session.user.value)
            assertEquals(emptyList<Any>(), session.device.assignments())
        }
    }

    @Test
    fun `a revoked device is wiped on its next sync`() = runBlocking {
        val (_, assignmentId) = newAssignment("测试户主丁（演示）")
        val phone = newPhone("R")
        phone.open().use { session ->
            session.login("qingyan.diaocha1", DEMO_PASSWORD)
            session.sync()
            val draft = session.device.startDraft(assignmentId)
            session.device.importPhoto(draft.id, "photos_outside", TestImages.cameraJpeg(tmp.resolve("r.jpg"), 640, 480, 11).toString())
            assertEquals(1, phone.mediaFiles())

            val revoked = desk.revokeDevice(phone.settings.deviceId)
            assertFalse(revoked.isNull("revoked_at"))

            val end = session.sync()
            assertTrue(end is SyncState.Failed && end.reason == SyncFailure.REVOKED, "sync after revocation: $end")
            assertEquals("device_revoked", (end as SyncState.Failed).code)
            assertTrue(end.message.contains("停用"), end.message)
            assertNull(session.user.value, "back to the login screen")
            assertTrue(session.device.isWiped())
            assertFalse(Files.exists(phone.storeFile), "store deleted")
            assertEquals(0, phone.mediaFiles(), "photos deleted")
            assertFalse(Files.exists(phone.wrappedKeyFile), "wrapped key deleted with the store")
        }
        phone.open().use { session ->
            assertNull(session.user.value)
            assertEquals(emptyList<Any>(), session.device.assignments(), "nothing of the old data is left")
        }
    }

    @Test
    fun `without a server the phone reports offline and keeps working`() = runBlocking {
        val closedPort = java.net.ServerSocket(0).use { it.localPort }
        val phone = Phone(tmp.resolve("phones"), "http://127.0.0.1:$closedPort", "O-${Random.nextInt(1_000_000)}")
        phone.open().use { session ->
            val e = assertThrows(RuhuException.Offline::class.java) { runBlocking { session.login("qingyan.diaocha1", DEMO_PASSWORD) } }
            assertTrue(e.userMessage().isNotBlank())
            val end = session.sync()
            assertTrue(end is SyncState.Failed && end.reason == SyncFailure.NOT_LOGGED_IN, "sync before login: $end")
        }
    }

    /** Keeps every progress callback, as a notification or a log would see them. */
    private class RecordingListener : SyncListener {
        val pages: MutableList<Pair<UInt, UInt>> = Collections.synchronizedList(mutableListOf())
        val chunks: MutableList<Triple<String, ULong, ULong>> = Collections.synchronizedList(mutableListOf())

        override fun onPage(pagesDone: UInt, changesApplied: UInt) {
            pages.add(pagesDone to changesApplied)
        }

        override fun onUploadChunk(sha256: String, bytesSent: ULong, totalBytes: ULong) {
            chunks.add(Triple(sha256, bytesSent, totalBytes))
        }

        /** Per file: the most bytes sent and the file's size. */
        fun finalBytes(): Map<String, Pair<Long, Long>> =
            synchronized(chunks) { chunks.groupBy { it.first }.mapValues { (_, c) -> c.maxOf { it.second.toLong() } to c.first().third.toLong() } }
    }

    /** A key store that "unwraps" to a different key than the one the store was made with. */
    private class ImpostorKeyStore : KeyStore {
        override fun wrapKey(key: ByteArray): ByteArray = error("not used")

        override fun unwrapKey(wrapped: ByteArray): ByteArray = Random.nextBytes(32)
    }

    private companion object {
        const val VILLAGE = "520111101902"
        const val HOME_LAT = 26.3275
        const val HOME_LON = 106.6874
    }
}
