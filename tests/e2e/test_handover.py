"""The hand-over window (`--window handover`, what the tray's "Hand over N open escalations…"
opens), driven with the keyboard through WebDriver on the real local backend: each move listed
with the policy's pick chosen, one changed by typing, Enter hands them over, and the backend
holds each reassignment with its note. Screenshots: handover-*.png."""
import subprocess

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


def test_the_tray_offers_the_hand_over_on_my_last_day_and_shows_who_is_away(inputs, launch, rota_bin, artifacts):
    """Through the real tray (the lean host, its dbusmenu): on the last day of my rotation with
    escalations of mine open, "Hand over 2 open escalations…" opens the window; Enter, typed with
    xdotool as a person does, hands them over and the item goes. Valery, away today, is "away
    until …" in the menu."""
    from test_daily_uses import keys, window_processes, x_windows
    from test_lifecycle import click
    from dbusmenu import wait_for
    inputs.write(people=TEAM, schedule="file")
    inputs.schedule.write_text(SCHEDULE + "\n| Who | When | Why |\n| --- | --- | --- |\n| @valerybugakov | 2022-09-15 to 2022-09-15 | dentist |\n")
    for title in ["Exports fail", "Search is slow"]:
        rota(rota_bin, inputs, "2022-09-15T10:00:00Z", "escalate", "--title", title, "--to", "keegancsmith", "--json")
    app = launch()
    wait_for(lambda: "rota: escalations watched" in app.output(), 20, what="the poller's first poll")
    offer = wait_for(lambda: app.tray.entry(["Hand over 2 open escalations…"]), 15, what="the hand-over offered")
    labels = app.tray.labels()
    assert "Valery — 14:00 CEST · away until Fri 16 Sep" in labels, labels
    assert labels.index("Hand over 2 open escalations…") == labels.index("My escalations (2)") + 1, labels

    click(app.tray, offer)
    wait_for(lambda: "rota: handover window ready" in app.output(), 30, what="the hand-over window ready")
    [window] = wait_for(lambda: x_windows("Hand over"), 20, what="the hand-over window on screen")
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
    wait_for(lambda: drawn(window, artifacts / "handover-from-tray.png"), 10, what="the window drawn, its Hand over button blue")
    keys("Return")
    every = lambda: {e["assignee"] for e in rota(rota_bin, inputs, NOW, "escalations", "--json")}
    wait_for(lambda: every() == {"bo"}, 15, what="both handed to Bo, the policy's pick")
    wait_for(lambda: not any(l.startswith("Hand over") for l in app.tray.labels()), 15, what="the offer gone once handed over")
    keys("Escape")
    wait_for(lambda: not window_processes(inputs), 20, what="Esc to close the window")


def drawn(window, path):
    """Takes a screenshot of the window into `path`; whether it shows the primary button (the
    accent blue, #0969da, over a few hundred pixels): X may hand back a frame not yet painted."""
    from test_daily_uses import screen_colours
    return screen_colours(window, path).get("#0969DA", 0) >= 300


def test_the_dashboard_and_the_escalate_window_say_who_is_away(session, inputs, artifacts):
    """Valery, away today by a feed of time off (`[roster] away`, a file), is "away until Fri 16 Sep"
    on her card with the why beside it, and listed last and never suggested in the quick escalate
    window, with a warning should I pick her."""
    inputs.write(people=[dict(p, email="valery@example.com") if p["handle"] == "valerybugakov" else p for p in TEAM], schedule="file")
    inputs.schedule.write_text(SCHEDULE)
    feed = inputs.dir / "away.ics"
    feed.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:v1\r\nSUMMARY:Dentist\r\n"
                    "DTSTART;VALUE=DATE:20220915\r\nATTENDEE:mailto:valery@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    inputs.config.write_text(inputs.config.read_text() + 'away = "away.ics"\n')
    driver = session("--window", "dashboard")
    card = "#on-duty .engineer[data-handle=valerybugakov]"
    wait(driver, lambda d: text_of(d, f"{card} .status") == "away until Fri 16 Sep", what="Valery's card saying she is away")
    assert driver.find_element(By.CSS_SELECTOR, f"{card} .status").get_attribute("data-status") == "away"
    assert "Dentist" in text_of(driver, card)
    settle(driver)
    driver.save_screenshot(str(artifacts / "away-dashboard.png"))
    driver.quit()

    escalate = session("--window", "escalate")
    offered = lambda d: d.execute_script(
        "return [...document.querySelectorAll('#candidates .candidate')].map(c => [c.dataset.handle, c.querySelector('.status')?.textContent]);")
    wait(escalate, lambda d: ["valerybugakov", "away until Fri 16 Sep"] in offered(d), what="Valery listed as away")
    handles = [h for h, _ in offered(escalate) if h]
    assert handles[0] == "keegancsmith" and handles[-1] == "valerybugakov", handles
    assert escalate.find_element(By.CSS_SELECTOR, "#to-keegancsmith").is_selected(), "the pick is someone there"
    escalate.find_element(By.CSS_SELECTOR, '#candidates .candidate[data-handle="valerybugakov"] input').click()
    warning = wait(escalate, lambda d: text_of(d, "#pick-warning"), what="the warning about Valery")
    assert warning == "Valery is away until Fri 16 Sep (Dentist): file to them anyway, or pick someone who is there."
    settle(escalate)
    escalate.save_screenshot(str(artifacts / "away-escalate.png"))
