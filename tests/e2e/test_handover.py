"""The hand-over window (`--window handover`, what the tray's "Hand over N open escalations…"
opens), driven with the keyboard through WebDriver on the real local backend: each move listed
with the policy's pick chosen, one changed by typing, Enter hands them over, and the backend
holds each reassignment with its note. Screenshots: handover-*.png."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import PEOPLE
from test_escalations_panel import rota
from webdriver import settle, text_of, wait

NOW = "2022-09-15T12:00:00Z"

# Keegan leaves at 00:00 UTC on Fri 16 Sep; Valery stays on; Ann (New York, 20:00, off hours) and
# Bo (Tokyo, 09:00, working) come in.
SCHEDULE = """\
| Rotation | Engineers |
| --- | --- |
| 2022-09-07 to 2022-09-15 | @keegancsmith, @valerybugakov |
| 2022-09-16 to 2022-10-20 | @valerybugakov, @ann, @bo |
"""

TEAM = PEOPLE + [
    {"handle": "ann", "name": "Ann", "timezone": "America/New_York", "hours": "09:00-17:00"},
    {"handle": "bo", "name": "Bo", "timezone": "Asia/Tokyo", "hours": "09:00-17:00"},
]


def test_the_hand_over_window_moves_each_escalation_with_the_keyboard(session, inputs, rota_bin, artifacts):
    inputs.write(people=TEAM, schedule="file")
    inputs.schedule.write_text(SCHEDULE)
    first = rota(rota_bin, inputs, "2022-09-15T10:00:00Z", "escalate", "--title", "Exports <b>fail</b>", "--to", "keegancsmith", "--json")
    second = rota(rota_bin, inputs, "2022-09-15T11:00:00Z", "escalate", "--title", "Search is slow", "--to", "keegancsmith", "--json")
    kept = rota(rota_bin, inputs, "2022-09-15T11:30:00Z", "escalate", "--title", "Billing", "--to", "valerybugakov", "--json")

    driver = session("--window", "handover")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#moves .move")) == 2, what="the two moves")
    assert text_of(driver, "#heading") == "Hand-off Fri 16 Sep 00:00"
    titles = driver.execute_script("return [...document.querySelectorAll('#moves .title')].map(e => e.textContent);")
    assert titles == [f"#{first['id']} Exports <b>fail</b>", f"#{second['id']} Search is slow"], "titles as text"
    values = lambda d: d.execute_script("return [...document.querySelectorAll('#moves select')].map(s => s.value);")
    # Bo is the only one working at the hand-off: the policy's pick for both (working first).
    assert values(driver) == ["bo", "bo"], values(driver)
    assert text_of(driver, "#kept") == f"#{kept['id']} stays with valerybugakov (on both rotations)"
    focused = driver.execute_script("return document.activeElement.dataset.id;")
    assert focused == first["id"], "the first move's choice has the focus"
    settle(driver)
    driver.save_screenshot(str(artifacts / "handover-window.png"))

    # Both changed with the keyboard: typing a name chooses it, Tab goes to the next move.
    driver.switch_to.active_element.send_keys("v")
    wait(driver, lambda d: values(d)[0] == "valerybugakov", what="Valery chosen for the first")
    driver.switch_to.active_element.send_keys(Keys.TAB)
    wait(driver, lambda d: d.execute_script("return document.activeElement.dataset.id;") == second["id"], what="the second move")
    driver.switch_to.active_element.send_keys("a")
    wait(driver, lambda d: values(d) == ["valerybugakov", "ann"], what="Ann chosen for the second")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait(driver, lambda d: (text_of(d, "#handover-status") or "") == "Handed over.", what="the moves made")
    done = text_of(driver, "#done")
    assert f"#{first['id']} handed to valerybugakov" in done and f"#{second['id']} handed to ann" in done, done
    settle(driver)
    driver.save_screenshot(str(artifacts / "handover-done.png"))

    every = {e["id"]: e for e in rota(rota_bin, inputs, NOW, "escalations", "--all", "--json")}
    assert (every[first["id"]]["assignee"], every[second["id"]]["assignee"], every[kept["id"]]["assignee"]) == \
        ("valerybugakov", "ann", "valerybugakov")
    last = every[second["id"]]["history"][-1]
    assert (last["by"], last.get("note")) == ("keegancsmith", "handed over at rotation end")
    again = rota(rota_bin, inputs, NOW, "handover", "--dry-run", "--json")
    assert again["moves"] == [], "a second run changes nothing"
