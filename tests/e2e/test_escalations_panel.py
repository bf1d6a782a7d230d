"""the dashboard's Escalations panel, driven through WebDriver: mine / all open /
recently closed from the real local backend, actions that reach the backend as me, titles from
outside shown as text, and the goal's chart (the share engaged per rotation against the 10% line).
Screenshots go to tests/artifacts/escalations-panel.png and escalations-panel-reassign.png."""
import json
import os
import re
import subprocess

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from webdriver import settle, wait

HOSTILE = "<img src=x onerror=\"document.title='pwned'\"> SSO loops"


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def rota(rota_bin, inputs, now, *args):
    env = {**os.environ, **inputs.env(), "ROTA_NOW": now}
    out = subprocess.run([rota_bin, "--config", str(inputs.config), *args], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if "--json" in args else out.stdout


def backend(rota_bin, inputs, id):
    [e] = [e for e in rota(rota_bin, inputs, "2022-09-15T12:00:00Z", "escalations", "--all", "--json") if e["id"] == id]
    return e


def rows(driver):
    return {r.get_attribute("data-id"): r for r in css(driver, "#escalations-list .escalation")}


def meta(driver, id):
    """The row's meta line, read in one step (the panel redraws after each action)."""
    return driver.execute_script(
        "const r = [...document.querySelectorAll('#escalations-list .escalation')].find(e => e.dataset.id === arguments[0]);"
        "return r ? r.querySelector('.meta').textContent : '';", id)


def percents(driver):
    return driver.execute_script("return [...document.querySelectorAll('#goal-chart svg .bar')].map(b => Number(b.dataset.percent));")


def ids(driver):
    return driver.execute_script("return [...document.querySelectorAll('#escalations-list .escalation')].map(e => e.dataset.id);")


def test_the_escalations_panel_acts_and_charts_the_goal(session, inputs, rota_bin, artifacts):
    inputs.write()
    # In the rotation of 7 Sep - 9 Oct 2022: one resolved, one with engineering, one open and mine.
    done = rota(rota_bin, inputs, "2022-09-14T10:00:00Z", "escalate", "--title", "Slow search", "--to", "keegancsmith", "--json")
    rota(rota_bin, inputs, "2022-09-14T10:15:00Z", "ack", done["id"])
    rota(rota_bin, inputs, "2022-09-14T11:00:00Z", "resolve", done["id"])
    theirs = rota(rota_bin, inputs, "2022-09-14T12:00:00Z", "escalate", "--title", "Billing mismatch", "--to", "valerybugakov", "--json")
    rota(rota_bin, inputs, "2022-09-14T13:00:00Z", "engage", theirs["id"], "--team", "billing")
    mine = rota(rota_bin, inputs, "2022-09-15T11:00:00Z", "escalate", "--title", HOSTILE, "--customer", "Acme",
                "--severity", "sev1", "--to", "keegancsmith", "--json")

    driver = session("--window", "dashboard")
    wait(driver, lambda d: mine["id"] in rows(d), what="my open escalation in the panel")
    assert list(rows(driver)) == [mine["id"]], "Mine: only my open one"
    row = rows(driver)[mine["id"]]
    assert row.find_element(By.CSS_SELECTOR, ".title").text == f"{HOSTILE} — Acme"
    assert css(driver, "img") == [] and driver.title != "pwned", "a title from outside is text"
    buttons = [b.get_attribute("data-action") for b in row.find_elements(By.CSS_SELECTOR, ".row-actions button")]
    assert buttons == ["acknowledge", "resolve", "engage", "reassign"], buttons

    # The chart: one bar per rotation started, the current one above the 10% goal (1 of 3).
    bars = css(driver, "#goal-chart svg .bar")
    assert len(bars) == 2, [b.get_attribute("data-percent") for b in bars]
    assert abs(float(bars[1].get_attribute("data-percent")) - 100 / 3) < 0.01
    assert "above" in bars[1].get_attribute("class")
    assert css(driver, "#goal-chart svg .goal-line")
    times = css(driver, "#goal-chart .times tbody tr")[1].text
    assert "median 15 min" in times, times  # acknowledged after 15 min (the only one); the others not yet

    # Acknowledge acts at once, as me.
    row.find_element(By.CSS_SELECTOR, "button[data-action='acknowledge']").click()
    wait(driver, lambda d: "acknowledged" in meta(d, mine["id"]), what="the row acknowledged")
    assert backend(rota_bin, inputs, mine["id"])["history"][-1]["by"] == "keegancsmith"

    # Engage engineering asks for the team, offering those engaged before as it is typed.
    rows(driver)[mine["id"]].find_element(By.CSS_SELECTOR, "button[data-action='engage']").click()
    team = wait(driver, lambda d: css(d, "#engage-team"), what="the team field")[0]
    offered = driver.execute_script("return [...arguments[0].list.options].map((o) => o.value)", team)
    assert offered == ["billing"], f"the team engaged before, offered: {offered}"
    team.send_keys("search")
    driver.find_element(By.CSS_SELECTOR, ".action-form button[type='submit']").click()
    wait(driver, lambda d: "team search" in meta(d, mine["id"]), what="the row with engineering")
    e = backend(rota_bin, inputs, mine["id"])
    assert (e["state"], e["team"]) == ("handed_to_engineering", "search")
    wait(driver, lambda d: len(percents(d)) == 2 and abs(percents(d)[1] - 200 / 3) < 0.01, what="the chart at 2 of 3 engaged")

    # Recently closed lists the resolved one.
    driver.find_element(By.CSS_SELECTOR, "#escalation-tabs button[data-tab='closed']").click()
    wait(driver, lambda d: ids(d) == [done["id"]], what="the resolved one under Recently closed")
    assert [b.get_attribute("data-action") for b in rows(driver)[done["id"]].find_elements(By.CSS_SELECTOR, ".row-actions button")] == ["reopen"]

    driver.find_element(By.CSS_SELECTOR, "#escalation-tabs button[data-tab='open']").click()
    wait(driver, lambda d: set(ids(d)) == {mine["id"], theirs["id"]}, what="all open")
    driver.execute_script("document.getElementById('escalations-panel').scrollIntoView()")
    settle(driver)
    driver.save_screenshot(str(artifacts / "escalations-panel.png"))


def history_of(rota_bin, inputs, id):
    return [(h["state"], h["by"], h.get("note")) for h in backend(rota_bin, inputs, id)["history"]]


def test_resolve_reopen_and_reassign_from_the_panel(session, inputs, rota_bin, artifacts):
    """Resolve… asks for an optional note (Esc closes the form, not the dashboard), Reopen acts at
    once from Recently closed, Reassign… hands it to the engineer chosen; each reaches the backend
    as me, and the panel follows."""
    inputs.write()
    mine = rota(rota_bin, inputs, "2022-09-15T11:00:00Z", "escalate", "--title", "Exports fail", "--to", "keegancsmith", "--json")
    id = mine["id"]
    driver = session("--window", "dashboard")
    wait(driver, lambda d: ids(d) == [id], what="my open escalation under Mine")

    def button(action):
        return rows(driver)[id].find_element(By.CSS_SELECTOR, f"button[data-action='{action}']")

    # Resolve…, then Esc: the form goes, the dashboard stays, nothing changed.
    button("resolve").click()
    note = wait(driver, lambda d: css(d, "#resolve-note"), what="the note field")[0]
    wait(driver, lambda d: d.switch_to.active_element == note, what="the note field focused")
    note.send_keys("half a thought" + Keys.ESCAPE)
    wait(driver, lambda d: not css(d, ".action-form"), what="Esc to close the form")
    assert ids(driver) == [id] and backend(rota_bin, inputs, id)["state"] == "open"

    # Resolve… with a note, sent with Enter: it leaves Mine.
    button("resolve").click()
    wait(driver, lambda d: css(d, "#resolve-note"), what="the note field")[0].send_keys("restarted the indexer" + Keys.ENTER)
    wait(driver, lambda d: ids(d) == [], what="the resolved one gone from Mine")
    assert history_of(rota_bin, inputs, id)[-1] == ("resolved", "keegancsmith", "restarted the indexer")

    # Reopen, from Recently closed: at once.
    driver.find_element(By.CSS_SELECTOR, "#escalation-tabs button[data-tab='closed']").click()
    wait(driver, lambda d: ids(d) == [id], what="it under Recently closed")
    button("reopen").click()
    wait(driver, lambda d: ids(d) == [], what="the reopened one gone from Recently closed")
    assert backend(rota_bin, inputs, id)["state"] == "open"
    assert history_of(rota_bin, inputs, id)[-1][:2] == ("open", "keegancsmith")

    # Reassign…, to the engineer chosen: it leaves Mine and shows under All open with them.
    driver.find_element(By.CSS_SELECTOR, "#escalation-tabs button[data-tab='mine']").click()
    wait(driver, lambda d: ids(d) == [id], what="it back under Mine")
    # The others on duty, as the action window lists them: name, local time, status, the reason;
    # the policy's pick first, chosen and focused, so Enter hands it on.
    button("reassign").click()
    wait(driver, lambda d: css(d, ".action-form .candidate"), what="the engineers to choose")
    candidates = driver.execute_script(
        "return [...document.querySelectorAll('.action-form .candidate')].map((c) => ({"
        " handle: c.dataset.handle, checked: c.querySelector('input').checked,"
        " who: c.querySelector('.who').textContent, when: c.querySelector('.when').textContent,"
        " status: c.querySelector('.status').textContent, reason: c.querySelector('.reason').textContent }))")
    assert [c["handle"] for c in candidates] == ["valerybugakov"], f"the others on duty, not me: {candidates}"
    [valery] = candidates
    assert valery["checked"] and valery["who"] and valery["status"] and valery["reason"], valery
    assert re.fullmatch(r"\w{3} \d\d:\d\d \S+", valery["when"]), f"their local time and zone: {valery['when']!r}"
    settle(driver)
    driver.save_screenshot(str(artifacts / "escalations-panel-reassign.png"))
    focused = wait(driver, lambda d: d.switch_to.active_element.get_attribute("value") == "valerybugakov" and d.switch_to.active_element,
                   what="the pick focused")
    focused.send_keys(Keys.ENTER)
    wait(driver, lambda d: ids(d) == [], what="the reassigned one gone from Mine")
    assert backend(rota_bin, inputs, id)["assignee"] == "valerybugakov"
    driver.find_element(By.CSS_SELECTOR, "#escalation-tabs button[data-tab='open']").click()
    wait(driver, lambda d: "valerybugakov" in meta(d, id), what="it under All open, with Valery")


def test_mine_says_how_to_tell_rota_who_i_am_when_it_does_not_know(session, inputs):
    """A first run knows no `me`: the empty list of mine says how to tell Rota, not that nothing
    is assigned to me."""
    inputs.write()
    inputs.config.write_text(re.sub(r'(?m)^me = .*\n', "", inputs.config.read_text()))
    driver = session("--window", "dashboard")
    empty = wait(driver, lambda d: d.execute_script("const e = document.querySelector('#escalations-list .empty'); return e && e.textContent;"),
                 what="the empty list of mine")
    assert empty == "Rota does not know who you are: set your handle in Settings to see what is assigned to you.", empty
