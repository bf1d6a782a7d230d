"""the tray ends when its desktop session's bus closes (a logout), saying why, instead
of running on, unreachable, forever. A bus of the test's own stands for the session."""
import os
import subprocess

import pytest

import session_bus
from dbusmenu import wait_for


@pytest.mark.parametrize("host", ["sni", "tauri"])
def test_the_tray_ends_with_its_session_bus(inputs, rota_bin, host, tmp_path):
    inputs.write()
    bus, address = session_bus.start(tmp_path, tmp_path / "bus.log")
    env = {**os.environ, **inputs.env(), "DBUS_SESSION_BUS_ADDRESS": address}
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        app = subprocess.Popen([rota_bin, "--tray", host, "--config", str(inputs.config)], env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "rota: tray ready" in log.read_text(errors="replace"), 30, what="the tray")
        bus.terminate()  # the session ends
        bus.wait(10)
        try:
            status = app.wait(20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the tray runs on without its session: {log.read_text(errors='replace')}")
        said = log.read_text(errors="replace")
        assert status == 0, said
        assert "the desktop session's bus has closed" in said, said
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        if bus.poll() is None:
            bus.terminate()
