"""the small action window a tray item opens (`--window action --show engage:ID` or
`reassign:ID`), driven through WebDriver on the real local backend: the form ready to type in, the
escalation shown as text, mistakes said beside their field with nothing changed, Enter to send, a
sentence saying what was done, and Esc or the moment after to close. A new request redraws the
open window; a refresh of the same one keeps what is typed. The tray's side (the menu item opens
it, typed into with the keyboard): test_lifecycle.py. Screenshots: tests/artifacts/action-*.png."""
import os
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dbusmenu import wait_for
from test_daily_uses import press_escape, window_processes
from test_escalations_panel import HOSTILE, backend, css, rota
from webdriver import settle, text_of, wait

NOW = "2022-09-15T12:00:00Z"


def focused_id(driver):
    return driver.execute_script("return document.activeElement && document.activeElement.id;")


def ask(rota_bin, inputs, target):
    """What the tray does on a click: `rota-app --window action --show TARGET` (through `rota`)."""
    out = subprocess.run([rota_bin, "--config", str(inputs.config), "--window", "action", "--show", target],
                         env={**os.environ, **inputs.env()}, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr


def field_error(driver, field):
    return driver.execute_script(
        "const e = document.querySelector(`.field-error[data-for='${arguments[0]}']`); return e ? e.textContent : null;", field)


def test_engage_engineering_in_the_small_window(session, inputs, rota_bin, artifacts):
    inputs.write()
    earlier = rota(rota_bin, inputs, "2022-09-14T10:00:00Z", "escalate", "--title", "Billing mismatch", "--to", "valerybugakov", "--json")
    rota(rota_bin, inputs, "2022-09-14T11:00:00Z", "engage", earlier["id"], "--team", "billing-platform")
    mine = rota(rota_bin, inputs, "2022-09-15T11:00:00Z", "escalate", "--title", HOSTILE, "--customer", "Acme",
                "--severity", "sev1", "--to", "keegancsmith", "--json")
    id = mine["id"]

    driver = session("--window", "action", "--show", f"engage:{id}")
    wait(driver, lambda d: focused_id(d) == "engage-team", what="the Team field, focused")
    assert text_of(driver, "#heading") == "Engage engineering"
    wait(driver, lambda d: d.title == "Engage engineering", what="the window named for its action")
    assert text_of(driver, "#subject-title") == f"{HOSTILE} — Acme"
    assert css(driver, "img") == [] and driver.title != "pwned", "a title from outside is text"
    meta = text_of(driver, "#subject-meta")
    assert meta.startswith(f"#{id} · sev1 · open · keegancsmith"), meta
    teams = driver.execute_script("return [...document.querySelectorAll('#known-teams option')].map(o => o.value);")
    assert teams == ["billing-platform"], "the teams engaged before are offered"
    assert not driver.find_element(By.CSS_SELECTOR, "#close-row").is_displayed(), "Engage and Cancel, no Close beside them"
    size = driver.get_window_size()
    assert size["width"] <= 520 and size["height"] <= 540, f"a small window, not the dashboard: {size}"

    # Enter with no team: said beside the field, nothing changed.
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait(driver, lambda d: field_error(d, "engage-team") == "name the engineering team", what="the team asked for")
    assert driver.find_element(By.CSS_SELECTOR, "#engage-team").get_attribute("aria-invalid") == "true"
    # A name GitHub's label would not hold: said, not cut short as it is typed or pasted.
    team = driver.find_element(By.CSS_SELECTOR, "#engage-team")
    team.send_keys("search-and-relevance-platform-infrastructure-x" + Keys.ENTER)  # 46 characters
    wait(driver, lambda d: field_error(d, "engage-team") == "a team's name has at most 45 characters", what="the long name refused")
    assert team.get_attribute("value") == "search-and-relevance-platform-infrastructure-x", "kept whole, to be edited"
    team.clear()
    # A link that is no web link: said beside it.
    team.send_keys("search")
    url = driver.find_element(By.CSS_SELECTOR, "#engage-url")
    url.send_keys("javascript:alert(1)" + Keys.ENTER)
    wait(driver, lambda d: field_error(d, "engage-url") == "the link must be an http or https URL", what="the link refused")
    assert field_error(driver, "engage-team") is None, "the team's error went once the team was given"
    assert backend(rota_bin, inputs, id)["state"] == "open", "nothing changed by a refused form"

    url.clear()
    url.send_keys("https://tracker.example.com/SI-7")
    wait(driver, lambda d: field_error(d, "engage-url") is None, what="the link's error gone once it is edited")
    settle(driver)
    driver.save_screenshot(str(artifacts / "action-engage.png"))
    url.send_keys(Keys.ENTER)
    message = wait(driver, lambda d: text_of(d, "#done-message"), what="what was done")
    assert message == f"Engaged engineering (search) on escalation {id}"
    assert "· handed to engineering · keegancsmith · team search ·" in text_of(driver, "#subject-meta"), "the escalation as it is now"
    assert not driver.find_element(By.CSS_SELECTOR, "#fields").is_displayed(), "the form goes once it is done"
    e = backend(rota_bin, inputs, id)
    assert (e["state"], e["team"]) == ("handed_to_engineering", "search")
    last = e["history"][-1]
    assert (last["by"], last["at"], last.get("note")) == ("keegancsmith", NOW, "https://tracker.example.com/SI-7")
    wait(driver, lambda d: focused_id(d) == "done", what="focus on the confirmation")
    settle(driver)
    driver.save_screenshot(str(artifacts / "action-engaged.png"))

    # Esc closes it without waiting for the moment to pass; the windows process ends with it.
    pressed = time.monotonic()
    press_escape(driver, driver.switch_to.active_element)
    wait_for(lambda: not window_processes(inputs), 15, what="the action window (and its process) to close on Esc")
    assert time.monotonic() - pressed < 4, "closed by Esc, not by the confirmation's own 6 s"
    assert len(backend(rota_bin, inputs, id)["history"]) == len(e["history"]), "sent once"


def test_reassign_offers_the_others_and_a_new_request_redraws_the_window(session, inputs, rota_bin, artifacts):
    inputs.write()
    mine = rota(rota_bin, inputs, "2022-09-15T11:00:00Z", "escalate", "--title", "Exports fail", "--to", "keegancsmith", "--json")
    other = rota(rota_bin, inputs, "2022-09-15T11:30:00Z", "escalate", "--title", "Search is slow", "--to", "keegancsmith", "--json")

    driver = session("--window", "action", "--show", f"reassign:{mine['id']}")
    wait(driver, lambda d: focused_id(d) == "to-valerybugakov", what="the policy's pick, chosen and focused")
    assert text_of(driver, "#heading") == "Reassign"
    offered = driver.execute_script("return [...document.querySelectorAll('#candidates .candidate')].map(c => c.dataset.handle);")
    assert offered == ["valerybugakov"], "the others on duty: not the one who holds it"
    assert "working" in text_of(driver, "#candidates .candidate .status").lower()
    assert driver.find_element(By.CSS_SELECTOR, "#to-valerybugakov").is_selected()
    settle(driver)
    driver.save_screenshot(str(artifacts / "action-reassign.png"))

    # Engage engineering… on another escalation, clicked while the window is open: the same window
    # moves to it, ready to type.
    ask(rota_bin, inputs, f"engage:{other['id']}")
    wait(driver, lambda d: focused_id(d) == "engage-team" and text_of(d, "#heading") == "Engage engineering",
         what="the open window redrawn for the new request")
    assert text_of(driver, "#subject-title") == "Search is slow"
    assert len(window_processes(inputs)) == 1, "one windows process"
    driver.switch_to.active_element.send_keys("half-typed")
    # A refresh of the same request (here: the roster changed on disk) reads the view again and
    # keeps what is typed.
    loads = int(driver.execute_script("return document.body.dataset.loads"))
    inputs.roster.write_text(inputs.roster.read_text() + "\n# edited\n")
    wait(driver, lambda d: int(d.execute_script("return document.body.dataset.loads")) > loads, what="the view read again")
    settle(driver)
    assert driver.find_element(By.CSS_SELECTOR, "#engage-team").get_attribute("value") == "half-typed"
    assert focused_id(driver) == "engage-team"

    # Back to the first: Enter hands it to the chosen engineer.
    ask(rota_bin, inputs, f"reassign:{mine['id']}")
    wait(driver, lambda d: focused_id(d) == "to-valerybugakov", what="the reassign form again")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    message = wait(driver, lambda d: text_of(d, "#done-message"), what="what was done")
    assert message == f"Reassigned escalation {mine['id']} to Valery"
    assert backend(rota_bin, inputs, mine["id"])["assignee"] == "valerybugakov"
    assert backend(rota_bin, inputs, other["id"])["state"] == "open", "the other untouched"
    # Left alone, the confirmation goes after a moment, and the window with it.
    wait_for(lambda: not window_processes(inputs), 20, what="the window to close by itself after the confirmation")


def test_a_resolved_escalation_is_reopened_here_and_a_missing_one_said(session, inputs, rota_bin, artifacts):
    inputs.write()
    done = rota(rota_bin, inputs, "2022-09-15T11:00:00Z", "escalate", "--title", "Old news", "--to", "keegancsmith", "--json")
    rota(rota_bin, inputs, "2022-09-15T11:30:00Z", "resolve", done["id"])
    other = rota(rota_bin, inputs, "2022-09-15T11:40:00Z", "escalate", "--title", "Also old", "--to", "keegancsmith", "--json")
    rota(rota_bin, inputs, "2022-09-15T11:45:00Z", "resolve", other["id"])

    # A missing one: said, no form, nothing to reopen; Esc closes.
    driver = session("--window", "action", "--show", "reassign:999")
    wait(driver, lambda d: text_of(d, "#problem") == "Escalation 999 is not there any more.", what="a missing escalation")
    assert not driver.find_element(By.CSS_SELECTOR, "#escalation").is_displayed()
    assert not driver.find_element(By.CSS_SELECTOR, "#reopen").is_displayed()

    # A resolved one: said, with Reopen beside Close (Close focused: Enter reopens nothing).
    ask(rota_bin, inputs, f"engage:{done['id']}")
    problem = wait(driver, lambda d: text_of(d, "#problem") if "resolved" in (text_of(d, "#problem") or "") else None,
                   what="why it cannot be engaged")
    assert problem == f"Escalation {done['id']} is resolved. Reopen it to engage engineering on it.", problem
    assert not driver.find_element(By.CSS_SELECTOR, "#fields").is_displayed(), "no form for it"
    wait(driver, lambda d: focused_id(d) == "close", what="the Close button, focused")
    settle(driver)
    driver.save_screenshot(str(artifacts / "action-refused.png"))
    driver.find_element(By.CSS_SELECTOR, "#reopen").click()
    wait(driver, lambda d: focused_id(d) == "engage-team", what="the form, once it is reopened")
    assert backend(rota_bin, inputs, done["id"])["state"] == "open"
    assert not text_of(driver, "#problem") and "· open ·" in text_of(driver, "#subject-meta")

    # Esc, with the form open: nothing engaged; the other one stays resolved.
    press_escape(driver, driver.switch_to.active_element)
    wait_for(lambda: not window_processes(inputs), 15, what="Esc to close it")
    assert backend(rota_bin, inputs, done["id"])["state"] == "open"
    assert backend(rota_bin, inputs, other["id"])["state"] == "resolved"
