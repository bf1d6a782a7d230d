"""the daily uses as a person uses them.

The quick escalate window closes for real on Esc and after filing, and comes back whole: open,
file (Enter), see "Filed #1 to Keegan", open again, file again, Esc, open again, each time with a
working form; through WebDriver and through the keyboard alone (xdotool, the tray's shortcut).
The dashboard and Settings as a person reads them, with screenshots in tests/artifacts/.
"""
import json
import os
import pathlib
import re
import subprocess

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import PEOPLE, SCHEDULE
from dbusmenu import wait_for
from webdriver import settle, text_of, wait

KEEGAN_LINE = "Keegan (you) — 14:00 SAST · working, until 17:00 (3 h left)"


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def escalations(rota_bin, inputs):
    out = subprocess.run([rota_bin, "--config", str(inputs.config), "escalations", "--json"],
                         env={**os.environ, **inputs.env()}, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def window_processes(inputs):
    """Process ids of the windows process (`rota-app --window`, not the Tauri tray host) started
    for this test's config."""
    pids = []
    for proc in pathlib.Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"rota-app") and b"--window" in argv and str(inputs.config).encode() in argv:
            pids.append(int(proc.name))
    return pids


def x_windows(title):
    """X window ids named exactly `title` that are mapped (shown)."""
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{re.escape(title)}$"],
                         capture_output=True, text=True, timeout=10)
    return out.stdout.split()


def keys(*names):
    subprocess.run(["xdotool", "key", "--clearmodifiers", *names], check=True, timeout=10)


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "20", text], check=True, timeout=30)


def screenshot(window, path):
    subprocess.run(["import", "-window", window, str(path)], check=True, timeout=10)


def colours(path):
    """How many distinct colours a screenshot holds: a blank (unpainted) window has one."""
    out = subprocess.run(["identify", "-format", "%k", str(path)], capture_output=True, text=True, timeout=30, check=True)
    return int(out.stdout.strip() or 0)


def painted(window, path):
    """Waits until the window shows more than a flat colour (the page is drawn), and keeps that screenshot."""
    def drawn():
        screenshot(window, path)
        return colours(path) > 8
    wait_for(drawn, 15, interval=0.2, what=f"window {window} to show its page, not a blank frame")


