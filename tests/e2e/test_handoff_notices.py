"""Hand-off notices for me, from the real tray through a real D-Bus notification server.

The clock is pinned (ROTA_NOW) and moved between runs of the tray: a first run says nothing about
the past, the hand-off is announced once, and a restart after it announces nothing again. The
notices are decided, shown and remembered by the tray process behind either host, and my next
stretch is a line of the core's model: these run on the lean host (test_tray.py covers what each
host draws).
"""

from conftest import Inputs
from dbusmenu import wait_for
from test_notifications import notifications  # noqa: F401  (the fixture)
from test_tray import labels_once

# Keegan (me) is not on now; he is from Mon 10 Oct 2022 00:00 UTC, with Valery.
SCHEDULE = """\
# Escalation rotation

| Rotation | Engineers |
| --- | --- |
| 2022-09-07 to 2022-10-09 | @valerybugakov, TBD |
| 2022-10-10 to 2022-11-07 | [@keegancsmith](https://github.com/keegancsmith), @valerybugakov |
"""
MY_LINE = "You're on from Mon 10 Oct, 00:00 your time"
HANDOFF = "You're on rotation now"


def at(inputs, now):
    """Pins the app's clock at `now` for the next launch."""
    inputs.env = lambda: {**Inputs.env(inputs), "ROTA_NOW": now}


def quit_app(app):
    labels_once(app, lambda ls: "Quit" in ls, "a Quit item")
    app.tray.click("Quit")
    assert app.wait_exit(10) == 0, app.output()


def looked(app):
    wait_for(lambda: "rota: hand-off notices looked at" in app.output(), 20, what=f"the first look at hand-off notices: {app.output()}")


def first_run(inputs, launch, now):
    """The tray's first run at `now`, on SCHEDULE: it looks at the hand-off notices, stores what
    it has seen, and is quit."""
    inputs.write(schedule="file")
    inputs.schedule.write_text(SCHEDULE)
    state = inputs.home / ".local/share/rota/handoff-notices.json"
    at(inputs, now)
    app = launch()
    looked(app)
    assert state.exists(), "the first run stores what it has seen"
    quit_app(app)


def test_the_tray_says_when_i_am_on_next(inputs, launch):
    inputs.write(schedule="file")
    inputs.schedule.write_text(SCHEDULE)
    app = launch()
    labels = labels_once(app, lambda ls: MY_LINE in ls, "my next stretch's line")
    assert labels.index(MY_LINE) == labels.index("Valery — 14:00 CEST · working, until 17:00 (3 h left)") + 1, labels


def test_the_handoff_notice_is_shown_once_across_a_restart(inputs, launch, notifications):  # noqa: F811
    # A first run weeks before: nothing is due that is news, nothing is shown.
    first_run(inputs, launch, "2022-09-15T12:00:00Z")

    # Started again five minutes after the hand-off (the week and the day before slept through).
    at(inputs, "2022-10-10T00:05:00Z")
    app = launch()
    [call] = wait_for(lambda: notifications.calls() or None, 20, interval=0.05, what="the hand-off notice")
    assert call["app_name"] == "Rota"
    assert call["summary"] == HANDOFF
    assert "Until Tue 8 Nov, 00:00 your time." in call["body"], call["body"]
    assert "Valery (Europe/Berlin, CEST)" in call["body"], call["body"]
    wait_for(lambda: f"rota: hand-off notice shown: {HANDOFF}" in app.output(), 10, what="the notice stored as shown")
    quit_app(app)

    # A restart at the same instant: looked at again, shown no second time.
    app = launch()
    looked(app)
    labels_once(app, lambda ls: any(l.startswith("Keegan (you)") for l in ls), "my own line")
    assert [c["summary"] for c in notifications.calls()] == [HANDOFF]
    quit_app(app)


def test_the_day_before_the_end_lists_my_escalations_even_at_start_up(inputs, launch, rota_bin, notifications):  # noqa: F811
    """started the day before my rotation ends, with an escalation of mine open, the
    notice lists it: it waits for the poller's first poll instead of going out without it."""
    import json
    import os
    import subprocess
    # A first run during the rotation, so the day before the end is news when it comes.
    first_run(inputs, launch, "2022-10-20T12:00:00Z")
    # An escalation of mine, then a start on the last day (Mon 7 Nov 2022, the rotation ends 8 Nov 00:00).
    at(inputs, "2022-11-07T12:00:00Z")
    filed = subprocess.run([rota_bin, "--config", str(inputs.config), "escalate", "--title", "Billing export hangs",
                            "--to", "keegancsmith", "--json"], env={**os.environ, **inputs.env()},
                           capture_output=True, text=True, timeout=30)
    assert filed.returncode == 0, filed.stderr
    assert json.loads(filed.stdout)["assignee"] == "keegancsmith"
    app = launch()
    ending = wait_for(lambda: [c for c in notifications.calls() if "ends tomorrow" in c["summary"]] or None, 20,
                      what="the day-before-the-end notice")
    assert len(ending) == 1
    assert "1 open escalation of yours:\n• Billing export hangs" in ending[0]["body"], ending[0]["body"]
    quit_app(app)
