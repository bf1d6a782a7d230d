"""Escalation notifications from the real app, through a real D-Bus notification server.

A new assignment in the local backend shows exactly one notification with the right text and
actions; invoking Acknowledge acknowledges it in the backend; a restart shows it no second time.
"""
import glob
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from dbusmenu import wait_for

SERVER = pathlib.Path(__file__).with_name("notification_server.py")
ROOT = pathlib.Path(__file__).resolve().parents[2]


class NotificationServer:
    """tests/e2e/notification_server.py, recording each Notify call as a JSON line."""

    def __init__(self, log, env=None):
        self.log = log
        self.proc = subprocess.Popen([sys.executable, "-u", str(SERVER), str(log)], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "READY"

    def calls(self):
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def invoke(self, nid, key):
        self.proc.stdin.write(f"invoke {nid} {key}\n")
        self.proc.stdin.flush()

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(10)


@pytest.fixture
def notifications(tmp_path):
    server = NotificationServer(tmp_path / "notify.jsonl")
    yield server
    server.stop()


def assert_rotas_icon(call, env):
    """The server is told Rota's icon: the icon theme's name where the package put it there, else
    (a build run as it is) Rota's icon as a file of its own, never a name no theme has (which a
    server draws as a broken image)."""
    folders = [pathlib.Path(f) for f in [env["XDG_DATA_HOME"], *(env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")]]
    installed = any(any(f.glob("icons/hicolor/*/apps/rota-app.*")) or (f / "pixmaps/rota-app.png").is_file() for f in folders)
    if installed:
        assert call["app_icon"] == "rota-app", call
    else:
        assert call["app_icon"].startswith("file:///"), call
        icon = pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(call["app_icon"]).path))
        assert icon.read_bytes() == (ROOT / "icons" / "128x128.png").read_bytes(), icon


def rota(rota_bin, inputs, *args):
    out = subprocess.run([rota_bin, "--config", str(inputs.config), *args], env={**os.environ, **inputs.env()},
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if "--json" in args else out.stdout


def test_a_new_assignment_notifies_once_and_acknowledge_reaches_the_backend(inputs, launch, notifications, rota_bin):
    inputs.write()
    app = launch()
    wait_for(lambda: "rota: escalations watched" in app.output(), 20, what="the poller's first poll")

    start = time.monotonic()
    # A support engineer files it to me, from a desk of their own (the same backend).
    filed = rota(rota_bin, inputs.colleague("support-sam"), "escalate", "--title", "SSO login loops", "--customer", "Acme",
                 "--severity", "sev1", "--url", "https://support.example.com/t/42", "--to", "keegancsmith", "--json")
    [call] = wait_for(lambda: notifications.calls() or None, 10, interval=0.02, what="a Notify call")
    latency = time.monotonic() - start
    print(f"assignment (rota escalate, incl. its start-up) to Notify: {latency * 1000:.0f} ms")

    assert call["app_name"] == "Rota"
    assert call["summary"] == "New escalation: SSO login loops"
    assert "Acme" in call["body"] and "sev1" in call["body"] and "Reporter: support-sam" in call["body"]
    # A click on the bubble opens it too: the "default" action.
    assert call["actions"] == ["default", "", "open", "Open", "acknowledge", "Acknowledge"]
    assert call["urgency"] == 2, "sev1 is critical"
    # Rota's icon and desktop entry: the server shows whose notification it is.
    assert_rotas_icon(call, {**os.environ, **inputs.env()})
    assert call["hints"].get("desktop-entry") in ("rota-app", "Rota"), call["hints"]

    # The tray lists it and shows the attention state.
    wait_for(lambda: "My escalations (1)" in app.tray.labels(), 10, what="My escalations (1) in the tray")

    notifications.invoke(call["id"], "acknowledge")

    def acknowledged():
        [e] = [e for e in rota(rota_bin, inputs, "escalations", "--json") if e["id"] == filed["id"]]
        return e["state"] == "acknowledged"
    wait_for(acknowledged, 10, interval=0.1, what="the escalation acknowledged in the backend")

    # A restart shows nothing twice.
    app.stop()
    again = launch()
    wait_for(lambda: "rota: escalations watched" in again.output(), 20, what="the poller's first poll after a restart")
    assert len(notifications.calls()) == 1, notifications.calls()


def test_a_colleague_is_named_and_a_bubble_without_a_link_opens_the_dashboard(inputs, launch, notifications, rota_bin):
    """the reporter is said by their name from the roster ("Reporter: Valery", not the
    handle); an escalation with no link still has a default action, and a click on the bubble
    opens the dashboard."""
    from test_daily_uses import window_processes, x_windows
    inputs.write()
    app = launch()
    wait_for(lambda: "rota: escalations watched" in app.output(), 20, what="the poller's first poll")
    rota(rota_bin, inputs.colleague("valerybugakov"), "escalate", "--title", "Webhooks stall", "--to", "keegancsmith", "--json")
    [call] = wait_for(lambda: notifications.calls() or None, 10, interval=0.02, what="a Notify call")
    assert call["summary"] == "New escalation: Webhooks stall"
    assert "Reporter: Valery" in call["body"].splitlines(), call["body"]
    assert call["actions"] == ["default", "Show in Rota", "acknowledge", "Acknowledge"], call["actions"]
    assert not x_windows("Rota") and not window_processes(inputs)
    notifications.invoke(call["id"], "default")
    try:
        wait_for(lambda: x_windows("Rota"), 20, what="the dashboard, opened by a click on the bubble")
    except TimeoutError as e:
        raise AssertionError(f"{e}; the app said:\n{app.output()}") from e


def test_filing_from_the_window_is_said_once_by_the_tray(inputs, launch, notifications, rota_bin):
    """Ctrl+Alt+E, a title, the engineer, Enter: the window confirms and goes; the tray says it
    once more, as a notification that stays after the window has gone. Filed to myself, nothing
    is said beyond the window's banner: no "Filed", no "New escalation"; the menu lists
    it."""
    from test_daily_uses import escalations, keys, type_text, window_processes, x_windows
    inputs.write()
    app = launch()
    wait_for(lambda: "rota: tray ready" in app.output(), 15, what="the tray")

    def said():
        return [c for c in notifications.calls() if c["summary"].startswith("Filed ")]

    def file(title, *to_keys):
        n = app.output().count("rota: escalate window ready") + 1
        keys("ctrl+alt+e")
        wait_for(lambda: app.output().count("rota: escalate window ready") >= n, 60, what=f"the escalate window for {title}")
        [window] = wait_for(lambda: x_windows("Escalate"), 10, what="the Escalate window on screen")
        subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
        type_text(title)
        keys(*to_keys, "Return")
        [filed] = wait_for(lambda: [e for e in escalations(rota_bin, inputs) if e["title"] == title] or None, 15,
                           what=f"{title} in the backend")
        wait_for(lambda: not x_windows("Escalate") and not window_processes(inputs), 20, what="the window to go")
        return filed

    # To Valery: Tab to the engineers (Keegan, the suggestion, is checked), Down, Enter.
    filed = file("Filed from the keyboard 1", *["Tab"] * 5, "Down")
    assert filed["assignee"] == "valerybugakov", filed
    [call] = wait_for(lambda: said() or None, 15, interval=0.05, what="the tray's word on filing to Valery")
    assert call["summary"] == f"Filed #{filed['id']} to Valery", call
    assert "Filed from the keyboard 1" in call["body"], call

    # To me (the suggestion): the banner only; the tray's menu lists it after its poll.
    mine = file("Filed from the keyboard 2")
    assert mine["assignee"] == "keegancsmith", mine
    wait_for(lambda: "My escalations (1)" in app.tray.labels(), 15, what="my own escalation in the tray's menu")
    about_it = [c for c in notifications.calls() if "Filed from the keyboard 2" in c["summary"] + c["body"]]
    assert about_it == [], about_it
    assert len(said()) == 1, said()


def test_a_filing_told_twice_is_said_once(inputs, launch, notifications, bus):
    """A window's webview sends a command again when its page reloads while the command runs;
    the filing is filed once (by its client key), and the window then tells the tray twice, as
    here over the tray's D-Bus interface. The tray says it once; another filing, told after, is
    said, so the word on the second telling was not merely late."""
    import dbus
    inputs.write()
    app = launch()
    wait_for(lambda: "rota: tray ready" in app.output(), 15, what="the tray")
    tray = dbus.Interface(bus.get_object("dev.rota.Tray", "/dev/rota/Tray"), "dev.rota.Tray1")
    first, second = "rota-" + "1" * 32, "rota-" + "2" * 32
    tray.Filed("Filed #7 to Valery", "Told twice", "", first, False)
    tray.Filed("Filed #7 to Valery", "Told twice", "", first, False)
    # Saved to be sent, then sent: two things to say.
    tray.Filed("Saved, waiting to send to Valery", "Told once", "", second, True)
    tray.Filed("Filed #8 to Valery", "Told once", "", second, False)
    wait_for(lambda: [c for c in notifications.calls() if c["summary"] == "Filed #8 to Valery"], 15,
             what="the word on the filing told after")
    said = [c["summary"] for c in notifications.calls()]
    assert said == ["Filed #7 to Valery", "Saved, waiting to send to Valery", "Filed #8 to Valery"], said


def notify_calls(monitor_lines):
    """The Notify calls in dbus-monitor's output, each as (summary, actions)."""
    calls, lines = [], list(monitor_lines)
    for n, line in enumerate(lines):
        if "member=Notify" not in line:
            continue
        strings = [l.strip() for l in lines[n + 1:n + 6]]
        summary = strings[3][len('string "'):-1] if len(strings) > 3 else ""
        start = next((i for i in range(n + 1, len(lines)) if lines[i] == "   array ["), None)
        if start is None:
            continue
        end = next((i for i in range(start, len(lines)) if lines[i] == "   ]"), None)
        if end is None:
            continue
        actions = [l.strip()[len('string "'):-1] for l in lines[start + 1:end]]
        calls.append((summary, actions))
    return calls


def test_on_xfce4_notifyd_open_is_one_button_and_a_click_on_acknowledge_acknowledges(inputs, launch, rota_bin, artifacts, bus):
    """xfce4-notifyd (Xfce's notification server, used on other desktops too) draws the `default`
    action as a button of its own, where most servers take it for a click on the bubble: Rota's
    notification there shows Open once, beside Acknowledge (it showed Open twice), and a click
    with the mouse on Acknowledge acknowledges the escalation."""
    [server] = glob.glob("/usr/lib/*/xfce4/notifyd/xfce4-notifyd") or [None]
    assert server, "xfce4-notifyd is not installed (scripts/deps installs it)"
    monitor = subprocess.Popen(["dbus-monitor", "--monitor", "interface='org.freedesktop.Notifications',member='Notify'"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = []
    threading.Thread(target=lambda: [seen.append(line.rstrip("\n")) for line in monitor.stdout], daemon=True).start()
    notifyd = subprocess.Popen([server], stdout=subprocess.DEVNULL, stderr=(inputs.dir / "xfce4-notifyd.log").open("w"))
    try:
        wait_for(lambda: bus.name_has_owner("org.freedesktop.Notifications"), 20, what="xfce4-notifyd on the bus")
        inputs.write()
        app = launch()
        wait_for(lambda: "rota: escalations watched" in app.output(), 20, what="the poller's first poll")
        filed = rota(rota_bin, inputs.colleague("support-sam"), "escalate", "--title", "Invoices stuck", "--customer", "Acme",
                     "--severity", "sev2", "--url", "https://support.example.com/t/7", "--to", "keegancsmith", "--json")
        [(_, actions)] = wait_for(lambda: [c for c in notify_calls(seen) if "Invoices stuck" in c[0]] or None, 10,
                                  what="Rota's Notify call to xfce4-notifyd")
        assert actions == ["open", "Open", "acknowledge", "Acknowledge"], actions

        def bubble():
            out = subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "xfce4-notifyd"], capture_output=True, text=True, timeout=10)
            for window in out.stdout.split():
                geometry = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], capture_output=True, text=True, timeout=10).stdout
                g = dict(line.split("=", 1) for line in geometry.split())
                if int(g["WIDTH"]) > 100 and int(g["HEIGHT"]) > 50:
                    return window, int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])
            return None
        window, x, y, w, h = wait_for(bubble, 10, what="the bubble on screen")
        subprocess.run(["import", "-window", window, str(artifacts / "notification-xfce4-notifyd.png")], check=True, timeout=10)

        # Acknowledge is the last button, at the bubble's bottom right.
        subprocess.run(["xdotool", "mousemove", str(x + w - 64), str(y + h - 31), "click", "1"], check=True, timeout=10)

        def acknowledged():
            [e] = [e for e in rota(rota_bin, inputs, "escalations", "--json") if e["id"] == filed["id"]]
            return e["state"] == "acknowledged"
        wait_for(acknowledged, 10, interval=0.1, what="the escalation acknowledged by the click")
    finally:
        notifyd.terminate()
        notifyd.wait(10)
        monitor.terminate()
        wait_for(lambda: not bus.name_has_owner("org.freedesktop.Notifications"), 10, what="xfce4-notifyd gone")