def screen_colours(window, path, crop=None):
    """Takes a screenshot of the window into `path`; how many pixels of each colour ("#1A7F37") it
    shows, within `crop` (an ImageMagick geometry) when given. Nothing when X could not hand the
    window back (a window closing shows nothing)."""
    try:
        subprocess.run(["import", "-window", window, str(path)], check=True, timeout=2, capture_output=True)
        out = subprocess.run(["convert", str(path), *(["-crop", crop, "+repage"] if crop else []), "-format", "%c",
                              "histogram:info:-"], check=True, timeout=10, capture_output=True, text=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return {}
    return {line.split()[2]: int(line.split(":")[0]) for line in out.stdout.splitlines() if line.strip()}


def shows_confirmation(window, path, top=100):
    """Takes a screenshot of the window into `path`; whether it shows the filed confirmation, found
    by its green bar down the left (#1a7f37, 4 px wide, at the top of the form; `top` pixels down
    in the window), in most of a 30-pixel column (X may hand back a frame still being drawn)."""
    return screen_colours(window, path, f"1x30+22+{top}").get("#1A7F37", 0) >= 25


def open_from_dashboard(driver, button, what):
    """Clicks `button` on the dashboard and switches to the window it opens."""
    before = set(driver.window_handles)
    driver.find_element(By.CSS_SELECTOR, button).click()
    new = wait(driver, lambda d: set(d.window_handles) - before, what=f"the {what} window")
    driver.switch_to.window(new.pop())
    return driver.current_window_handle


def assert_fresh_escalate_form(driver):
    """The form is there and works: candidates listed, the title empty and focused, no confirmation."""
    wait(driver, lambda d: len(css(d, "#candidates .candidate")) >= 2, what="the candidates")
    wait(driver, lambda d: d.switch_to.active_element.get_attribute("id") == "title", what="focus in the title field")
    assert driver.find_element(By.CSS_SELECTOR, "#title").get_attribute("value") == ""
    assert not driver.find_element(By.CSS_SELECTOR, "#filed").is_displayed()
    assert driver.find_element(By.CSS_SELECTOR, "#file").is_enabled()
    suggested = css(driver, "#candidates .candidate.suggested")
    assert suggested and suggested[0].find_element(By.CSS_SELECTOR, "input").is_selected()
    return suggested[0].find_element(By.CSS_SELECTOR, ".who").text


def press_escape(driver, element=None):
    """Esc, as a person presses it. The window may be gone before WebDriver hears back (the key
    closed it): what counts is checked after, on the window list or the process."""
    try:
        if element is None:
            ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        else:
            element.send_keys(Keys.ESCAPE)
    except WebDriverException:
        pass


def wait_closed(driver, handle, what, timeout=20):
    wait(driver, lambda d: handle not in d.window_handles, timeout=timeout, what=f"the {what} window to close")


def test_escalate_window_closes_and_comes_back_whole(session, inputs, rota_bin, artifacts):
    """Open, file (Enter), confirmation, open again, file again, Esc, open again, file: all in one
    windows process (the dashboard keeps it alive), as the tray's Escalate… would reopen it."""
    inputs.write()
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(css(d, "#on-duty .engineer")) == 2, what="the dashboard's cards")
    dashboard = driver.current_window_handle
    pids = window_processes(inputs)
    assert len(pids) == 1, pids

    for n, title in enumerate(["SSO login loops for Acme", "Exports time out for Initech"], start=1):
        escalate = open_from_dashboard(driver, "#open-escalate", "escalate")
        # The least loaded engineer working now: Keegan, then Valery (Keegan holds one).
        who = assert_fresh_escalate_form(driver)
        assert who == ["Keegan (you)", "Valery"][n - 1]
        to = who.removesuffix(" (you)")
        if n == 1:
            settle(driver)
            driver.save_screenshot(str(artifacts / "escalate-before.png"))
        driver.switch_to.active_element.send_keys(title)
        driver.find_element(By.CSS_SELECTOR, "#url").send_keys(f"https://support.example.com/t/{n}")
        driver.find_element(By.CSS_SELECTOR, "#url").send_keys(Keys.ENTER)  # Enter files it
        message = wait(driver, lambda d: text_of(d, "#filed-message"), what="the confirmation")
        assert message == f"Filed #{n} to {to}"
        assert driver.find_element(By.CSS_SELECTOR, "#filed").is_displayed()
        assert text_of(driver, "#filed-link") == f"https://support.example.com/t/{n}"
        if n == 1:
            settle(driver)
            driver.save_screenshot(str(artifacts / "escalate-after.png"))
        # It stays a moment, then the window closes for real (no empty frame left behind).
        wait_closed(driver, escalate, "escalate")
        driver.switch_to.window(dashboard)
        filed = escalations(rota_bin, inputs)
        assert title in [e["title"] for e in filed] and len(filed) == n

    # Esc closes an untouched form; the next one is whole again.
    escalate = open_from_dashboard(driver, "#open-escalate", "escalate")
    assert_fresh_escalate_form(driver)
    driver.switch_to.active_element.send_keys("typed, then thought better of it")
    press_escape(driver)
    wait_closed(driver, escalate, "escalate", timeout=5)
    driver.switch_to.window(dashboard)
    assert len(escalations(rota_bin, inputs)) == 2

    escalate = open_from_dashboard(driver, "#open-escalate", "escalate")
    to = assert_fresh_escalate_form(driver).removesuffix(" (you)")
    driver.switch_to.active_element.send_keys("Third, closed with Esc on its confirmation")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    assert wait(driver, lambda d: text_of(d, "#filed-message"), what="the confirmation") == f"Filed #3 to {to}"
    wait(driver, lambda d: d.switch_to.active_element.get_attribute("id") == "filed", what="focus on the confirmation")
    press_escape(driver, driver.switch_to.active_element)  # no need to wait for the moment (6 s) to pass
    wait_closed(driver, escalate, "escalate", timeout=5)
    driver.switch_to.window(dashboard)
    assert len(escalations(rota_bin, inputs)) == 3
    assert window_processes(inputs) == pids, "one windows process all along"

    # Esc on the dashboard, the last window: the windows process ends with it.
    press_escape(driver, driver.find_element(By.CSS_SELECTOR, "body"))
    wait_for(lambda: not window_processes(inputs), 15, what="the windows process to end with its last window")


