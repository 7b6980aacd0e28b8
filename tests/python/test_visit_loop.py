"""The offline home-visit loop driven through the generated Python bindings against a real ruhu-server."""

import asyncio
import gc
import json
import os
import secrets
import time

import pytest
from PIL import Image, ImageDraw

import ruhu_mobile as rm
from conftest import DEMO_PASSWORD, Desk

VILLAGE = "520111101902"
HOME = (26.3275, 106.6874)


class PadKeyStore(rm.KeyStore):
    """Wraps the database key with a pad only the test holds: the plain key never leaves Rust otherwise."""

    def __init__(self, pad=None):
        self.pad = pad or secrets.token_bytes(32)
        self.wrapped_seen = []

    def wrap_key(self, key):
        wrapped = bytes(a ^ b for a, b in zip(key, self.pad))
        self.wrapped_seen.append(wrapped)
        return wrapped

    def unwrap_key(self, wrapped):
        return bytes(a ^ b for a, b in zip(wrapped, self.pad))


class Progress(rm.SyncListener):
    def __init__(self):
        self.pages = []
        self.chunks = []

    def on_page(self, pages_done, changes_applied):
        self.pages.append((pages_done, changes_applied))

    def on_upload_chunk(self, sha256, bytes_sent, total_bytes):
        self.chunks.append((sha256, bytes_sent, total_bytes))


def settings(server, data_dir, name):
    return rm.DeviceSettings(data_dir=data_dir, server_url=server.url, device_id=f"py-{name}-{secrets.token_hex(4)}",
                             device_name=f"{name}的手机", app_version="0.1.0-python")


def photo(path, seed, size=(2400, 1800)):
    img = Image.new("RGB", size, (120 + seed * 20, 90, 60))
    draw = ImageDraw.Draw(img)
    for i in range(0, size[0], 40):
        draw.line([(i, 0), (size[0] - i, size[1])], fill=(seed * 50 % 255, i % 255, 200), width=5)
    img.save(path, "JPEG", quality=90)
    return str(path)


def signature(path, seed):
    img = Image.new("RGB", (480, 160), "white")
    ImageDraw.Draw(img).line([(20, 80 + seed * 5), (200, 40), (460, 120 - seed * 5)], fill="black", width=4)
    img.save(path, "PNG")
    return str(path)


