"""The tray menu, read and clicked over D-Bus (StatusNotifierItem + com.canonical.dbusmenu), as a
desktop's panel does: every test here runs against both tray hosts, the lean one (`--tray sni`)
and Tauri's (`--tray tauri`, through libayatana-appindicator), which draw the same model."""
import contextlib
import os
import pathlib
import subprocess
import re
import signal

import pytest

from conftest import SCHEDULE
from dbusmenu import registered_items, wait_for
from x11 import close_window

HEADER = "Rotation 7 Sep – 9 Oct 2022"
KEEGAN = "Keegan (you) — 14:00 SAST · working, until 17:00 (3 h left)"
VALERY = "Valery — 14:00 CEST · working, until 17:00 (3 h left)"
NEXT = "Next: Mon 10 Oct 00:00, in about 25 days — tbliu98 + 2 TBD"
ACTIONS = ["Escalate…  Ctrl+Alt+E", "Open dashboard", "Settings…", "Start at login", "Quit"]


@pytest.fixture(params=["sni", "tauri"])
def host(request):
    return request.param


def labels_once(app, check, what, timeout=15):
    """The menu's labels once check(labels) holds: the app fills the menu in after registering."""
    def ready():
        labels = app.tray.labels()
        return labels if check(labels) else None
    try:
        return wait_for(ready, timeout, what=what)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}; the menu is {app.tray.labels()}; the app said: {app.output()}")


def test_glance_lines(inputs, launch):
    inputs.write(schedule="builtin:handbook")
    app = launch()
    # The shortcut shows beside Escalate… once it is grabbed.
    labels = labels_once(app, lambda ls: HEADER in ls and ACTIONS[0] in ls, "the rotation header and the shortcut")
    assert labels == [HEADER, KEEGAN, VALERY, NEXT, "---", *ACTIONS]
    items = {i["label"]: i for i in app.tray.items()}
    for info in (HEADER, NEXT):
        assert not items[info]["enabled"], f"{info!r} should be a disabled (information) item"
    # A person's line reads as normal text (enabled: GTK and Qt grey disabled items out), and a
    # click on it opens the dashboard.
    for person in (KEEGAN, VALERY):
        assert items[person]["enabled"], f"{person!r} should be enabled"
    for action in ACTIONS:
        assert items[action]["enabled"], f"{action!r} should be enabled"
    assert items["Start at login"]["toggle_type"] == "checkmark"
    assert items["Start at login"]["toggle_state"] == 0  # a fresh HOME has no autostart entry


def test_ready_line_on_stderr(inputs, launch):
    inputs.write()
    app = launch()
    app.tray  # registered with the tray host
    wait_for(lambda: "rota: tray ready" in app.output(), 10, what="'rota: tray ready' on stderr")


def test_a_persons_line_opens_the_dashboard(inputs, launch):
    inputs.write(schedule="builtin:handbook")
    app = launch()
    # Clicked once the start-up is over (the shortcut grabbed is its last change): Tauri's host
    # rebuilds a changed menu with new ids, and a click on the old one is lost (CI saw it under load).
    labels_once(app, lambda ls: VALERY in ls and ACTIONS[0] in ls, "Valery's line and the shortcut")
    app.tray.click(VALERY)
    wait_for(lambda: "rota: dashboard window ready" in app.output(), 30, what="the dashboard after a click on Valery")
    # The dashboard is asked for Valery's card (the dashboard's side: test_a_persons_card_is_shown).
    assert any(argv[argv.index("--window") + 1:][:1] == ["dashboard"] and "--show" in argv
               and argv[argv.index("--show") + 1] == "person:valerybugakov" for argv in app_argvs(inputs)), app_argvs(inputs)