def test_the_windows_choice_is_checked(session, inputs, rota_bin):
    """A choice that is no engineer of the rotation nor in the roster (a stale or tampered form)
    is refused beside the list, and nothing is filed."""
    inputs.write()
    driver = session("--window", "escalate")
    assert_fresh_escalate_form(driver)
    driver.execute_script("document.querySelector('#candidates .candidate input').value = 'nobody';")
    driver.switch_to.active_element.send_keys("To nobody")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    error = wait(driver, lambda d: [e for e in css(d, ".field-error") if e.text.strip()], what="the refusal")[0]
    assert '"nobody" is not an engineer on this rotation or in the roster; did you mean' in error.text
    assert escalations(rota_bin, inputs) == []
    # Whole rotation stays the one way to file unassigned.
    driver.find_element(By.CSS_SELECTOR, '#candidates .candidate[data-handle=""] input').click()
    driver.find_element(By.CSS_SELECTOR, "#title").send_keys(Keys.ENTER)
    assert wait(driver, lambda d: text_of(d, "#filed-message"), what="the confirmation") == "Filed #1 to the whole rotation"
    [filed] = escalations(rota_bin, inputs)
    assert filed["assignee"] is None


def test_escalate_from_the_keyboard_again_and_again(launch, inputs, rota_bin, artifacts):
    """Only the keyboard, as a person at a desk: Ctrl+Alt+E, type, Enter; again; Esc; again.
    Each time a windows process starts with the window, and ends when it closes."""
    inputs.write()
    app = launch()
    app.tray
    wait_for(lambda: "rota: tray ready" in app.output(), 10, what="the tray")

    def open_window(round_):
        keys("ctrl+alt+e")
        wait_for(lambda: app.output().count("rota: escalate window ready") >= round_, 60,
                 what=f"the escalate window, time {round_}")
        [window] = wait_for(lambda: x_windows("Escalate"), 10, what="the Escalate window on screen")
        # Xvfb runs no window manager to hand focus to a new window: do what one would.
        subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
        painted(window, artifacts / f"escalate-keyboard-{round_}-open.png")
        return window

    def closed():
        wait_for(lambda: not x_windows("Escalate") and not window_processes(inputs), 15,
                 what="the escalate window and its process to be gone")

    filed = 0
    for round_, action in enumerate(["file", "file", "escape", "file"], start=1):
        window = open_window(round_)
        title = f"Keyboard escalation {round_}"
        type_text(title)
        if action == "file":
            keys("Return")
            filed += 1
            wait_for(lambda: len(escalations(rota_bin, inputs)) == filed, 15, what=f"escalation {filed} filed")
            if round_ == 1:
                # What a person sees: the confirmation, drawn on screen before the window goes.
                shown = artifacts / "escalate-keyboard-filed.png"
                wait_for(lambda: shows_confirmation(window, shown), 5, interval=0.1, what="the confirmation on screen")
            assert title in [e["title"] for e in escalations(rota_bin, inputs)]
        else:
            keys("Escape")
        closed()
    assert len(escalations(rota_bin, inputs)) == 3


