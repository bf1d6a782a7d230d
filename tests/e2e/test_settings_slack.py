"""the Settings window's Slack section: the switch, the user group's ID and the token's state.
The switch without a group is refused beside the group's field; saved, the config gains `[slack]`,
the token goes to the keyring (never the file) and the form says one is stored."""
import tomllib

from selenium.webdriver.common.by import By

from test_settings_notices import clicked
from test_windows import css, open_dashboard, open_settings, save, set_value
from webdriver import settle, text_of, wait

TOKEN = "xoxb-e2e-0000-s3cr3tslack"


def saved_or_refused(driver):
    status = text_of(driver, "#save-status") or ""
    return status.startswith("Saved") or status.startswith("Not saved")


def test_the_slack_switch_group_and_token_are_saved(session, inputs, artifacts):
    driver = open_dashboard(session, inputs)
    open_settings(driver)
    wait(driver, lambda d: (text_of(d, "#slack-token-status") or "").startswith("No Slack token stored yet"),
         what="the Slack token's state")
    switch = driver.find_element(By.CSS_SELECTOR, "#slack-sync")
    assert not switch.is_selected(), "off unless set"
    misses = []
    wait(driver, lambda d: clicked(d, switch, misses), what="the switch to take a click")
    wait(driver, lambda d: switch.is_selected(), what="the switch on")

    # On without a group: refused beside the group's field, nothing written.
    before = inputs.config.read_text() if inputs.config.exists() else ""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", driver.find_element(By.CSS_SELECTOR, "#save"))
    save(driver)
    error = wait(driver, lambda d: [e for e in css(d, '.field-error[data-for="slack-usergroup"]') if e.text.strip()],
                 what="the refusal beside the group's field")[0]
    assert "S0123ABCD" in error.text, error.text
    assert (inputs.config.read_text() if inputs.config.exists() else "") == before

    set_value(driver, "#slack-usergroup", "S0ESCALATE")
    set_value(driver, "#slack-token", TOKEN)
    save(driver)
    wait(driver, saved_or_refused, what="#save-status to say how the save went")
    assert (text_of(driver, "#save-status") or "").startswith("Saved"), text_of(driver, "#save-status")
    slack = tomllib.loads(inputs.config.read_text())["slack"]
    assert slack == {"sync_usergroup": True, "usergroup": "S0ESCALATE"}
    assert TOKEN not in inputs.config.read_text()
    wait(driver, lambda d: (text_of(d, "#slack-token-status") or "").startswith("A Slack token is stored in the keyring"),
         what="the form to say a token is stored")
    assert driver.find_element(By.CSS_SELECTOR, "#slack-token").get_attribute("value") == "", "the token is never shown again"
    fieldset = driver.find_element(By.CSS_SELECTOR, "#slack")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", fieldset)
    settle(driver)
    driver.save_screenshot(str(artifacts / "settings-slack.png"))
