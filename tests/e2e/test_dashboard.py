"""The dashboard as a person meets it, through WebDriver. A refresh keeps the
keyboard focus and the scroll; an escalation filed while it is open shows within a second or two
(the tray tells the open windows, instead of the minute's refresh); only the share above the goal
is flagged; "Saved to …" sits on a line of its own; the calendar can be my shifts only, saved from
a dialog that opens in the home folder; covering rows are listed with their rotation and the
checks' instants are in my zone. Screenshots: dashboard-*.png in the artifacts folder."""
import json
import os
import subprocess
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import NOW, PEOPLE, SCHEDULE
from dbusmenu import wait_for
from test_covering import ADA, COVERING
from test_daily_uses import keys, x_windows
from webdriver import settle, text_of, wait


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def rota(rota_bin, inputs, *args, now=NOW):
    out = subprocess.run([rota_bin, "--config", str(inputs.config), *args], env={**os.environ, **inputs.env(), "ROTA_NOW": now},
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if "--json" in args else out.stdout


def shown(driver):
    """How many views the dashboard has shown (it counts them on <body>)."""
    return int(driver.execute_script("return document.body.dataset.shown || '0'"))


def refreshed(driver, inputs):
    """Makes the open dashboard refresh (its config written again, as the minute's tick would)
    and waits until it has shown the new view."""
    before = shown(driver)
    inputs.config.write_text(inputs.config.read_text())
    wait(driver, lambda d: shown(d) > before, what="the dashboard to refresh")
    settle(driver)


def active(driver):
    return driver.execute_script("const e = document.activeElement; return e.dataset.handle || e.id || e.tagName;")


def test_a_refresh_keeps_the_focus_and_the_scroll(session, inputs, artifacts):
    inputs.write()
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(css(d, "#on-duty .engineer")) == 2 and shown(d) > 0, what="the cards")
    # Tab to the first card, as a person does.
    driver.find_element(By.CSS_SELECTOR, "body").click()
    for _ in range(10):
        if active(driver) == "keegancsmith":
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
    assert active(driver) == "keegancsmith"
    # Scrolled down a little, and the coverage grid across (where it is wider than the window).
    driver.execute_script("window.scrollTo(0, 120);")
    grid = driver.find_element(By.CSS_SELECTOR, "section .scroll")
    driver.execute_script("arguments[0].scrollLeft = (arguments[0].scrollWidth - arguments[0].clientWidth) / 2;", grid)
    before = driver.execute_script("return [window.scrollY, arguments[0].scrollLeft];", grid)

    refreshed(driver, inputs)
    assert active(driver) == "keegancsmith", "the focus stays on the card across a refresh"
    assert driver.execute_script("return [window.scrollY, arguments[0].scrollLeft];", grid) == before
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert active(driver) == "valerybugakov", "the next Tab goes to the next card, not back to the first"
    # Twice more: each refresh keeps it.
    refreshed(driver, inputs)
    refreshed(driver, inputs)
    assert active(driver) == "valerybugakov"
    driver.save_screenshot(str(artifacts / "dashboard-focus-kept.png"))


def test_an_escalation_filed_while_it_is_open_shows_at_once(session, launch, inputs, rota_bin, artifacts):
    inputs.write()
    driver = session("--window", "dashboard")
    wait(driver, lambda d: text_of(d, "#count-mine") == "0" and css(d, "#escalations-list .empty"), what="the empty panel")
    # The tray, whose poller watches the escalations and tells the open windows.
    app = launch()
    wait_for(lambda: "escalations watched" in app.output(), 30, what="the tray's first poll")
    filed = rota(rota_bin, inputs, "escalate", "--title", "Checkout down for everyone", "--severity", "sev1", "--to",
                 "keegancsmith", "--json")
    start = time.monotonic()
    wait(driver, lambda d: [r.get_attribute("data-id") for r in css(d, "#escalations-list .escalation")] == [filed["id"]],
         timeout=10, what="the new escalation in Mine")
    took = time.monotonic() - start
    print(f"the new escalation showed {took:.2f} s after filing")
    # The minute's refresh would take up to 60 s; the tray's word takes well under 3.
    assert took < 3, f"{took:.1f} s"
    assert text_of(driver, "#count-mine") == "1"
    driver.execute_script("document.getElementById('escalations-panel').scrollIntoView()")
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard-new-escalation.png"))


