"""The quick escalate window, driven through WebDriver: the suggestion, filing from the keyboard,
the escalation in the local backend with the suggested assignee, and its notification on D-Bus."""
import json

import pytest
import os
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dbusmenu import wait_for
from test_notifications import NotificationServer
from webdriver import wait


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def escalations(rota_bin, inputs):
    out = subprocess.run([rota_bin, "--config", str(inputs.config), "escalations", "--json"],
                         env={**os.environ, **inputs.env()}, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


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
        assert first.find_element(By.CSS_SELECTOR, ".reason").text.startswith("working now")
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
        # The suggested assignee is me: the app announces it on D-Bus (beside the tray's word that
        # it was filed, test_filing_from_the_window_is_said_once_by_the_tray).
        [call] = wait_for(lambda: [c for c in notifications.calls() if not c["summary"].startswith("Filed ")] or None, 10,
                          what="the Notify call for my escalation")
        assert call["summary"] == "New escalation: SSO login loops for Acme"
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
    wait_for(lambda: "rota: escalate window ready" in app.output(), 20, interval=0.01,
             what="the escalate window after Ctrl+Alt+E")
    print(f"shortcut to the escalate window ready to type: {(time.monotonic() - start) * 1000:.0f} ms")