def test_a_burst_of_menu_calls_is_answered_in_the_order_it_came(inputs, launch):
    """libdbusmenu-gtk3, which draws the menus of Xfce's, Cinnamon's, MATE's and
    Budgie's panels, asks for items' properties in several calls without waiting, and builds an
    item only under a parent it has built already; answers out of order left an escalation's
    submenu empty. So calls that reach the tray together are answered in the order they were
    sent. They reach it together here because it is stopped while they are sent (SIGSTOP), as a
    busy tray would find them (the panel itself: test_panel.py)."""
    from gi.repository import Gio, GLib
    inputs.write()
    app = launch()
    labels_once(app, lambda ls: "Quit" in ls, "the menu filled in")
    ids = [i["id"] for i in app.tray.items()]
    name, menu = app.tray.name, str(app.tray.prop("Menu"))
    conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    loop, answered, calls = GLib.MainLoop(), [], 40

    def answer(conn, result, n):
        conn.call_finish(result)
        answered.append(n)
        if len(answered) == calls:
            loop.quit()
    os.kill(app.proc.pid, signal.SIGSTOP)
    try:
        for n in range(calls):
            # All the items, or one: answers that take longer to make, and shorter ones.
            asked = ids if n % 2 == 0 else [ids[n % len(ids)]]
            conn.call(name, menu, "com.canonical.dbusmenu", "GetGroupProperties", GLib.Variant("(aias)", (asked, [])),
                      None, Gio.DBusCallFlags.NONE, 10000, None, answer, n)
        conn.flush_sync(None)
    finally:
        os.kill(app.proc.pid, signal.SIGCONT)
    GLib.timeout_add_seconds(15, loop.quit)
    loop.run()
    assert answered == list(range(calls)), f"answered in the order {answered}"


def app_argvs(inputs):
    """The command lines of the running rota-app windows processes started for this test's config."""
    argvs = []
    for proc in pathlib.Path("/proc").iterdir():
        try:
            argv = [a.decode() for a in (proc / "cmdline").read_bytes().split(b"\0") if a]
        except OSError:
            continue
        if argv and argv[0].endswith("rota-app") and "--window" in argv and str(inputs.config) in argv:
            argvs.append(argv)
    return argvs


def test_quit_ends_process(inputs, launch):
    inputs.write()
    app = launch()
    labels_once(app, lambda ls: "Quit" in ls and ACTIONS[0] in ls, "a Quit item, the start-up over")
    app.tray.click("Quit")
    assert app.wait_exit(10) == 0, f"clicking Quit should end the app with status 0: {app.output()}"


def test_start_at_login_toggles(inputs, launch, rota_bin):
    inputs.write()
    app = launch()
    entry = inputs.home / ".config/autostart/rota.desktop"
    labels_once(app, lambda ls: "Start at login" in ls and ACTIONS[0] in ls, "a Start at login item, the start-up over")
    app.tray.click("Start at login")
    wait_for(lambda: app.tray.item("Start at login")["toggle_state"] == 1, 10, what="the check mark to be set")
    # The desktop's list of startup programs names Rota, and the entry starts the tray.
    # (Tauri's check item marks itself on the click; the entry follows a moment later.)
    wait_for(entry.exists, 10, what="the autostart entry written")
    lines = entry.read_text().splitlines()
    assert "Name=Rota" in lines and f"Exec={os.path.realpath(rota_bin)}" in lines, lines
    app.tray.click("Start at login")
    wait_for(lambda: app.tray.item("Start at login")["toggle_state"] == 0, 10, what="the check mark to clear")
    wait_for(lambda: not entry.exists(), 10, what="the autostart entry removed")


# Both ways of writing the file on the lean host; the way does not reach the host (the tray
# process follows the file behind either), so Tauri's draws the ⚠ line and the icon for one.
@pytest.mark.parametrize("host, how", [("sni", "in_place"), ("sni", "replace"), ("tauri", "replace")],
                         indirect=["host"])
def test_broken_schedule_keeps_last_good(inputs, launch, how):
    """Editing the schedule into an unparsable row: a ⚠ line naming file and line; the glance stays."""
    inputs.write(schedule="file")
    app = launch()
    labels_once(app, lambda ls: KEEGAN in ls, "the engineer lines")
    on_duty_icon = app.tray.icon()
    broken = SCHEDULE.replace("2022-09-07 to 2022-10-09", "2022-09-07 till 2022-10-09")  # line 5
    if how == "in_place":  # as `echo >` or an editor that writes in place
        inputs.schedule.write_text(broken)
    else:  # as editors that write a new file and rename it over the old one
        tmp = inputs.schedule.with_suffix(".tmp")
        tmp.write_text(broken)
        tmp.replace(inputs.schedule)
    labels = labels_once(app, lambda ls: any(l.startswith("⚠ ") for l in ls), "a ⚠ line", timeout=20)
    warning = next(l for l in labels if l.startswith("⚠ "))
    assert re.search(r"rota\.md(:| line )5\b", warning), f"the ⚠ line should name rota.md and line 5: {warning!r}"
    assert KEEGAN in labels and VALERY in labels, f"the last good lines should stay: {labels}"
    assert "Quit" in labels
    # The icon tells the states apart: on duty before, attention now.
    wait_for(lambda: app.tray.icon() != on_duty_icon, 10, what="the attention icon")


