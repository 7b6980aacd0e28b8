"""ios/build-xcframework.sh needs macOS and Xcode; elsewhere it must stop at once with a clear message."""

import platform
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "build-xcframework.sh"


def test_script_is_valid_bash():
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


@pytest.mark.skipif(platform.system() == "Darwin", reason="on macOS the script really builds")
def test_script_refuses_to_run_off_macos_before_building_anything():
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "can only be built on macOS with Xcode" in done.stderr
    assert "cargo" not in done.stdout