def resident_id(birth, seq):
    """A valid GB 11643 ID number of Huaxi District for a birth date "YYYYMMDD"."""
    first17 = f"520111{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def test_visit_loop_through_python_bindings(server, tmp_path):
    desk = Desk(server.url, "qingyan.zuzhang")
    a, b = desk.user_id("qingyan.diaocha1"), desk.user_id("qingyan.diaocha2")
    case_id = desk.household_with_case(VILLAGE, "Python测试户（演示）", *HOME)
    assignment_id = desk.assign(case_id, a, b)

    keys = PadKeyStore()
    data_dir = str(tmp_path / "phone")
    phone_settings = settings(server, data_dir, "A")
    device = rm.RuhuDevice.open(phone_settings, keys)
    user = asyncio.run(device.login("qingyan.diaocha1", DEMO_PASSWORD))
    assert user.org_unit_name == "青岩镇"
    asyncio.run(device.sync(Progress()))
    item = next(i for i in device.assignments() if i.id == assignment_id)
    assert item.status == "assigned" and item.member_count == 2
    assert all("*" in m.resident_id_masked for m in device.household_members(assignment_id))

    # Offline from here on.
    server.stop()
    draft = device.start_draft(assignment_id)
    assert (draft.form_id, draft.form_version) == ("dibao-home-visit", 2)
    answers = {
        "visit_date": f'"{rm.today_in_china()}"', "visit_mode": '"in_person"', "household_size": "2",
        "members": json.dumps([
            {"member_name": "Python测试户（演示）", "relation": "self", "resident_id": resident_id("19580301", 1),
             "health": "serious", "disability_grade": "none", "work_capacity": "none"},
            {"member_name": "Python测试子女（演示）", "relation": "child", "resident_id": resident_id("19850709", 2),
             "health": "healthy", "disability_grade": "none", "work_capacity": "full", "employment": "farming"},
        ], ensure_ascii=False),
        "near_relative_of_staff": "false",
        "income_wages_fen": "65000", "income_business_fen": "0", "income_property_fen": "0", "income_transfer_fen": "12000",
        "has_excluded_income": "false",
        "bank_deposits_fen": "300000", "securities_fen": "0", "has_vehicle": "false", "house_count": "1",
        "house_area_m2": "58.5", "land_mu": "0.0", "has_business": "false",
        "housing_condition": '"own_unsafe"', "living_conditions": '"房屋漏雨，户主患慢性病。"', "high_spending_signs": "false",
        "rigid_expenses": '["medical"]', "expense_medical_fen": "15000",
        "neighbour_visited": "true", "neighbour_findings": '"邻居反映情况属实"', "opinion_result": '"consistent"',
        "location": f'{{"lat": {HOME[0] + 0.0003}, "lon": {HOME[1]}}}', "opinion": '"建议纳入低保。"',
    }
    for question, value in answers.items():
        device.set_answer(draft.id, question, value)
    with pytest.raises(rm.RuhuError.Validation) as refused:
        device.set_answer(draft.id, "household_size", '"两口人"')
    assert refused.value.problems[0].question_id == "household_size"

    photo_questions = ["photos_outside", "photos_inside", "photos_kitchen"]
    hashes = [device.import_photo(draft.id, q, photo(tmp_path / f"p{i}.jpg", i)).sha256 for i, q in enumerate(photo_questions)]
    device.record_fix(draft.id, rm.LocationFix(lat=HOME[0] + 0.0003, lon=HOME[1], accuracy_m=8.0, provider="gps",
                                                mock=False, time_ms=int(time.time() * 1000)))
    distance = device.distance_to_household(draft.id)
    assert 25 < distance < 45
    for i, (signer, name, uid) in enumerate([(rm.Signer.INVESTIGATOR1, "青岩调查员一（演示）", a),
                                             (rm.Signer.INVESTIGATOR2, "青岩调查员二（演示）", b),
                                             (rm.Signer.FAMILY_MEMBER, "Python测试户（演示）", None)]):
        device.add_signature(draft.id, signer, name, uid, signature(tmp_path / f"s{i}.png", i))
    assert device.validate_draft(draft.id) == []
    with pytest.raises(rm.RuhuError.Offline):
        asyncio.run(device.sync(Progress()))
    submission_id = device.finalise(draft.id)

    # The app process restarts: the store reopens with the key unwrapped by the key store.
    del device
    gc.collect()
    device = rm.RuhuDevice.open(phone_settings, keys)
    assert [o.state for o in device.outbox()] == ["pending"]
    server.start()

    progress = Progress()
    summary = asyncio.run(device.sync(progress))
    assert summary.merged == 1 and summary.rejected == []
    assert progress.chunks, "upload progress was reported per chunk"
    assert [o.state for o in device.outbox()] == ["sent"]

    record = desk.call("GET", f"/api/v1/cases/{case_id}")
    (visit,) = record["visits"]
    assert visit["submission_id"] == submission_id
    assert [m["sha256"] for m in visit["media"]] == hashes
    assert abs(visit["gps"]["distance_m"] - distance) < 0.5
    assert [s["role"] for s in visit["signatures"]] == ["investigator1", "investigator2", "family_member"]
    assert visit["submitted_by"]["id"] == a
    assert visit["form_version"] == 2
    # (¥650 + ¥120) / 2 members, as the form calculates it; the member rows are merged with their ages.
    assert record["facts"]["income.per_capita_fen"]["value"] == 38500
    assert [m["age"] is not None for m in record["facts"]["household.members"]["value"]] == [True, True]

    # Logout and wipe: the store, the photos and the wrapped key are gone.
    asyncio.run(device.logout())
    device.wipe()
    leftovers = [f for f in os.listdir(data_dir) if not f.startswith(".")] if os.path.exists(data_dir) else []
    assert leftovers == [], leftovers
    with pytest.raises(rm.RuhuError.Revoked):
        device.assignments()


def test_wrong_key_is_refused_and_changes_nothing(server, tmp_path):
    data_dir = str(tmp_path / "phone")
    phone_settings = settings(server, data_dir, "K")
    device = rm.RuhuDevice.open(phone_settings, PadKeyStore())
    asyncio.run(device.login("qingyan.diaocha3", DEMO_PASSWORD))
    del device
    gc.collect()
    before = {f: os.path.getsize(os.path.join(data_dir, f)) for f in os.listdir(data_dir)}
    with pytest.raises(rm.RuhuError.WrongKey):
        rm.RuhuDevice.open(phone_settings, PadKeyStore())  # another pad: unwraps to the wrong key
    after = {f: os.path.getsize(os.path.join(data_dir, f)) for f in os.listdir(data_dir)}
    assert before == after