def test_dashboard_reads_at_a_glance(session, inputs, artifacts):
    inputs.write()
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(css(d, "#on-duty .engineer")) == 2, what="the cards")
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard.png"))

    assert driver.find_element(By.CSS_SELECTOR, "#on-duty-title").get_attribute("textContent") == "This rotation"
    assert text_of(driver, "#summary") == "2 of 2 working now — next hand-off Mon 10 Oct 00:00"
    assert text_of(driver, "#me-line") == KEEGAN_LINE
    # My card first, marked, with the handle; one zone line; the countdown on one line.
    first = css(driver, "#on-duty .engineer")[0]
    assert first.get_attribute("data-handle") == "keegancsmith"
    assert first.find_element(By.CSS_SELECTOR, ".you").text == "(you)"
    assert first.find_element(By.CSS_SELECTOR, ".handle").text == "@keegancsmith"
    for card, zone in zip(css(driver, "#on-duty .engineer"), ["SAST", "CEST"]):
        assert card.find_element(By.CSS_SELECTOR, ".zone").text == zone
        assert not card.find_elements(By.CSS_SELECTOR, ".utc-offset, .abbreviation")
        text = card.text
        assert "+02:00" not in text and "Africa/" not in text and "Europe/" not in text, text
        note = card.find_element(By.CSS_SELECTOR, ".note")
        lines = driver.execute_script(
            "const r = document.createRange(); r.selectNodeContents(arguments[0]); return r.getClientRects().length", note)
        assert lines == 1, f"{note.text!r} takes {lines} lines"
    assert first.find_element(By.CSS_SELECTOR, ".note").text == "until 17:00 (3 h left)"

    # The current hour (Thu 12:00 UTC) is marked, once, in its column and its cell.
    assert [th.text for th in css(driver, "#coverage th.now")] == ["12"]
    [now] = css(driver, "#coverage td.now")
    assert now.get_attribute("aria-current") == "time"
    row = now.find_element(By.XPATH, "./ancestor::tr/th").text
    assert row.startswith("Thu 15"), row

    # Findings: file names and lines, sorted, each once.
    driver.execute_script("document.getElementById('findings-title').scrollIntoView()")
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard-checks.png"))
    places = [e.text for e in css(driver, "#findings .where")]
    assert places, "the handbook has findings"
    assert all("/" not in p for p in places), places
    findings = [f.text for f in css(driver, "#findings .finding")]
    assert len(findings) == len(set(findings)), findings
    assert not [f for f in findings if str(inputs.dir) in f], "file names, not paths"

    def key(place):
        file, _, line = place.rpartition(":")
        return (file, int(line)) if line.isdigit() else (place, 0)
    assert [key(p) for p in places] == sorted(key(p) for p in places), places

    # Everything is reachable by Tab: buttons, cards, the coverage grid, rotations, findings.
    reached = set()
    body = driver.find_element(By.CSS_SELECTOR, "body")
    body.click()
    stops = len(css(driver, "button, [tabindex='0']"))
    for _ in range(stops + 2):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.add(driver.execute_script(
            "const e = document.activeElement; return e.id || e.dataset.handle || e.className + ':' + e.textContent.slice(0, 40);"))
    for target in ["open-escalate", "open-settings", "keegancsmith", "valerybugakov"]:
        assert target in reached, (target, reached)
    assert any(r.startswith("scroll:") for r in reached), reached
    assert any(r.startswith("rotation ") for r in reached), reached
    assert sum(r.startswith("finding ") for r in reached) == len(findings), reached

    # Esc closes the dashboard, and with it the windows process.
    press_escape(driver, body)
    wait_for(lambda: not window_processes(inputs), 15, what="the dashboard's process to end on Esc")


def option_values(driver, datalist):
    """The values a datalist offers, in order: read in one script, not one WebDriver request for
    each of its hundreds of options."""
    return driver.execute_script("return [...document.querySelectorAll(arguments[0] + ' option')].map(o => o.value)",
                                 datalist)


def focused_card(driver):
    """The handle of the card that has the focus, when it is wholly in view."""
    return driver.execute_script("""
        const e = document.activeElement;
        if (!e || !e.classList.contains("engineer")) return null;
        const r = e.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight ? e.dataset.handle : null;""")


