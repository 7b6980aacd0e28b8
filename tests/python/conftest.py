"""Fixtures for the Python bindings tests: the generated `ruhu_mobile` module and a real ruhu-server process."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest

BINDINGS_DIR = os.environ.get("RUHU_BINDINGS_DIR")
SERVER_BIN = os.environ.get("RUHU_SERVER_BIN")
DEMO_PASSWORD = "Ruhu#demo2026"

if not BINDINGS_DIR or not SERVER_BIN:
    raise RuntimeError("run through `cargo xtask test` (sets RUHU_BINDINGS_DIR and RUHU_SERVER_BIN)")
sys.path.insert(0, BINDINGS_DIR)

# The day the tests run on (ruhu_core::time): the library in this process and every server it starts are test builds
# and read it from RUHU_TEST_CLOCK. Anchored here, so that a server restarted mid-test reads the same time.
_CLOCK = os.environ.get("RUHU_TEST_CLOCK", "").strip()
if _CLOCK and "@" not in _CLOCK:
    os.environ["RUHU_TEST_CLOCK"] = f"{_CLOCK}@{int(time.time())}"


def today():
    """Today in China on the tests' clock (the core's, not this machine's)."""
    import ruhu_mobile
    return date.fromisoformat(ruhu_mobile.today_in_china())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """ruhu-server with demo data on a fixed loopback port, restartable on the same data folder."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        log = open(os.path.join(self.data_dir, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [SERVER_BIN, "--demo", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("ruhu-server did not become healthy; see server.log")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture
def server(tmp_path):
    s = Server(str(tmp_path / "server"))
    os.makedirs(s.data_dir)
    s.start()
    yield s
    s.stop()


class Desk:
    """The HTTP API as a supervisor's desk uses it."""

    def __init__(self, url, username):
        self.url = url
        body = {"username": username, "password": DEMO_PASSWORD, "device_id": f"py-desk-{username}"}
        self.token = None
        self.token = self.call("POST", "/api/v1/auth/login", body)["access_token"]

    def call(self, method, path, body=None, expect=200):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        payload = json.loads(raw) if raw else None
        assert status == expect, f"{method} {path}: {status} {payload}"
        return payload

    def user_id(self, username):
        users = self.call("GET", "/api/v1/users")
        return next(u["id"] for u in users if u["username"] == username)

    def household_with_case(self, village_code, head_name, lat, lon):
        birth = date(1960, 1, 1) + timedelta(days=secrets.randbelow(12000))
        seq = 100 + secrets.randbelow(800)
        members = [
            {"name": head_name, "resident_id": resident_id("520111", birth, seq), "relation": "户主"},
            {"name": "测试配偶（演示）", "resident_id": resident_id("520111", birth + timedelta(days=400), seq + 1), "relation": "配偶"},
        ]
        household = self.call("POST", "/api/v1/households", {
            "village_code": village_code, "head_name": head_name, "address": "青岩镇示范二村（演示）Python组",
            "location": {"lat": lat, "lon": lon}, "members": members,
        }, expect=201)
        # The application is registered and accepted at the township's counter, as the procedure has it.
        clerk = Desk(self.url, "qingyan.jingban")
        case = clerk.call("POST", "/api/v1/cases", {"household_id": household["id"], "assistance_type": "dibao"}, expect=201)
        clerk.call("POST", f"/api/v1/cases/{case['id']}/actions", {"action": "accept"})
        return case["id"]

    def assign(self, case_id, first, second):
        due = (today() + timedelta(days=5)).isoformat()
        return self.call("POST", "/api/v1/assignments", {"case_id": case_id, "investigator_ids": [first, second], "due_date": due}, expect=201)["id"]


WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def resident_id(area, birth, seq):
    """A valid GB 11643 number (demo data: it belongs to nobody)."""
    first17 = f"{area}{birth.strftime('%Y%m%d')}{seq % 1000:03d}"
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]
