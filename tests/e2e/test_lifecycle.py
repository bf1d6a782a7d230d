"""Issue 15: an escalation's life from the tray. Each of my open escalations is a submenu (Open,
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


def entry(tray, path):
    """The menu entry at `path` (labels from the top), or None while it is not there."""
    node = tray.layout()
    for label in path:
        found = [c for c in node["children"] if c["visible"] and c["label"] == label]
        if not found:
            return None
        node = found[0]
    return node


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

    submenu = wait_for(lambda: entry(app.tray, ["My escalations (1)", line]), 15,
                       what="the escalation's submenu in the tray")
    assert [c["label"] for c in submenu["children"] if c["visible"]] == \
        ["Open", "Acknowledge", "Resolve", "Engage engineering…", "Reassign…"]

    click(app.tray, entry(app.tray, ["My escalations (1)", line, "Acknowledge"]))

    def acknowledged():
        [e] = [e for e in rota(rota_bin, inputs, "escalations", "--json") if e["id"] == filed["id"]]
        return e if e["state"] == "acknowledged" else None
    e = wait_for(acknowledged, 10, what="the escalation acknowledged in the backend")
    last = e["history"][-1]
    assert (last["state"], last["by"], last["at"]) == ("acknowledged", "keegancsmith", "2022-09-15T12:00:00Z")

    # The menu follows: the line says so, and Acknowledge is gone from its submenu.
    done = wait_for(lambda: entry(app.tray, ["My escalations (1)", line + " · acknowledged"]), 10,
                    what="the acknowledged line in the tray")
    assert "Acknowledge" not in [c["label"] for c in done["children"] if c["visible"]]

    # Resolve acts at once too: the escalation leaves my list.
    click(app.tray, entry(app.tray, ["My escalations (1)", line + " · acknowledged", "Resolve"]))
    wait_for(lambda: not any(l.startswith("My escalations") for l in app.tray.labels()), 10,
             what="the resolved escalation gone from the tray")
    [e] = [e for e in rota(rota_bin, inputs, "escalations", "--all", "--json") if e["id"] == filed["id"]]
    assert e["state"] == "resolved"


def test_engage_and_reassign_from_the_tray_open_their_forms(inputs, launch, rota_bin):
    """Engage engineering… and Reassign… need a word from me: the dashboard opens at the form
    (the form's side: test_escalations_panel's test_a_tray_items_form_opens_ready_to_type)."""
    from test_tray import app_argvs
    inputs.write()
    app = launch()
    wait_for(lambda: "rota: escalations watched" in app.output(), 20, what="the poller's first poll")
    filed = rota(rota_bin, inputs, "escalate", "--title", "Exports fail", "--to", "keegancsmith", "--json")
    line = "Exports fail · sev3"
    wait_for(lambda: entry(app.tray, ["My escalations (1)", line]), 15, what="the escalation's submenu")
    for item, kind in (("Engage engineering…", "engage"), ("Reassign…", "reassign")):
        click(app.tray, entry(app.tray, ["My escalations (1)", line, item]))
        wait_for(lambda: any(a[a.index("--show") + 1] == f"{kind}:{filed['id']}" for a in app_argvs() if "--show" in a), 20,
                 what=f"the dashboard asked for the {kind} form")
