package cn.ruhu.app

import cn.ruhu.mobile.Draft
import cn.ruhu.mobile.LocationFix
import cn.ruhu.mobile.RuhuDevice
import cn.ruhu.mobile.Signer
import cn.ruhu.mobile.todayInChina
import java.nio.file.Files
import java.time.LocalDate
import kotlin.random.Random
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The form screen's model over the real engine: every row the screen draws comes from the form definition and the
 * library's FormView, and every edit goes back through `setAnswer` into the encrypted store of a real phone that
 * synced with a real ruhu-server.
 */
class FormScreenModelTest : DemoServerTest() {

    /** The screen of one draft as the app drives it; a refused edit here is a test failure. */
    private class Screen(val device: RuhuDevice, draft: Draft) {
        val controller = FormDraftController(device, draft.id, draft.formId, draft.formVersion)
        val model: FormScreenModel get() = controller.model

        fun reload() = controller.reload()

        fun apply(edit: Edit): FormScreenModel {
            check(edit is Edit.Save) { "edit refused: $edit" }
            return controller.apply(edit).also { check(controller.refusals.isEmpty()) { "store refused: ${controller.refusals}" } }
        }

        fun input(path: String, input: UserInput) = apply(model.edit(path, input))
        fun type(path: String, text: String) = input(path, UserInput.Typed(text))
        fun field(path: String) = model.field(path)
        fun shown(path: String) = model.row(path) != null
    }

