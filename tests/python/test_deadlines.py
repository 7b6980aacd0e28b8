"""Deadlines on the phone: the case's stage and open steps come with the assignment and stay readable offline; a
step the township adds at the desk reaches the phone on its next sync."""

import asyncio
import secrets

import ruhu_mobile as rm
from conftest import DEMO_PASSWORD, Desk
from test_visit_loop import HOME, VILLAGE, PadKeyStore, Progress, settings


def open_steps(desk, case_id):
    view = desk.call("GET", f"/api/v1/cases/{case_id}/workflow")
    return {s["label_zh"]: s["due"] for s in view["open_steps"]}


def test_the_phone_shows_the_cases_deadlines_offline(server, tmp_path):
    supervisor = Desk(server.url, "qingyan.zuzhang")
    clerk = Desk(server.url, "qingyan.jingban")
    a, b = supervisor.user_id("qingyan.diaocha1"), supervisor.user_id("qingyan.diaocha2")
    case_id = supervisor.household_with_case(VILLAGE, f"期限测试户{secrets.token_hex(2)}（演示）", *HOME)
    assignment_id = supervisor.assign(case_id, a, b)

    device = rm.RuhuDevice.open(settings(server, str(tmp_path / "phone"), "D"), PadKeyStore())
    asyncio.run(device.login("qingyan.diaocha1", DEMO_PASSWORD))
    asyncio.run(device.sync(Progress()))
    server.stop()

    item = next(i for i in device.assignments() if i.id == assignment_id)
    assert item.case_stage_label == "调查核实中"
    server.start()
    expected = open_steps(clerk, case_id)
    assert expected, "an investigating case has due dates"
    assert {d.label: d.due_date for d in item.deadlines} == expected
    assert [d.due_date for d in item.deadlines] == sorted(d.due_date for d in item.deadlines), "earliest first"
    # The phone's verdict (judged offline from the server's dates) is the server's deadline list's.
    listed = clerk.call("GET", "/api/v1/deadlines")["items"]
    server_urgency = {i["step"]["label_zh"]: i["urgency"] for i in listed if i["case_id"] == case_id}
    assert {d.label: d.urgency for d in item.deadlines} == server_urgency
    assert all(d.urgency_label in ("已逾期", "即将到期", "未到期") for d in item.deadlines)

    # A real-name complaint at the desk owes the reporter feedback: the phone learns the new step on its next sync.
    clerk.call("POST", f"/api/v1/cases/{case_id}/complaints",
               {"real_name": True, "reporter_name": "举报人（演示）", "summary": "反映家中有经营收入"})
    asyncio.run(device.sync(Progress()))
    item = next(i for i in device.assignments() if i.id == assignment_id)
    labels = [d.label for d in item.deadlines]
    assert "向实名举报人反馈核查处理结果" in labels, labels
    assert {d.label: d.due_date for d in item.deadlines} == open_steps(clerk, case_id)
