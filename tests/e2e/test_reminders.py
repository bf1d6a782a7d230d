"""Nothing waits in silence, from the real tray through a real D-Bus notification server.

The clock is pinned (ROTA_NOW) and moved between runs of the tray, as in test_handoff_notices.py:
the reminder counted in working minutes (an evening filing is reminded of the next morning), once
and not after an acknowledgement; Take from an offer's notification and from the tray's menu on
both tray hosts; the day's
start said once; a sev3 assigned while I sleep held for it, a sev1 said at once. The decisions are
the core's (core/tests/it/remind.rs); these show the tray process carrying them out.
"""
import os
import subprocess

import pytest

from conftest import Inputs
from dbusmenu import wait_for
from test_lifecycle import click
from test_notifications import notifications, rota  # noqa: F401  (the fixture)
from test_tray import labels_once

# Me (keegancsmith) in Johannesburg (UTC+2) 09:00-17:00; Lord Howe (UTC+10:30 in September).
PEOPLE = [
    {"handle": "keegancsmith", "name": "Keegan", "timezone": "Africa/Johannesburg", "hours": "09:00-17:00", "days": "Mon-Fri"},
    {"handle": "lh", "name": "Lord Howe", "timezone": "Australia/Lord_Howe", "hours": "09:00-17:00", "days": "Mon-Fri"},
]
SCHEDULE = """\
| Rotation | Engineers |
| --- | --- |
| 2022-09-07 to 2022-10-09 | @keegancsmith, @lh |
"""


def team(inputs):
    inputs.write(people=PEOPLE, schedule="file")
    inputs.schedule.write_text(SCHEDULE)
    return inputs


def at(inputs, now):
    """Pins the clock at `now` for the next launch, and for the commands run with these inputs."""
    inputs.env = lambda: {**Inputs.env(inputs), "ROTA_NOW": now}
    return inputs


def file(rota_bin, inputs, now, *args):
    """A support engineer (sam) files an escalation at `now`, from a desk of their own."""
    desk = at(inputs.colleague("support-sam"), now)
    return rota(rota_bin, desk, "escalate", "--json", *args)


def watched(app):
    wait_for(lambda: "rota: escalations watched" in app.output(), 20, what=f"the poller's first poll: {app.output()}")


def said(app, summary, timeout=20):
    """Waits for the tray's log line that `summary` was shown (after the Notify call returned)."""
    wait_for(lambda: f"rota: notice shown: {summary}" in app.output(), timeout, what=f"{summary!r} shown: {app.output()}")


def summaries(notifications):
    return [c["summary"] for c in notifications.calls()]


def quit_app(app):
    labels_once(app, lambda ls: "Quit" in ls, "a Quit item")
    app.tray.click("Quit")
    assert app.wait_exit(10) == 0, app.output()


def test_an_evening_filing_is_reminded_of_the_next_morning_once_and_not_after_the_acknowledgement(inputs, launch, notifications, rota_bin):  # noqa: F811
    team(inputs)
    # Filed to me Wednesday 21:50 my time (19:50Z), as I stop for the night.
    filed = file(rota_bin, inputs, "2022-09-14T19:50:00Z", "--title", "Billing export hangs", "--to", "keegancsmith")
    reminder = f"#{filed['id']} has waited 30 working minutes for you"

    # 22:20 my time, thirty wall-clock minutes on: no reminder (none of them were working minutes).
    at(inputs, "2022-09-14T20:20:00Z")
    app = launch()
    watched(app)
    quit_app(app)
    assert reminder not in summaries(notifications), summaries(notifications)

    # Thursday 09:30 my time: the reminder, with Acknowledge; the tray's line.
    at(inputs, "2022-09-15T07:30:00Z")
    app = launch()
    said(app, reminder)
    [call] = [c for c in notifications.calls() if c["summary"] == reminder]
    assert call["body"] == "Billing export hangs\nSeverity: sev3 · not acknowledged yet", call["body"]
    assert "acknowledge" in call["actions"], call["actions"]
    labels_once(app, lambda ls: "⚠ 1 waiting for your acknowledgement" in ls, "the waiting line")

    notifications.invoke(call["id"], "acknowledge")
    wait_for(lambda: rota(rota_bin, at(inputs, "2022-09-15T07:31:00Z"), "escalations", "--json")[0]["state"] == "acknowledged",
             10, interval=0.1, what="the escalation acknowledged")
    labels_once(app, lambda ls: not any("waiting for your acknowledgement" in l for l in ls), "the waiting line gone")
    quit_app(app)

    # Later that morning: said no second time.
    at(inputs, "2022-09-15T08:00:00Z")
    app = launch()
    watched(app)
    quit_app(app)
    assert summaries(notifications).count(reminder) == 1, summaries(notifications)