    @Test
    fun `the 特困 form is filled through the screen model and finalised`() = runBlocking {
        val caseId = desk.householdWithCase(VILLAGE, "特困测试户主（演示）", HOME_LAT, HOME_LON, "tekun")
        val assignmentId = desk.assign(caseId, investigatorA, investigatorB)
        val phone = Phone(tmp.resolve("phones"), server.url, "F-${Random.nextInt(1_000_000)}")
        val files = Files.createDirectories(tmp.resolve("files-f"))

        phone.open().use { session ->
            session.login("qingyan.diaocha1", DEMO_PASSWORD)
            session.sync()
            val draft = session.device.startDraft(assignmentId)
            assertEquals("tekun-home-visit", draft.formId)
            val applicantId = session.device.householdMembers(assignmentId).first().residentId
            val s = Screen(session.device, draft)

            // The empty form: notes, required fields, calculations read-only, follow-ups hidden.
            assertEquals("特困人员救助供养入户调查表", s.model.title)
            assertTrue(s.model.rows.first() is NoteRow)
            assertEquals(QuestionKind.DATE, s.field("visit_date").kind)
            assertTrue(s.field("visit_date").required)
            assertTrue(s.field("age").readOnly, "the age is calculated from the ID number")
            assertFalse(s.shown("supporters"), "no supporters asked before 是否有义务人")
            assertFalse(s.shown("selfcare_class"), "no class before the six items")
            assertFalse(s.model.complete)
            assertEquals("已拍 0 张，至少需要 3 张", s.field("photos_house").photoStatus)
            assertEquals(
                listOf(SignerRole.INVESTIGATOR1, SignerRole.INVESTIGATOR2, SignerRole.FAMILY_MEMBER),
                listOf("sign_investigator_1", "sign_investigator_2", "sign_family").map { s.field(it).signer },
            )

            // Typed input that cannot be an answer is refused on the screen, in Chinese, and saves nothing.
            val badDate = s.model.edit("visit_date", UserInput.Typed("2026-13-01"))
            assertEquals(Edit.Refused("visit_date", "日期格式应为 年-月-日，如 2026-11-28"), badDate)
            assertEquals(Edit.Refused("income_wages_fen", "金额最多填写到分（两位小数）"), s.model.edit("income_wages_fen", UserInput.Typed("12.345")))
            assertTrue((s.model.edit("house_count", UserInput.Typed("一套")) as Edit.Refused).message.contains("整数"))
            assertEquals("{}", session.device.answersJson(draft.id).replace(" ", ""))

            val today = LocalDate.parse(todayInChina())
            s.type("visit_date", today.toString())
            assertEquals("${today.year}年${today.monthValue}月${today.dayOfMonth}日", s.field("visit_date").display)
            s.type("applicant_name", "特困测试户主（演示）")

            // A mistyped ID number: the engine's message appears under the field, and the age stays empty.
            s.type("resident_id", "520111195801011230")
            assertEquals(listOf("身份证号无效，请核对"), s.field("resident_id").problems.map { it.substringAfter("：") })
            assertNull(s.field("age").display)
            s.type("resident_id", applicantId)
            assertEquals(emptyList<String>(), s.field("resident_id").problems)
            val age = s.field("age").display?.toInt() ?: error("age not calculated")
            assertTrue(age >= 18, "an adult applicant: $age")
            assertFalse(s.shown("orphan_option"), "the orphan option is for minors only")

            // A disability asks for its grade; no disability hides the grade again.
            s.input("disability_type", UserInput.Pick("physical"))
            assertTrue(s.field("disability_grade").required)
            assertEquals("肢体残疾", s.field("disability_type").display)
            s.input("disability_type", UserInput.Pick("none"))
            assertFalse(s.shown("disability_grade"))
            assertEquals(Edit.Refused("disability_type", "请从选项中选择"), s.model.edit("disability_type", UserInput.Pick("blind")))
            s.input("other_incapacity", UserInput.YesNo(false))

            // Money is typed in yuan, saved in fen, and the total is calculated read-only.
            s.type("income_wages_fen", "0")
            s.type("income_business_fen", "0")
            s.type("income_property_fen", "15")
            s.type("income_transfer_fen", "1,300.5")
            assertEquals(130_050, JSONObject(session.device.answersJson(draft.id)).getInt("income_transfer_fen"))
            assertEquals("1300.50", s.field("income_transfer_fen").editText)
            assertEquals("¥1,315.50", s.field("income_total_fen").display)
            assertTrue(s.field("income_total_fen").readOnly)
            s.type("deposits_fen", "1000")
            s.input("has_vehicle", UserInput.YesNo(false))
            s.type("house_count", "1")
            s.input("assets_within_rules", UserInput.YesNo(true))

            // The repeat group of supporters: rows named "法定义务人第N项", fields addressed as supporters[N].x.
            s.input("has_supporters", UserInput.YesNo(true))
            val group = s.model.row("supporters") as RepeatRow
            assertEquals(0, group.rowCount)
            assertTrue(group.required)
            assertTrue(group.problems.isNotEmpty(), "at least one supporter is needed: $group")
            s.apply(s.model.addRow("supporters"))
            assertEquals("法定义务人第1项", (s.model.row("supporters[0]") as RepeatItemRow).title)
            s.type("supporters[0].supporter_name", "测试义务人（演示）")
            s.input("supporters[0].supporter_relation", UserInput.Pick("child"))
            s.input("supporters[0].supporter_ability", UserInput.Pick("tekun"))
            assertTrue(s.field("supporters[0].supporter_ability_note").required, "an unable supporter needs an explanation")
            assertEquals("0", s.field("able_supporters").display)
            assertEquals("是", s.field("no_able_supporter").display)
            s.input("supporters[0].supporter_ability", UserInput.Pick("able"))
            assertFalse(s.shown("supporters[0].supporter_ability_note"))
            assertEquals("1", s.field("able_supporters").display)
            assertEquals("否", s.field("no_able_supporter").display)
            s.apply(s.model.addRow("supporters"))
            s.type("supporters[1].supporter_name", "多余的一项")
            assertEquals(2, (s.model.row("supporters") as RepeatRow).rowCount)
            s.apply(s.model.removeRow("supporters", 1))
            assertFalse(s.shown("supporters[1]"))
            assertEquals("测试义务人（演示）", s.field("supporters[0].supporter_name").display)
            assertEquals(emptyList<String>(), (s.model.row("supporters") as RepeatRow).problems)

            // Self-care: four of six items missing make the class 完全丧失, calculated and read-only.
            val selfcare = mapOf("eating" to true, "dressing" to false, "bed" to false, "toilet" to false, "walking" to false)
            for ((item, yes) in selfcare) s.input("selfcare_$item", UserInput.YesNo(yes))
            assertFalse(s.shown("selfcare_class"), "shown once all six are answered")
            s.input("selfcare_bathing", UserInput.YesNo(true))
            assertEquals("4", s.field("selfcare_missing").display)
            assertEquals("完全丧失生活自理能力", s.field("selfcare_class").display)
            assertTrue(s.field("selfcare_class").readOnly)

            s.input("care_preference", UserInput.Pick("dispersed"))
            s.type("living_conditions", "独居，房屋老旧。")
            s.type("opinion", "符合特困人员认定条件，建议认定。")
            s.input("location", UserInput.Point(HOME_LAT, HOME_LON))
            assertEquals("纬度 26.32750，经度 106.68740", s.field("location").display)

            // Photos, a GPS fix and the three signatures.
            for (seed in 0 until 3) session.device.importPhoto(draft.id, "photos_house", TestImages.cameraJpeg(files.resolve("h$seed.jpg"), 800, 600, seed).toString())
            session.device.importPhoto(draft.id, "photos_documents", TestImages.cameraJpeg(files.resolve("d.jpg"), 800, 600, 9).toString())
            session.device.recordFix(draft.id, LocationFix(HOME_LAT, HOME_LON, 6.0, "gps", false, System.currentTimeMillis()))
            s.reload()
            assertEquals("已拍 3 张", s.field("photos_house").photoStatus)
            assertFalse(s.field("sign_family").signed)
            val signers = listOf(
                Triple(Signer.INVESTIGATOR1, "青岩调查员一（演示）", investigatorA),
                Triple(Signer.INVESTIGATOR2, "青岩调查员二（演示）", investigatorB),
                Triple(Signer.FAMILY_MEMBER, "特困测试户主（演示）", null),
            )
            signers.forEachIndexed { i, (signer, name, userId) ->
                session.device.addSignature(draft.id, signer, name, userId, TestImages.signaturePng(files.resolve("s$i.png"), i).toString())
            }
            s.reload()
            assertTrue(s.field("sign_family").signed)
            assertEquals(emptyList<String>(), s.model.problems)
            assertTrue(s.model.complete)

            session.device.finalise(draft.id)
            val end = session.sync() as? SyncState.Finished ?: error("sync failed")
            assertEquals(1u, end.summary.merged)
            val facts = desk.get("/api/v1/cases/$caseId").json().getJSONObject("facts")
            assertEquals("fully_lost", facts.getJSONObject("tekun.selfcare_class").getString("value"))
            assertEquals(131_550, facts.getJSONObject("income.monthly_total_fen").getInt("value"))

            // The next visit of the case shows what the case holds beside each question (上次记录).
            val second = desk.assign(caseId, investigatorA, investigatorB)
            session.sync()
            val next = Screen(session.device, session.device.startDraft(second))
            assertEquals("上次记录：¥15.00", next.field("income_property_fen").previous)
            assertEquals("上次记录：在家分散供养", next.field("care_preference").previous)
            assertEquals("上次记录：否", next.field("has_vehicle").previous)
            assertNull(next.field("visit_date").previous, "a question without a fact has no record")
        }
    }

