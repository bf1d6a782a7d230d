"""Covering (an override on the handbook page) in the real tray menu, read over D-Bus, and on the
dashboard: the one covering is listed "— covering for …", the one covered is left out. The menu's
lines are the core's model, the same behind either host, and followed by the tray process behind
either: read here from the lean host (test_tray.py draws and follows the model on both)."""
from selenium.webdriver.common.by import By

from conftest import PEOPLE, SCHEDULE
from test_tray import ACTIONS, HEADER, KEEGAN, NEXT, VALERY, labels_once
from webdriver import wait

ADA = {"handle": "ada", "name": "Ada", "timezone": "Asia/Kathmandu", "hours": "09:00-17:00"}
# NOW is 2022-09-15T12:00Z: 17:45 in Kathmandu (+05:45), after Ada's hours.
ADA_COVERING = "Ada — covering for Valery · 17:45 UTC+05:45 · off hours"

COVERING = """
## Covering

| Why | For | Covering | When |
| --- | --- | --- | --- |
| conference | [@valerybugakov](https://github.com/valerybugakov) | @ada | 2022-09-14 to 2022-09-16 |
"""


def test_the_menu_shows_who_is_covering(inputs, launch):
    inputs.write(people=PEOPLE + [ADA], schedule="file")
    inputs.schedule.write_text(SCHEDULE + COVERING)
    app = launch()
    labels = labels_once(app, lambda ls: ADA_COVERING in ls and ACTIONS[0] in ls, "Ada's covering line")
    assert labels == [HEADER, KEEGAN, ADA_COVERING, NEXT, "---", *ACTIONS]
    assert VALERY not in labels


def test_the_menu_follows_an_override_removed(inputs, launch):
    """Taking the override off the page brings Valery back, without a restart."""
    inputs.write(people=PEOPLE + [ADA], schedule="file")
    inputs.schedule.write_text(SCHEDULE + COVERING)
    app = launch()
    labels_once(app, lambda ls: ADA_COVERING in ls, "Ada's covering line")
    inputs.schedule.write_text(SCHEDULE)
    labels = labels_once(app, lambda ls: VALERY in ls, "Valery back", timeout=20)
    assert ADA_COVERING not in labels


def test_the_dashboard_card_says_whom_they_cover_for(session, inputs):
    inputs.write(people=PEOPLE + [ADA], schedule="file")
    inputs.schedule.write_text(SCHEDULE + COVERING)
    driver = session("--window", "dashboard")
    cards = wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#on-duty .engineer")) >= 2 and
                 d.find_elements(By.CSS_SELECTOR, "#on-duty .engineer"), what="the engineer cards")
    handles = [c.get_attribute("data-handle") for c in cards]
    assert sorted(handles) == ["ada", "keegancsmith"], handles
    ada = next(c for c in cards if c.get_attribute("data-handle") == "ada")
    assert ada.find_element(By.CSS_SELECTOR, ".covering").text == "covering for Valery"
