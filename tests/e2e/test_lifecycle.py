"""an escalation's life from the tray. Each of my open escalations is a submenu (Open,
Acknowledge, Resolve, Engage engineering…, Reassign…); picking Acknowledge through the dbusmenu,
as a desktop's panel does, acknowledges it in the backend as me, and the menu shows it. Both tray
hosts (`--tray sni` and `--tray tauri`)."""
import json
import os
import subprocess
import time

import dbus
import pytest

from dbusmenu import DBUSMENU, wait_for


@pytest.fixture(params=["sni", "tauri"])
def host(request):
    return request.param


def rota(rota_bin, inputs, *args):
    out = subprocess.run([rota_bin, "--config", str(inputs.config), *args], env={**os.environ, **inputs.env()},
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if "--json" in args else out.stdout


def click(tray, node):
    menu = tray.bus.get_object(tray.name, str(tray.prop("Menu")), introspect=False)
    menu.Event(node["id"], "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(int(time.time())),
               dbus_interface=DBUSMENU, ignore_reply=True)


def test_acknowledge_from_the_escalations_submenu(inputs, launch, rota_bin):
    inputs.write()
    app = launch()
    wait_for(lambda: "rota: escalations watched" in app.output(), 20, what="the poller's first poll")
    filed = rota(rota_bin, inputs, "escalate", "--title", "Search is down", "--customer", "Acme",
                 "--severity", "sev2", "--to", "keegancsmith", "--json")
    line = "Search is down — Acme · sev2"

    submenu = wait_for(lambda: app.tray.entry(["My escalations (1)", line]), 15,
                       what="the escalation's submenu in the tray")
    assert [c["label"] for c in submenu["children"] if c["visible"]] == \
        ["Open", "Acknowledge", "Resolve", "Engage engineering…", "Reassign…"]

    click(app.tray, app.tray.entry(["My escalations (1)", line, "Acknowledge"]))

    def acknowledged():
        [e] = [e for e in rota(rota_bin, inputs, "escalations", "--json") if e["id"] == filed["id"]]
        return e if e["state"] == "acknowledged" else None
    e = wait_for(acknowledged, 10, what="the escalation acknowledged in the backend")
    last = e["history"][-1]
    assert (last["state"], last["by"], last["at"]) == ("acknowledged", "keegancsmith", "2022-09-15T12:00:00Z")

    # The menu follows: the line says so, and Acknowledge is gone from its submenu.
    done = wait_for(lambda: app.tray.entry(["My escalations (1)", line + " · acknowledged"]), 10,
                    what="the acknowledged line in the tray")
    assert "Acknowledge" not in [c["label"] for c in done["children"] if c["visible"]]

    # Resolve acts at once too: the escalation leaves my list.
    click(app.tray, app.tray.entry(["My escalations (1)", line + " · acknowledged", "Resolve"]))
    wait_for(lambda: not any(l.startswith("My escalations") for l in app.tray.labels()), 10,
             what="the resolved escalation gone from the tray")
    [e] = [e for e in rota(rota_bin, inputs, "escalations", "--all", "--json") if e["id"] == filed["id"]]
    assert e["state"] == "resolved"


def test_engage_and_reassign_from_the_tray_in_a_small_window(inputs, launch, rota_bin, artifacts, host):
    """Engage engineering… and Reassign… need a word from me: each opens a small window above the
    others, typed into with the keyboard (xdotool), as a person does. The tray polls as soon as the
    window has acted, so the menu follows at once (the poll interval is a minute). The form's
    details: test_action_window.py."""
    from test_daily_uses import keys, shows_confirmation, type_text, window_processes, x_windows
    inputs.write()
    app = launch()
    wait_for(lambda: "rota: escalations watched" in app.output(), 20, what="the poller's first poll")
    filed = rota(rota_bin, inputs, "escalate", "--title", "Exports fail", "--to", "keegancsmith", "--json")
    line = "Exports fail · sev3"
    wait_for(lambda: app.tray.entry(["My escalations (1)", line]), 15, what="the escalation's submenu")

    def backend():
        [e] = [e for e in rota(rota_bin, inputs, "escalations", "--all", "--json") if e["id"] == filed["id"]]
        return e

    def focus(title, n):
        wait_for(lambda: app.output().count("rota: action window ready") >= n, 20, what=f"the {title} window ready, time {n}")
        [window] = wait_for(lambda: x_windows(title), 20, what=f"the {title} window on screen")
        geometry = subprocess.run(["xdotool", "getwindowgeometry", window], capture_output=True, text=True, timeout=10).stdout
        width, height = map(int, geometry.split("Geometry: ")[1].split()[0].split("x"))
        assert width <= 520 and height <= 540, f"a small window: {width}x{height}"
        subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
        return window

    # Engage engineering…: the team typed, Enter.
    click(app.tray, app.tray.entry(["My escalations (1)", line, "Engage engineering…"]))
    window = focus("Engage engineering", 1)
    type_text("search-infra")
    keys("Return")
    wait_for(lambda: backend()["state"] == "handed_to_engineering", 15, what="the escalation engaged in the backend")
    e = backend()
    assert (e["team"], e["history"][-1]["by"]) == ("search-infra", "keegancsmith")
    wait_for(lambda: app.tray.entry(["My escalations (1)", line + " · handed to engineering"]), 10,
             what="the tray's line to follow at once")
    # What was done, on screen: the green bar of the confirmation, below the escalation's box.
    wait_for(lambda: shows_confirmation(window, artifacts / f"action-from-tray-{host}.png", top=190), 10,
             what="the confirmation drawn in the window")
    pressed = time.monotonic()
    keys("Escape")
    wait_for(lambda: not x_windows("Engage engineering"), 15, what="Esc to close the window")
    assert time.monotonic() - pressed < 4, "closed by Esc, not by the confirmation's own 6 s"

    # Reassign…: the policy's pick is chosen, so Enter hands it on; it leaves my menu.
    click(app.tray, app.tray.entry(["My escalations (1)", line + " · handed to engineering", "Reassign…"]))
    focus("Reassign", 2)
    keys("Return")
    wait_for(lambda: backend()["assignee"] == "valerybugakov", 15, what="the escalation reassigned in the backend")
    wait_for(lambda: not any(l.startswith("My escalations") for l in app.tray.labels()), 10,
             what="the reassigned escalation gone from my menu at once")
    wait_for(lambda: not window_processes(inputs), 20, what="the window to close after its confirmation")
