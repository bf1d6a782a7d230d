"""the dashboard's "Add to calendar…": the native save dialog (driven with the keyboard,
as a person would), then the file `rota export ical` writes, read back by python3-icalendar."""
import os
import subprocess

import icalendar
from selenium.webdriver.common.by import By

from dbusmenu import wait_for
from test_daily_uses import keys, type_text, x_windows
from webdriver import text_of, wait


def test_add_to_calendar_saves_the_schedule_where_the_dialog_says(session, inputs, rota_bin):
    inputs.write(schedule="file")
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#on-duty .engineer")) >= 2, what="the engineer cards")
    target = inputs.dir / "my calendar.ics"

    driver.find_element(By.CSS_SELECTOR, "#add-to-calendar").click()
    [window] = wait_for(lambda: x_windows("Add to calendar"), 20, what="the save dialog on screen")
    # Xvfb runs no window manager to hand focus to a new window: do what one would.
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
    keys("ctrl+a")
    type_text(str(target))
    keys("Return")

    status = wait(driver, lambda d: (text_of(d, "#calendar-status") or "").startswith("Saved") and text_of(d, "#calendar-status"),
                  what="#calendar-status to say where it saved")
    assert str(target) in status, status
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = [(str(e["SUMMARY"]), e.decoded("DTSTART").isoformat(), e.decoded("DTEND").isoformat()) for e in cal.walk("VEVENT")]
    # conftest's SCHEDULE, handing off at 00:00 UTC.
    assert events == [
        ("Rotation: keegancsmith, valerybugakov", "2022-09-07T00:00:00+00:00", "2022-10-10T00:00:00+00:00"),
        ("Rotation: tbliu98 + 2 open seats", "2022-10-10T00:00:00+00:00", "2022-11-08T00:00:00+00:00"),
    ]
    # The same file the command line writes (but for DTSTAMP, the same instant: ROTA_NOW).
    cli = subprocess.run([rota_bin, "--config", str(inputs.config), "export", "ical"], env={**os.environ, **inputs.env()},
                         capture_output=True, timeout=30, check=True).stdout
    assert target.read_bytes() == cli

    # The dialog plugin is Rust's to use: the webview may not open dialogs or write files itself.
    call = """
        const done = arguments[arguments.length - 1];
        window.__TAURI__.core.invoke(arguments[0], {}).then(() => done("allowed"), (e) => done("denied: " + e));
    """
    for command in ("plugin:dialog|save", "plugin:dialog|open", "plugin:fs|write_file"):
        assert driver.execute_async_script(call, command).startswith("denied"), command