def descendants(pid):
    """The process names under pid, from /proc."""
    parents, names = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = open(f"/proc/{entry}/status").read()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            parents[int(entry)], names[int(entry)] = int(fields["PPid"]), fields["Name"].strip()
    found, frontier = [], {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier}
        found += [names[p] for p in frontier]
    return found


def webkit_processes(app):
    return [n for n in descendants(app.proc.pid) if n.startswith("WebKit")]


def test_no_webview_until_a_window_opens(inputs, launch, host):
    """Only the tray showing: no WebKit process. Open dashboard from the menu: one starts."""
    inputs.write()
    app = launch()
    labels_once(app, lambda ls: HEADER in ls and ACTIONS[0] in ls, "the rotation header, the start-up over")
    assert webkit_processes(app) == [], "no webview process should run while only the tray shows"
    maps = pathlib.Path(f"/proc/{app.proc.pid}/maps").read_text()
    if host == "sni":
        # The lean tray maps no toolkit, web engine or GL library (its idle memory is the app's
        # main cost: see ARCHITECTURE.md).
        for library in ("libgtk-3", "libwebkit2gtk", "libjavascriptcoregtk", "libLLVM", "libflite"):
            assert library not in maps, f"the tray process maps {library}"
    else:
        # Tauri's tray is GTK and an appindicator, in rota-app: the host asked for.
        assert "libgtk-3" in maps and "libayatana-appindicator3" in maps, "the Tauri host draws with GTK's appindicator"
    app.tray.click("Open dashboard")
    wait_for(lambda: webkit_processes(app), 20, what="a WebKit process after Open dashboard")
    wait_for(lambda: "rota: dashboard window ready" in app.output(), 20, what="the dashboard")
    # Closing the last window ends the windows process and every WebKit process with it.
    assert close_window("Rota") >= 1, "the dashboard window should be there to close"
    wait_for(lambda: webkit_processes(app) == [], 20, what="no WebKit process after the dashboard closed")
    assert app.proc.poll() is None, "the tray keeps running"


def test_a_second_start_opens_the_first_ones_dashboard(inputs, launch, rota_bin):
    """One instance per user: a second `rota` ends at once and the first opens its dashboard."""
    inputs.write()
    app = launch()
    app.tray
    second = subprocess.run([rota_bin, "--config", str(inputs.config)], env={**os.environ, **inputs.env()},
                            capture_output=True, timeout=30)
    assert second.returncode == 0
    wait_for(lambda: "rota: dashboard window ready" in app.output(), 20, what="the first instance's dashboard")
    assert len(registered_items(app.bus)) == 1, "still one tray item"


def read_until(stream, count, timeout, what):
    """Reads the pipe `stream` until `count(text read)` holds; fails after `timeout` seconds."""
    import select
    import time
    text, deadline = "", time.monotonic() + timeout
    while not count(text):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            pytest.fail(f"timed out after {timeout}s waiting for {what}; read: {text}")
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            pytest.fail(f"the pipe closed before {what}; read: {text}")
        text += chunk.decode(errors="replace")
    return text


def test_two_starts_at_once_show_one_dashboard(inputs, bus, rota_bin):
    """The dashboard asked for twice at the same moment (the tray opening it as a person starts
    Rota again): one windows process takes both requests, and a person sees one window. The
    second request reaches the first process while it is still making its window; it waits for
    that window and brings it forward, where it used to make a second one beside it."""
    from conftest import App, wait_gone
    from test_daily_uses import x_windows
    inputs.write()
    env = inputs.env()
    monitor = subprocess.Popen(["dbus-monitor", "type='signal',interface='dev.rota.Windows',member='Shown'"],
                               env={**os.environ, **env}, stdout=subprocess.PIPE)
    starts = []
    try:
        # A monitor is listening once it has given up its own name.
        read_until(monitor.stdout, lambda text: "member=NameLost" in text, 10, what="dbus-monitor")
        program = str(pathlib.Path(rota_bin).with_name("rota-app"))
        args = ["--window", "dashboard", "--config", str(inputs.config)]
        starts = [App(bus, program, args, env, inputs.dir / f"windows{n}.log") for n in range(2)]
        # Each request ends in the dashboard shown (made, or brought forward): two signals.
        read_until(monitor.stdout, lambda text: text.count('"dashboard"') >= 2, 30, what="the dashboard shown twice")
        handed = wait_for(lambda: [s for s in starts if s.proc.poll() is not None], 20,
                          what="the second start handing its request over and ending")
        assert [s.proc.returncode for s in handed] == [0], [s.output() for s in starts]
        assert len(x_windows("Rota")) == 1, "one dashboard: " + " / ".join(s.output() for s in starts)
    finally:
        monitor.terminate()
        for s in starts:
            s.stop()
        wait_gone(lambda: [s.proc.pid for s in starts if s.proc.poll() is None], "the windows process to end")


