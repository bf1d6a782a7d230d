"""The app and its display: a display that is not there yet is waited for a moment (a session
started at login, an X server refusing a connection while it is busy), and one that never comes
is said in a sentence with exit status 1, never a panic."""
import os
import queue
import subprocess
import threading
from pathlib import Path

import pytest


def free_display():
    """A display number nothing uses (no socket, no lock file), from a range of this pytest-xdist
    worker's own: a test on another worker may be about to start its Xvfb on the one it found."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    for n in range(200 + 20 * worker, 220 + 20 * worker):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise AssertionError("no free display number")


def command(rota_bin, inputs, display, role=("--window", "dashboard")):
    """The command line and environment of `role` (the dashboard by default), on display `display`."""
    env = {**os.environ, **inputs.env(), "DISPLAY": f":{display}"}
    env.pop("WAYLAND_DISPLAY", None)
    return [rota_bin, "--config", str(inputs.config), *role], env


def start(rota_bin, inputs, display):
    args, env = command(rota_bin, inputs, display)
    app = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in app.stderr], daemon=True).start()
    return app, lines


def line_with(lines, text, timeout):
    """The first line of the app's output that holds `text` (what came before is kept in the error)."""
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line with {text!r} within {timeout} s; the app said: {seen}") from None
        seen.append(line)
        if text in line:
            return line


def test_the_windows_wait_for_a_display_a_moment_late(inputs, rota_bin):
    display = free_display()
    app, lines = start(rota_bin, inputs, display)
    xvfb = None
    try:
        # Refused at first (the display is not there): it says it tries again, and does not panic.
        line_with(lines, "could not be opened; trying again", timeout=30)
        xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The display comes: the window opens on it.
        line_with(lines, "dashboard window ready", timeout=60)
        assert app.poll() is None, "the windows process runs"
    finally:
        app.terminate()
        app.wait(timeout=30)
        if xvfb:
            xvfb.terminate()
            xvfb.wait(timeout=30)


@pytest.mark.parametrize("role", [("--window", "dashboard"), ("--tray", "tauri")], ids=["windows", "tauri-tray"])
def test_a_display_that_never_comes_is_a_sentence_not_a_panic(inputs, rota_bin, role):
    display = free_display()
    args, env = command(rota_bin, inputs, display, role)
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    assert out.stderr.strip().splitlines()[-1] == (
        f'rota: the display ":{display}" could not be opened (Failed to initialize GTK); is the desktop session running?')
    assert "panicked" not in out.stderr, out.stderr