def test_only_the_share_above_the_goal_is_flagged(session, inputs, rota_bin, artifacts):
    inputs.write()
    e = rota(rota_bin, inputs, "escalate", "--title", "Billing mismatch", "--to", "valerybugakov", "--json", now="2022-09-14T12:00:00Z")
    rota(rota_bin, inputs, "engage", e["id"], "--team", "billing", now="2022-09-14T13:00:00Z")
    driver = session("--window", "dashboard")
    rows = wait(driver, lambda d: len(css(d, "#goal-chart .times tbody tr")) == 2 and css(d, "#goal-chart .times tbody tr"),
                what="the goal's table")
    current = rows[1]
    assert "above" not in (current.get_attribute("class") or ""), "the row is not flagged"
    flagged = css(driver, "#goal-chart .times .above")
    assert len(flagged) == 1 and flagged[0].text == "1 (100%)", [f.text for f in flagged]
    colour = lambda el: driver.execute_script("return getComputedStyle(arguments[0]).color", el)
    cells = current.find_elements(By.CSS_SELECTOR, "td")
    assert colour(flagged[0]) != colour(cells[0]), "the share stands out from the row"
    assert {colour(c) for c in cells if c != flagged[0]} == {colour(rows[0].find_elements(By.CSS_SELECTOR, "td")[0])}
    driver.execute_script("document.getElementById('goal-title').scrollIntoView()")
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard-share-flagged.png"))


def test_my_shifts_saved_from_the_home_folder_and_said_on_a_line_of_its_own(session, inputs, rota_bin, artifacts):
    inputs.write(schedule="file")
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(css(d, "#on-duty .engineer")) == 2, what="the cards")
    header = driver.execute_script("return document.querySelector('header.top').getBoundingClientRect().height")
    title = driver.execute_script("return document.getElementById('rotation-header').getBoundingClientRect().width")

    mine = driver.find_element(By.CSS_SELECTOR, "#calendar-mine")
    assert mine.is_enabled()
    mine.click()
    driver.find_element(By.CSS_SELECTOR, "#add-to-calendar").click()
    [window] = wait_for(lambda: x_windows("Add to calendar"), 20, what="the save dialog on screen")
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
    # Saved as offered: the name it suggests, in the folder it opened in.
    keys("Return")
    status = wait(driver, lambda d: (text_of(d, "#calendar-status") or "").startswith("Saved") and text_of(d, "#calendar-status"),
                  what="#calendar-status to say where it saved")
    target = inputs.home / "rota-keegancsmith.ics"
    assert str(target) in status, status
    assert target.read_bytes() == subprocess.run(
        [rota_bin, "--config", str(inputs.config), "export", "ical", "--me"], env={**os.environ, **inputs.env()},
        capture_output=True, timeout=30, check=True).stdout
    text = target.read_text()
    assert "keegancsmith on rotation" in text and "Rotation: tbliu98" not in text, text

    # "Saved to …" on its own line, under the buttons: the header keeps its shape.
    settle(driver)
    boxes = driver.execute_script("""
        const r = (e) => e.getBoundingClientRect();
        return [r(document.querySelector('header.top')).bottom, r(document.getElementById('calendar-status')).top,
                r(document.querySelector('header.top')).height, r(document.getElementById('rotation-header')).width];""")
    assert boxes[1] >= boxes[0], boxes
    assert (boxes[2], boxes[3]) == (header, title), boxes
    driver.save_screenshot(str(artifacts / "dashboard-calendar-saved.png"))


def test_coverings_with_their_rotation_and_checks_in_my_zone(session, inputs, artifacts):
    # I am in Kathmandu (+05:45); the schedule is in UTC.
    inputs.write(people=PEOPLE + [ADA], schedule="file", timezone="Asia/Kathmandu")
    inputs.schedule.write_text(SCHEDULE + COVERING)
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(css(d, "#timeline .rotation")) == 2, what="the rotations")
    rows = css(driver, "#timeline .rotation")
    assert [c.text for c in rows[0].find_elements(By.CSS_SELECTOR, ".coverings li")] == [
        "Wed 14 Sep 05:45 – Sat 17 Sep 05:45 UTC+05:45: ada covers for valerybugakov"]
    assert not rows[1].find_elements(By.CSS_SELECTOR, ".coverings li")
    # The open seats said once: "+ 2 open seats", not again as "2 open".
    assert rows[1].find_element(By.CSS_SELECTOR, ".who").text == "tbliu98 + 2 open seats"
    assert not css(driver, "#timeline .open-seats") and " 2 open\n" not in rows[1].text + "\n"
    # The first uncovered hour, Wed 7 Sep 00:00 UTC, said in my zone.
    findings = [f.text for f in css(driver, "#findings .finding")]
    assert any("(the first at Wed 05:45 UTC+05:45)" in f for f in findings), findings
    assert not any(" UTC)" in f for f in findings), findings
    driver.execute_script("document.getElementById('timeline-title').scrollIntoView()")
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard-coverings-checks.png"))