@contextlib.contextmanager
def desktop_without_a_tray_host(inputs, rota_bin, host, tmp_path):
    """The tray started on a session bus of the test's own, with a notification server and no
    tray host (a desktop whose panel shows no tray items, or has not come up yet). Yields the
    tray's process, what it has said so far (a function) and the notification server; ends them
    and the bus after."""
    from test_notifications import NotificationServer
    import session_bus
    inputs.write()
    bus, address = session_bus.start(tmp_path, tmp_path / "bus.log")
    assert session_bus.activatable(address) == [], "a bus of the test's own starts nothing of the machine's"
    env = {**os.environ, **inputs.env(), "DBUS_SESSION_BUS_ADDRESS": address}
    server = NotificationServer(tmp_path / "notify.jsonl", env)
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        app = subprocess.Popen([rota_bin, "--tray", host, "--config", str(inputs.config)], env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    try:
        yield app, lambda: log.read_text(errors="replace"), server
    finally:
        app.terminate()
        app.wait(10)
        server.stop()
        bus.terminate()
        bus.wait(10)


def test_a_desktop_without_a_tray_host_is_told_and_gets_the_dashboard(inputs, rota_bin, host, tmp_path):
    """Plain GNOME has no StatusNotifierItem host: the item would be invisible. Rota says so once in
    a notification that names the fix, and opens the dashboard. A session bus of its own, with a
    notification server and no tray host, stands for that desktop."""
    with desktop_without_a_tray_host(inputs, rota_bin, host, tmp_path) as (app, said, server):
        told = wait_for(lambda: [c for c in server.calls() if "no tray icons" in c["summary"]], 20,
                        what="the notification that no tray shows")
        assert len(told) == 1
        assert "AppIndicator" in told[0]["body"], told[0]["body"]
        wait_for(lambda: "rota: dashboard window ready" in said(), 30,
                 what=f"the dashboard instead of an invisible tray: {said()}")
        assert app.poll() is None, "the tray keeps running (it shows as soon as a host appears)"
        assert len([c for c in server.calls() if "no tray icons" in c["summary"]]) == 1, "said once"


def test_the_shortcut_opens_its_window_while_the_tray_waits_for_a_panel(inputs, rota_bin, host, tmp_path):
    """At login the tray often starts before the panel, and waits a while for one before it says
    none shows it and opens the dashboard. A person who presses Ctrl+Alt+E meanwhile gets the
    escalate window at once, not after that wait: the tray serves its requests while it waits. A
    session bus of the test's own, with no tray host, stands for the desktop before its panel."""
    from test_daily_uses import keys, x_windows
    with desktop_without_a_tray_host(inputs, rota_bin, host, tmp_path) as (app, said, server):
        wait_for(lambda: "rota: tray ready" in said(), 15, what="the tray")
        keys("ctrl+alt+e")
        wait_for(lambda: "rota: escalate window ready" in said(), 30, what=f"the escalate window: {said()}")
        text = said()
        assert "no tray host" not in text.split("rota: escalate window ready")[0], \
            f"the shortcut waited for the tray's look for a panel: {text}"
        # The look ends as before: no panel came, so the dashboard opens too.
        wait_for(lambda: "rota: dashboard window ready" in said(), 30, what=f"the dashboard after the wait: {said()}")
    # The windows end with the tray.
    wait_for(lambda: not x_windows("Escalate") and not x_windows("Rota"), 20, what="the windows to go")


def test_the_app_program_started_alone_starts_the_tray(inputs, bus, rota_bin):
    """`rota-app` is what a launcher or a macOS/Windows bundle starts with no arguments: the tray
    comes up (on Linux the lean one, through `rota` beside it)."""
    from conftest import App, wait_tray_empty
    inputs.write()
    wait_tray_empty(bus)
    app = App(bus, str(pathlib.Path(rota_bin).with_name("rota-app")), ["--config", str(inputs.config)], inputs.env(),
              inputs.dir / "app.log")
    try:
        labels = labels_once(app, lambda ls: HEADER in ls, "the rotation header")
        assert "Quit" in labels
    finally:
        app.stop()
    wait_tray_empty(bus)