@pytest.mark.parametrize("host", ["sni", "tauri"], indirect=True)
def test_take_from_an_offer_notification_and_from_the_menu(inputs, launch, notifications, rota_bin, host):  # noqa: F811
    team(inputs)
    # Two sev1s filed to Lord Howe at 22:30 there (12:00Z): asleep. I am working (14:00 my time).
    filed = file(rota_bin, inputs, "2022-09-15T11:59:00Z", "--title", "Checkout down", "--severity", "sev1", "--to", "lh")
    other = file(rota_bin, inputs, "2022-09-15T11:59:00Z", "--title", "Login loops", "--severity", "sev1", "--to", "lh")
    offer = f"#{filed['id']} waits for Lord Howe (asleep, 22:30 there) — Take it?"
    at(inputs, "2022-09-15T12:00:00Z")
    [listed] = [e for e in rota(rota_bin, inputs, "escalations", "--json") if e["id"] == filed["id"]]
    assert listed["offered_to"] == ["keegancsmith"] and listed["waiting_minutes"] == 0, listed

    app = launch()
    said(app, offer)
    [call] = [c for c in notifications.calls() if c["summary"] == offer]
    assert "take" in call["actions"] and "acknowledge" not in call["actions"], call["actions"]
    labels_once(app, lambda ls: "Waiting for a hand (2)" in ls, "the offers' submenu")

    notifications.invoke(call["id"], "take")

    def taken(id):
        [e] = [e for e in rota(rota_bin, inputs, "escalations", "--all", "--json") if e["id"] == id]
        return e if e["assignee"] == "keegancsmith" else None
    e = wait_for(lambda: taken(filed["id"]), 10, interval=0.1, what="the escalation taken")
    assert e["state"] == "acknowledged"
    assert e["history"][-1] == {"state": "acknowledged", "by": "keegancsmith", "at": "2022-09-15T12:00:00Z", "assignee": "keegancsmith"}
    assert len(e["history"]) == 2, "filed, then taken: one entry"
    labels_once(app, lambda ls: "My escalations (1)" in ls and "Waiting for a hand (1)" in ls, "one mine now, one still waiting")

    # The other from the tray: Waiting for a hand → the escalation → Take.
    line = f"#{other['id']} Login loops — waits for Lord Howe"
    node = wait_for(lambda: app.tray.entry(["Waiting for a hand (1)", line, "Take"]), 15, what="the offer's Take item")
    click(app.tray, node)
    e = wait_for(lambda: taken(other["id"]), 10, interval=0.1, what="the other taken from the menu")
    assert e["state"] == "acknowledged" and len(e["history"]) == 2, e
    labels_once(app, lambda ls: "My escalations (2)" in ls and not any(l.startswith("Waiting for a hand") for l in ls),
                "both mine, none waiting for a hand")
    quit_app(app)


def test_the_day_start_once_and_a_sev3_held_while_i_sleep_but_not_a_sev1(inputs, launch, notifications, rota_bin):  # noqa: F811
    team(inputs)
    # 23:00 my time: asleep.
    at(inputs, "2022-09-14T21:00:00Z")
    app = launch()
    watched(app)
    file(rota_bin, inputs, "2022-09-14T21:00:00Z", "--title", "Slow search", "--severity", "sev3", "--to", "keegancsmith")
    wait_for(lambda: "rota: held while you sleep: New escalation: Slow search" in app.output(), 20,
             what=f"the sev3 held: {app.output()}")
    file(rota_bin, inputs, "2022-09-14T21:00:00Z", "--title", "Checkout down", "--severity", "sev1", "--to", "keegancsmith")
    wait_for(lambda: "New escalation: Checkout down" in summaries(notifications), 20, what="the sev1 said at once")
    assert "New escalation: Slow search" not in summaries(notifications), summaries(notifications)
    quit_app(app)

    # 09:05 my time: the day's start, with what was held.
    at(inputs, "2022-09-15T07:05:00Z")
    app = launch()
    starts = wait_for(lambda: [c for c in notifications.calls() if c["summary"].startswith("Your day on rotation starts")] or None,
                      20, what="the day's start")
    assert len(starts) == 1
    body = starts[0]["body"]
    assert "While you slept: #1 Slow search (sev3)" in body, body
    assert "On with you: Lord Howe (off hours, 17:35 there)" in body, body
    assert "Your open escalations: 2, 2 waiting for acknowledgement" in body, body
    quit_app(app)

    # Later the same day: not again.
    at(inputs, "2022-09-15T09:00:00Z")
    app = launch()
    watched(app)
    quit_app(app)
    assert [s for s in summaries(notifications) if s.startswith("Your day on rotation starts")] == [starts[0]["summary"]]
    assert "New escalation: Slow search" not in summaries(notifications), "said in the day's start, not again on its own"