    @Test
    fun `decimal and multiple-choice answers of the 低保 form go through the model`() = runBlocking {
        // dibao-home-visit v2 (members, land, housing area, excluded income) is the published form of a new 低保 visit.
        val caseId = desk.householdWithDibaoCase(VILLAGE, "低保测试户主（演示）", HOME_LAT, HOME_LON)
        val assignmentId = desk.assign(caseId, investigatorA, investigatorB)
        val phone = Phone(tmp.resolve("phones"), server.url, "D-${Random.nextInt(1_000_000)}")
        phone.open().use { session ->
            session.login("qingyan.diaocha1", DEMO_PASSWORD)
            session.sync()
            val draft = session.device.startDraft(assignmentId)
            assertEquals("dibao-home-visit" to 2u, draft.formId to draft.formVersion)
            val s = Screen(session.device, draft)

            assertEquals(QuestionKind.DECIMAL, s.field("land_mu").kind)
            assertFalse(s.shown("land_use"))
            assertTrue((s.model.edit("land_mu", UserInput.Typed("两亩")) as Edit.Refused).message.contains("数字"))
            s.type("land_mu", "2.5")
            assertEquals(2.5, JSONObject(session.device.answersJson(draft.id)).getDouble("land_mu"))
            assertTrue(s.field("land_use").required, "land in use asks how it is used")
            s.type("land_mu", "0")
            assertFalse(s.shown("land_use"))
            s.type("land_mu", "-1")
            assertTrue(s.field("land_mu").problems.isNotEmpty(), "the engine's constraint shows under the field")

            assertEquals(QuestionKind.SELECT_MULTIPLE, s.field("rigid_expenses").kind)
            s.input("rigid_expenses", UserInput.Toggle("education", true))
            s.input("rigid_expenses", UserInput.Toggle("medical", true))
            assertEquals(setOf("medical", "education"), s.field("rigid_expenses").selected)
            assertEquals("医疗、教育", s.field("rigid_expenses").display)
            assertEquals("[\"medical\",\"education\"]", JSONObject(session.device.answersJson(draft.id)).getJSONArray("rigid_expenses").toString())
            s.input("rigid_expenses", UserInput.Toggle("medical", false))
            assertEquals(setOf("education"), s.field("rigid_expenses").selected)

            s.type("land_mu", "")
            assertFalse(JSONObject(session.device.answersJson(draft.id)).has("land_mu"), "a cleared box clears the answer")
        }
    }

    private companion object {
        const val VILLAGE = "520111101902"
        const val HOME_LAT = 26.3275
        const val HOME_LON = 106.6874
    }
}
