"""Fixtures: the inputs a test writes (config, roster, schedule), and the real app it launches.

Run through tests/e2e.sh, which provides the D-Bus session, Xvfb, the tray host and tauri-driver,
and sets ROTA_BIN (the app binary) and ROTA_ARTIFACTS (where screenshots go).
"""
import json
import os
import pathlib
import signal
import subprocess

import dbus
import pytest

import webdriver
from dbusmenu import TrayItem, pid_of, registered_items, wait_for

NOW = "2022-09-15T12:00:00Z"  # a Thursday, inside the handbook's rotation 2022-09-07 to 2022-10-09

PEOPLE = [
    {"handle": "keegancsmith", "name": "Keegan", "timezone": "Africa/Johannesburg",
     "hours": "09:00-17:00", "days": "Mon-Fri"},
    {"handle": "valerybugakov", "name": "Valery", "timezone": "Europe/Berlin", "hours": "09:00-17:00"},
]

# The handbook's rows around NOW, as a schedule file a test can break.
SCHEDULE = """\
# Escalation rotation

| Rotation | Engineers |
| --- | --- |
| 2022-09-07 to 2022-10-09 | [@keegancsmith](https://github.com/keegancsmith), @valerybugakov |
| 2022-10-10 to 2022-11-07 | [@tbliu98](https://github.com/tbliu98), TBD, TBD |
"""


def toml(value):
    return json.dumps(value)  # a JSON string is a valid TOML basic string


class Inputs:
    """A folder with config.toml, people.toml and (when asked) rota.md; the app's HOME sits beside it."""

    def __init__(self, folder):
        self.dir = folder
        self.home = folder / "home"
        self.config = folder / "config.toml"
        self.roster = folder / "people.toml"
        self.schedule = folder / "rota.md"
        self.home.mkdir()

    def write(self, people=PEOPLE, schedule="builtin:handbook", timezone="UTC", keep_windows_minutes=0):
        """Writes the roster and config; schedule is a source name, or "file" for rota.md (SCHEDULE).
        The windows process ends with its last window (`keep_windows_minutes = 0`) unless a test
        asks for it to stay, as it does by default."""
        if schedule == "file":
            self.schedule.write_text(SCHEDULE)
            schedule = self.schedule.name
        self.roster.write_text("".join(
            "[[person]]\n" + "".join(f"{k} = {toml(v)}\n" for k, v in p.items()) + "\n"
            for p in people))
        self.config.write_text(
            f'me = "keegancsmith"\ntimezone = {toml(timezone)}\nkeep_windows_minutes = {keep_windows_minutes}\n\n'
            f'[schedule]\nsource = {toml(schedule)}\ntimezone = "UTC"\nhandoff = "00:00"\nteam_size = 3\n\n'
            f'[roster]\nsource = {toml(self.roster.name)}\n')
        return self

    def colleague(self, handle):
        """The same inputs as seen from `handle`'s desk (`me` is them; the same home, so the same
        local backend): what they file is filed by them, not by me."""
        other = Inputs.__new__(Inputs)
        other.__dict__.update(self.__dict__)
        other.config = self.dir / f"config-{handle}.toml"
        other.config.write_text(self.config.read_text().replace('me = "keegancsmith"', f'me = "{handle}"', 1))
        return other

    def env(self):
        """The app's environment: the pinned clock and its own home folders."""
        return {"ROTA_NOW": NOW, "HOME": str(self.home),
                "XDG_CONFIG_HOME": str(self.home / ".config"), "XDG_DATA_HOME": str(self.home / ".local/share"),
                "XDG_CACHE_HOME": str(self.home / ".cache")}


class App:
    """The app binary as a process of ours, its output in a log file."""

    def __init__(self, bus, binary, args, env, log):
        self.bus, self.log = bus, log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([binary, *args], env={**os.environ, **env},
                                         stdout=out, stderr=subprocess.STDOUT)
        self._tray = None

    def output(self):
        return self.log.read_text(errors="replace")

    @property
    def tray(self):
        """The app's tray item, once it has registered with the watcher."""
        if self._tray is None:
            self._tray = TrayItem.find(self.bus, self.proc.pid, timeout=20, alive=self.proc.poll)
        return self._tray

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            if self.wait_exit(10) is None:
                self.proc.kill()
                self.proc.wait()


