"""Issue 14: the Settings window shows the `[notices]` table as checkboxes, and saving writes it."""
import tomllib

from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By

from test_windows import open_dashboard, open_settings, save
from webdriver import settle, text_of, wait

BOXES = ["week-before", "day-before", "handoff", "before-end", "schedule-change"]


def clicked(element):
    try:
        element.click()
        return True
    except ElementClickInterceptedException:
        return False


def checked(driver):
    return {b: driver.find_element(By.CSS_SELECTOR, f"#notice-{b}").is_selected() for b in BOXES}


def test_notices_are_checkboxes_and_saved(session, inputs, artifacts):
    driver = open_dashboard(session, inputs)
    open_settings(driver)
    assert checked(driver) == {b: True for b in BOXES}, "every notice is on by default"

    box = driver.find_element(By.CSS_SELECTOR, "#notice-week-before")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    # Clicked once the page has stopped moving under it (WebKit's driver says "intercepted"
    # while the form is still being laid out after the scroll).
    wait(driver, lambda d: clicked(box), what="the checkbox to take a click")
    assert not box.is_selected()
    settle(driver)
    driver.save_screenshot(str(artifacts / "settings-notices.png"))  # one box off, four on
    save_button = driver.find_element(By.CSS_SELECTOR, "#save")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save_button)
    save(driver)
    wait(driver, lambda d: (text_of(d, "#save-status") or "").startswith("Saved"), what="#save-status to say it saved")
    notices = tomllib.loads(inputs.config.read_text())["notices"]
    assert notices == {"week_before": False, "day_before": True, "handoff": True, "before_end": True, "schedule_change": True}
    # The form shows what was saved (it reloads from the file).
    assert checked(driver) == {**{b: True for b in BOXES}, "week-before": False}
