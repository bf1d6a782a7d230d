"""The quick escalate window, driven through WebDriver: the suggestion, filing from the keyboard,
the escalation in the local backend with the suggested assignee, and its notification on D-Bus."""
import subprocess
import time

import pytest

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dbusmenu import wait_for
from test_daily_uses import css, escalations
from test_notifications import NotificationServer
from webdriver import wait


def open_escalate(session, inputs):
    inputs.write()
    driver = session("--window", "escalate")
    wait(driver, lambda d: len(css(d, "#candidates .candidate")) >= 2, what="the candidates in the escalate window")
    return driver


def test_suggests_and_files_from_the_keyboard(session, launch, inputs, rota_bin, tmp_path):
    notifications = NotificationServer(tmp_path / "notify.jsonl")
    try:
        driver = open_escalate(session, inputs)
        # The tray process beside it watches escalations and announces mine.
        tray = launch()
        wait_for(lambda: "rota: escalations watched" in tray.output(), 20, what="the tray's first poll")
        # Focus starts in the title field; the suggestion comes first and is chosen.
        assert driver.switch_to.active_element.get_attribute("id") == "title"
        rows = css(driver, "#candidates .candidate")
        assert [r.get_attribute("data-handle") for r in rows] == ["keegancsmith", "valerybugakov", ""]
        first = rows[0]
        assert "suggested" in first.get_attribute("class")
        assert first.find_element(By.CSS_SELECTOR, "input").is_selected()
        assert first.find_element(By.CSS_SELECTOR, ".when").text == "Thu 14:00 SAST"
        # The status said once, then the rest of the reason; "(you)" after my name.
        assert first.find_element(By.CSS_SELECTOR, ".who").text == "Keegan (you)"
        assert first.find_element(By.CSS_SELECTOR, ".status").text == "working"
        assert first.find_element(By.CSS_SELECTOR, ".reason").text == "ends in 3 h, 0 open"
        assert first.text.lower().count("working") == 1, first.text
        assert rows[2].text.startswith("Whole rotation")

        # A link that is not http(s) is refused beside its field.
        driver.switch_to.active_element.send_keys("SSO login loops for Acme")
        driver.find_element(By.CSS_SELECTOR, "#url").send_keys("ftp://files.example.com/x")
        driver.find_element(By.CSS_SELECTOR, "#url").send_keys(Keys.ENTER)
        wait(driver, lambda d: css(d, '.field-error[data-for="url"]'), what="an error beside the link field")
        assert escalations(rota_bin, inputs) == []

        url = driver.find_element(By.CSS_SELECTOR, "#url")
        url.clear()
        url.send_keys("https://support.example.com/t/42")
        driver.find_element(By.CSS_SELECTOR, "#customer").send_keys("Acme")
        driver.find_element(By.CSS_SELECTOR, "#customer").send_keys(Keys.ENTER)  # Enter files it
        wait(driver, lambda d: css(d, "#filed-link"), what="the link to the filed escalation")
        assert driver.find_element(By.CSS_SELECTOR, "#filed-link").text == "https://support.example.com/t/42"

        [filed] = escalations(rota_bin, inputs)
        assert filed["title"] == "SSO login loops for Acme"
        assert filed["assignee"] == "keegancsmith" and filed["customer"] == "Acme" and filed["state"] == "open"
        # The suggested assignee is me: I filed it to myself, and the window's banner said so;
        # nothing more is said about it, though the tray lists it once it has polled.
        wait_for(lambda: "My escalations (1)" in tray.tray.labels(), 15, what="my own escalation in the tray's menu")
        assert notifications.calls() == [], notifications.calls()
    finally:
        notifications.stop()


@pytest.mark.parametrize("host", ["sni", "tauri"], indirect=True)
def test_the_shortcut_opens_the_window_ready_to_type(launch, inputs):
    inputs.write()
    app = launch()
    app.tray  # registered: the shortcut is set up by now
    wait_for(lambda: "rota: tray ready" in app.output(), 10, what="the tray")
    assert "could not be registered" not in app.output(), app.output()
    start = time.monotonic()
    subprocess.run(["xdotool", "key", "ctrl+alt+e"], check=True, timeout=10)
    # The escalate window's process writes its readiness line (data shown, focus in the title
    # field) to the same output as the tray that started it.
    wait_for(lambda: "rota: escalate window ready" in app.output(), 60, interval=0.01,
             what="the escalate window after Ctrl+Alt+E")
    print(f"shortcut to the escalate window ready to type: {(time.monotonic() - start) * 1000:.0f} ms")