def wait_gone(left, what):
    """Waits until `left()` (process ids; None for one already off the bus) is empty. What is still
    there after a while (say, an app tauri-driver launched for a session that then failed) is
    ended by its process id, so one failure does not fail every test after it."""
    try:
        wait_for(lambda: not left(), 15, what=what)
    except TimeoutError:
        for pid in filter(None, left()):
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not left(), 10, what=f"what was left over to end ({what})")


def wait_tray_empty(bus, keep=()):
    """Waits until the watcher lists no item but those of the processes in `keep` (apps the test
    still runs): any app from an earlier test, or from a session just quit, has left the bus."""
    wait_gone(lambda: [pid for pid in (pid_of(bus, name) for name, _ in registered_items(bus)) if pid not in keep],
              "earlier apps to leave the tray")


def pytest_generate_tests(metafunc):
    """ROTA_E2E_REPEAT=N runs every test selected N times (`-k` picks them): a race that fails one
    run in a hundred shows in a soak (scripts/soak)."""
    times = int(os.environ.get("ROTA_E2E_REPEAT", "1"))
    if times > 1:
        metafunc.fixturenames.append("repeat")
        metafunc.parametrize("repeat", range(times))


# What a running Rota owns on the session bus: the tray's name and its windows process's.
ROTA_NAMES = ("dev.rota.Tray", "dev.rota.tray.windows.SingleInstance")


def wait_rota_gone(bus):
    """Waits until no Rota owns a name on the bus: the tray's windows process (kept a while after
    its last window) ends with its tray, but not at once. A test that started while the last
    one's was still on the bus had its Ctrl+Alt+E answered there, in the last test's home."""
    wait_gone(lambda: [pid for pid in (pid_of(bus, name) for name in ROTA_NAMES) if pid], "the last test's Rota processes to leave the bus")


@pytest.fixture(scope="session")
def bus():
    return dbus.SessionBus()


@pytest.fixture(scope="session")
def rota_bin():
    binary = os.environ.get("ROTA_BIN")
    assert binary and os.access(binary, os.X_OK), "set ROTA_BIN to the rota binary (tests/e2e.sh does)"
    return binary


@pytest.fixture(scope="session")
def artifacts():
    folder = pathlib.Path(os.environ.get("ROTA_ARTIFACTS", pathlib.Path(__file__).parents[1] / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def inputs(tmp_path):
    return Inputs(tmp_path)


@pytest.fixture(params=["sni"])
def host(request):
    """The tray host the app is started with (`rota --tray HOST`): the lean one. What the tray
    process does behind either host (the poller, notices, the file followed, the model's lines) is
    tested once, here. Tests of what a host does itself (drawing and clicking its menu and
    submenus, its icon, the shortcut, single instance, its start and end) ask for both hosts:
    test_tray.py, test_lifecycle.py, the shortcut tests, test_session_end.py, test_panel.py."""
    return request.param


@pytest.fixture
def launched():
    """The apps `launch` started in this test: a `session` that ends before them leaves them be."""
    return []


@pytest.fixture
def launch(bus, rota_bin, inputs, host, launched):
    """launch(*extra_args) starts `rota --tray HOST --config config.toml ...`; every app started is
    stopped after."""
    apps = launched

    def start(*args):
        wait_tray_empty(bus)
        app = App(bus, rota_bin, ["--tray", host, "--config", str(inputs.config), *args], inputs.env(),
                  inputs.dir / f"app{len(apps)}.log")
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.stop()
    wait_tray_empty(bus)
    wait_rota_gone(bus)


@pytest.fixture
def session(bus, rota_bin, inputs, launched):
    """session(*extra_args): a WebDriver session whose browser is the app, quit after the test."""
    drivers = []

    def start(*args):
        wait_tray_empty(bus)
        driver = webdriver.start(rota_bin, ["--config", str(inputs.config), *args], inputs.env())
        drivers.append(driver)
        if "escalate" in args:
            # The quick escalate window is shown once its form is ready (never blank): its
            # fields take keys from then on.
            webdriver.wait(driver, lambda d: d.execute_script("return document.body?.dataset.shown === 'true'"),
                           timeout=60, what="the escalate window shown")
        return driver

    yield start
    for driver in drivers:
        driver.quit()
    running = {app.proc.pid for app in launched if app.proc.poll() is None}
    wait_tray_empty(bus, keep=running)
    if not running:
        wait_rota_gone(bus)