def test_a_persons_card_is_shown(session, inputs, rota_bin, artifacts):
    """A person's line in the tray opens the dashboard at their card; clicked again for someone
    else while it is open, the same window moves to theirs."""
    # More cards than the window holds: the last one is below the fold until it is asked for.
    extras = [f"extra{n}" for n in range(14)]
    people = [*PEOPLE] + [{"handle": h, "name": h.title(), "timezone": "Asia/Kathmandu", "hours": "09:00-17:00"} for h in extras]
    inputs.write(people=people, schedule="file")
    inputs.schedule.write_text(SCHEDULE.replace("@valerybugakov |", "@valerybugakov, " + ", ".join(f"@{h}" for h in extras) + " |"))
    driver = session("--window", "dashboard", "--show", "person:extra13")
    wait(driver, lambda d: focused_card(d) == "extra13", what="the last card in view with the focus")
    assert driver.execute_script("return window.scrollY") > 0, "the dashboard scrolled to the card"
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard-person.png"))
    before = window_processes(inputs)
    again = subprocess.run([rota_bin, "--config", str(inputs.config), "--window", "dashboard", "--show", "person:keegancsmith"],
                           env={**os.environ, **inputs.env()}, capture_output=True, text=True, timeout=30)
    assert again.returncode == 0, again.stderr
    wait(driver, lambda d: focused_card(d) == "keegancsmith", what="Keegan's card, in the window already open")
    assert window_processes(inputs) == before, "the open dashboard took the request"


def test_settings_save_only_when_saved(session, inputs, artifacts):
    """"Saved" only after a save; Save is the primary button, in view, with Enter and Ctrl+S; the
    timezone fields offer the IANA names and refuse others."""
    inputs.write()
    inputs.config.unlink()  # a first run: nothing saved yet
    driver = session("--window", "settings")
    wait(driver, lambda d: (text_of(d, "#config-file") or "").strip(), what="where settings are kept")
    wait(driver, lambda d: len(css(d, "#zones option")) > 300, what="the zone names")
    settle(driver)
    driver.save_screenshot(str(artifacts / "settings.png"))

    assert not inputs.config.exists()
    page = driver.execute_script("return document.body.innerText")
    assert "Saved" not in page, page
    assert text_of(driver, "#config-file") == f"Not saved yet: Save writes {inputs.config}"
    save = driver.find_element(By.CSS_SELECTOR, "#save")
    assert "primary" in save.get_attribute("class")
    assert driver.execute_script("const r = arguments[0].getBoundingClientRect(); return r.bottom <= innerHeight && r.top >= 0", save), \
        "Save should be in view without scrolling"
    names = option_values(driver, "#zones")
    assert "Asia/Kathmandu" in names and "Pacific/Chatham" in names and "auto" not in names
    viewer = option_values(driver, "#viewer-zones")
    assert viewer[0] == "auto" and "Europe/Berlin" in viewer
    assert driver.find_element(By.CSS_SELECTOR, "#timezone").get_attribute("list") == "viewer-zones"
    assert driver.find_element(By.CSS_SELECTOR, "#schedule-timezone").get_attribute("list") == "zones"

    # Enter in a field saves.
    field = driver.find_element(By.CSS_SELECTOR, "#timezone")
    field.clear()
    field.send_keys("Asia/Kathmandu")
    field.send_keys(Keys.ENTER)
    wait(driver, lambda d: inputs.config.exists() and "Asia/Kathmandu" in inputs.config.read_text(), what="the save on Enter")
    # The file is written first, then the keyring and the reload: "Saved" comes when all of it is done.
    status = wait(driver, lambda d: (text_of(d, "#save-status") or "").startswith("Saved") and text_of(d, "#save-status"),
                  what="the save status")
    assert status == f"Saved to {inputs.config}."
    assert text_of(driver, "#config-file") == f"Kept in {inputs.config}"

    # A name that is no IANA zone is refused; Ctrl+S saves what is right.
    good = inputs.config.read_bytes()
    field = driver.find_element(By.CSS_SELECTOR, "#schedule-timezone")
    field.clear()
    field.send_keys("Mars/Olympus")
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    error = wait(driver, lambda d: [e for e in css(d, '.field-error[data-for="schedule-timezone"]') if e.text.strip()],
                 what="the refusal beside the hand-off zone")[0]
    assert "Mars/Olympus" in error.text and "IANA" in error.text
    assert inputs.config.read_bytes() == good
    field = driver.find_element(By.CSS_SELECTOR, "#schedule-timezone")
    field.clear()
    field.send_keys("Pacific/Chatham")
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    wait(driver, lambda d: 'timezone = "Pacific/Chatham"' in inputs.config.read_text(), what="the save on Ctrl+S")
