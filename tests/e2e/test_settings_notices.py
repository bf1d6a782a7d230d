"""the Settings window shows the `[notices]` table as checkboxes, and saving writes it."""
import tomllib

from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By

from test_windows import open_dashboard, open_settings, save
from webdriver import settle, text_of, wait

BOXES = ["week-before", "day-before", "handoff", "before-end", "schedule-change", "day-start", "hold-while-asleep"]


WHERE = """
const r = arguments[0].getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
const hit = document.elementFromPoint(x, y);
return `box at ${x},${y} in ${innerWidth}x${innerHeight} scrolled ${scrollY}; hit: ${hit ? hit.outerHTML.slice(0, 120) : hit}`;
"""


def clicked(driver, element, misses):
    # Brought to the middle before each try: the form may still grow (its values, the zone list)
    # after an earlier scroll, leaving the box under the sticky Save bar (CI saw it at the foot).
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
        return True
    except ElementClickInterceptedException as e:
        misses.append(f"{e.msg} / {driver.execute_script(WHERE, element)}")
        return False


def checked(driver):
    return {b: driver.find_element(By.CSS_SELECTOR, f"#notice-{b}").is_selected() for b in BOXES}


def test_notices_are_checkboxes_and_saved(session, inputs, artifacts):
    driver = open_dashboard(session, inputs)
    open_settings(driver)
    assert checked(driver) == {b: True for b in BOXES}, "every notice is on by default"

    box = driver.find_element(By.CSS_SELECTOR, "#notice-week-before")
    # Clicked once the page has stopped moving under it (WebKit's driver says "intercepted"
    # while the form is still being laid out after the scroll).
    misses = []
    try:
        wait(driver, lambda d: clicked(d, box, misses), what="the checkbox to take a click")
    finally:
        print(f"clicks intercepted: {len(misses)}, the last: {misses[-1:]}")  # shown when it fails
    # WebKit's driver can answer the click before the page has handled it: wait for the effect.
    wait(driver, lambda d: not box.is_selected(), what="the clicked checkbox to be off")
    settle(driver)
    driver.save_screenshot(str(artifacts / "settings-notices.png"))  # one box off, the others on
    save_button = driver.find_element(By.CSS_SELECTOR, "#save")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save_button)
    save(driver)
    wait(driver, lambda d: (text_of(d, "#save-status") or "").startswith("Saved"), what="#save-status to say it saved")
    notices = tomllib.loads(inputs.config.read_text())["notices"]
    assert notices == {"week_before": False, "day_before": True, "handoff": True, "before_end": True, "schedule_change": True,
                       "day_start": True, "hold_while_asleep": True}
    # The form shows what was saved (it reloads from the file).
    assert checked(driver) == {**{b: True for b in BOXES}, "week-before": False}


def test_my_day_switches_are_checkboxes_and_saved(session, inputs, artifacts):
    """`[notices] day_start` and `hold_while_asleep` (on by default) under "My day"."""
    driver = open_dashboard(session, inputs)
    open_settings(driver)
    assert text_of(driver, "#day-notices legend") == "My day"
    box = driver.find_element(By.CSS_SELECTOR, "#notice-hold-while-asleep")
    misses = []
    wait(driver, lambda d: clicked(d, box, misses), what="the checkbox to take a click")
    wait(driver, lambda d: not box.is_selected(), what="the clicked checkbox to be off")
    settle(driver)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    driver.save_screenshot(str(artifacts / "settings-my-day.png"))
    save_button = driver.find_element(By.CSS_SELECTOR, "#save")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save_button)
    save(driver)
    wait(driver, lambda d: (text_of(d, "#save-status") or "").startswith("Saved"), what="#save-status to say it saved")
    notices = tomllib.loads(inputs.config.read_text())["notices"]
    assert (notices["day_start"], notices["hold_while_asleep"]) == (True, False), notices
    assert checked(driver) == {**{b: True for b in BOXES}, "hold-while-asleep": False}