def typed_ahead(rota_bin, inputs):
    """The escalations filed from keys typed ahead, in the order they were filed (the list is by
    urgency)."""
    return sorted((e for e in escalations(rota_bin, inputs) if e["title"].startswith("Typed")), key=lambda e: int(e["id"]))


@pytest.mark.parametrize("host", ["sni", "tauri"], indirect=True)
def test_keys_typed_right_after_the_shortcut_are_kept(launch, inputs, rota_bin):
    """a person presses Ctrl+Alt+E and types at once, while the window is still
    starting. Every key arrives, in order, three times in a row: the title, Tab to the customer,
    Tab to the severity and the arrows to pick it (they were dropped: a sev1 was filed sev3; and
    an arrow moving the caret back), Enter to file. Nothing waits for the window before typing (no focus given by the test).
    The windows process stays after the window closes (`keep_windows_minutes`, 10 by default):
    the second and third times are the same process showing the window it kept, each a fresh
    form (a stale one would hold the last title, or be the filed confirmation taking no keys)."""
    from test_daily_uses import keys, type_text, window_processes, x_windows
    from x11 import keyboard_focus
    inputs.write(keep_windows_minutes=10)
    app = launch()
    wait_for(lambda: "rota: tray ready" in app.output(), 15, what="the tray")
    kept = None
    for n in (1, 2, 3):
        title, customer = f"Typed right away {n}", f"Acme {n}"
        # From sev3, the form's choice.
        arrows, severity = {1: (["Up"], "sev2"), 2: (["Up", "Up"], "sev1"), 3: (["Down"], "sev4")}[n]
        start = time.monotonic()
        keys("ctrl+alt+e")
        type_text(title)
        keys("Tab")
        if n == 3:
            # The caret moved back with an arrow, typed ahead too.
            type_text(customer.replace(" ", ""))
            keys("Left")
            type_text(" ")
        else:
            type_text(customer)
        keys("Tab", *arrows, "Return")
        typed = time.monotonic() - start
        try:
            wait_for(lambda: app.output().count("rota: escalate window ready") >= n, 60, what=f"the escalate window, time {n}")
            filed = wait_for(lambda: typed_ahead(rota_bin, inputs)[n - 1:] or None, 60, what=f"escalation {n} filed from the keys typed ahead")
        except TimeoutError as e:
            titles = [e["title"] for e in escalations(rota_bin, inputs)]
            raise AssertionError(f"{e}; filed: {titles}; the keyboard's focus: {keyboard_focus()}; the app said:\n{app.output()}") from e
        assert [(e["title"], e["customer"], e["severity"]) for e in filed] == [(title, customer, severity)], (
            [(e.get("id"), e["title"], e["customer"], e["severity"]) for e in escalations(rota_bin, inputs)], app.output())
        print(f"time {n}: typed in {typed * 1000:.0f} ms, before the window was there")
        keys("Escape")  # the window has the keyboard now: Esc closes it
        wait_for(lambda: not x_windows("Escalate"), 20, what="the window to go")
        # The process stays, the same one each time, ready for the next.
        processes = window_processes(inputs)
        assert len(processes) == 1 and processes == (kept or processes), (processes, kept)
        kept = processes
    assert "typed after the shortcut had no window" not in app.output(), app.output()


@pytest.mark.parametrize("host", ["sni", "tauri"], indirect=True)
def test_the_shortcut_pressed_twice_in_a_hurry_opens_one_window_and_keeps_every_key(launch, inputs, rota_bin):
    """An impatient person presses Ctrl+Alt+E a second time while the first window is still
    starting, then types: one window comes, with every key typed, and files once."""
    from test_daily_uses import keys, type_text, window_processes, x_windows
    inputs.write(keep_windows_minutes=10)
    app = launch()
    wait_for(lambda: "rota: tray ready" in app.output(), 15, what="the tray")
    keys("ctrl+alt+e")
    keys("ctrl+alt+e")
    type_text("Pressed twice")
    keys("Tab")
    type_text("Acme")
    keys("Return")
    filed = wait_for(lambda: [e for e in escalations(rota_bin, inputs) if e["title"].startswith("Pressed")] or None, 60,
                     what=f"the escalation filed from the keys typed ahead; the app said:\n{app.output()}")
    assert [(e["title"], e["customer"]) for e in filed] == [("Pressed twice", "Acme")], (filed, app.output())
    assert len(window_processes(inputs)) == 1, app.output()
    keys("Escape")
    wait_for(lambda: not x_windows("Escalate"), 20, what="the window to go")
    assert app.output().count("rota: escalate window ready") == 1, app.output()


@pytest.mark.parametrize("host", ["sni", "tauri"], indirect=True)
def test_the_escalate_window_opens_at_once_after_the_first_time(launch, inputs, rota_bin):
    """Three opens in a row from the shortcut, timed from the key to the window shown and
    focused: the first starts the windows process, the next two show the window it kept, each
    a fresh, empty form that files what is typed into it."""
    from test_daily_uses import keys, type_text, x_windows
    inputs.write(keep_windows_minutes=10)
    app = launch()
    wait_for(lambda: "rota: tray ready" in app.output(), 15, what="the tray")
    times = []
    for n in (1, 2, 3):
        start = time.monotonic()
        keys("ctrl+alt+e")
        wait_for(lambda: app.output().count("rota: escalate window ready") >= n, 60, interval=0.005,
                 what=f"the escalate window, time {n}")
        times.append((time.monotonic() - start) * 1000)
        wait_for(lambda: x_windows("Escalate"), 10, what=f"the escalate window shown, time {n}")
        type_text(f"Open {n}")
        keys("Return")
        filed = wait_for(lambda: [e for e in escalations(rota_bin, inputs) if e["title"].startswith("Open")][n - 1:] or None,
                         60, what=f"escalation {n} filed")
        assert [e["title"] for e in filed] == [f"Open {n}"], filed
        # The confirmation closes the window by itself (the first time), or Esc does; the next
        # open is a fresh form all the same.
        if n > 1:
            keys("Escape")
        wait_for(lambda: not x_windows("Escalate"), 20, what="the window to close")
    print("shortcut to the escalate window ready, first and kept: " + ", ".join(f"{t:.0f} ms" for t in times))


def test_the_keys_are_hinted_where_the_focus_is_and_an_off_hours_pick_is_warned(session, inputs, rota_bin, artifacts):
    """the hint says what each key does where the focus is; Enter on the engineers files;
    picking someone off hours while someone works says so at once, and the first Enter only says it
    again (nothing filed); the second files to them."""
    from test_daily_uses import PEOPLE
    from webdriver import settle, text_of
    people = [dict(p) for p in PEOPLE]
    people[1]["hours"] = "18:00-23:00"  # Valery: Berlin 14:00, off hours for 4 h
    inputs.write(people=people)
    driver = session("--window", "escalate")
    wait(driver, lambda d: len(css(d, "#candidates .candidate")) == 3, what="the candidates")
    hint = lambda: text_of(driver, "#escalate-help")  # noqa: E731
    assert hint() == "Enter files it · Tab goes to the next field · Esc closes"
    driver.find_element(By.CSS_SELECTOR, "#details").click()
    wait(driver, lambda d: hint().startswith("Ctrl+Enter files it · Enter adds a line"), what="the hint in Details")
    driver.find_element(By.CSS_SELECTOR, "#details").send_keys("line one", Keys.ENTER, "line two")
    assert escalations(rota_bin, inputs) == [], "Enter in Details adds a line"

    valery = driver.find_element(By.CSS_SELECTOR, '#candidates .candidate[data-handle="valerybugakov"]')
    assert valery.find_element(By.CSS_SELECTOR, ".status").text == "off hours"
    assert valery.find_element(By.CSS_SELECTOR, ".reason").text == "starts in 4 h"
    assert not driver.find_element(By.CSS_SELECTOR, "#pick-warning").is_displayed(), "Keegan works: no warning"
    valery.find_element(By.CSS_SELECTOR, "input").click()
    wait(driver, lambda d: hint().startswith("↑↓ pick who gets it · Enter files it"), what="the hint on the engineers")
    warning = wait(driver, lambda d: text_of(d, "#pick-warning"), what="the warning about Valery")
    assert warning == "Valery is off hours (Thu 14:00 CEST), starts in 4 h: file to them anyway, or pick someone working."

    title = driver.find_element(By.CSS_SELECTOR, "#title")
    title.send_keys("Exports fail for Initech", Keys.ENTER)
    wait(driver, lambda d: text_of(d, "#pick-warning").endswith("Press Enter again to file to Valery."), what="the second word")
    settle(driver)
    driver.save_screenshot(str(artifacts / "escalate-off-hours.png"))
    assert escalations(rota_bin, inputs) == [], "the first Enter files nothing"
    driver.find_element(By.CSS_SELECTOR, '#candidates .candidate[data-handle="valerybugakov"] input').send_keys(Keys.ENTER)
    wait(driver, lambda d: text_of(d, "#filed-message"), what="the confirmation")
    [filed] = escalations(rota_bin, inputs)
    assert (filed["assignee"], filed["details"]) == ("valerybugakov", "line one\nline two"), filed
