"""The dashboard and settings windows, driven through tauri-driver and WebKitWebDriver."""
import re
import struct
import tomllib

from selenium.webdriver.common.by import By

from conftest import PEOPLE, SCHEDULE
from webdriver import settle, text_of, wait

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def cards(driver):
    """handle -> {name, local_time, zone, status} for each card in #on-duty."""
    result = {}
    for card in css(driver, "#on-duty .engineer"):
        def part(sel):
            found = card.find_elements(By.CSS_SELECTOR, sel)
            return found[0] if found else None
        status = part(".status")
        result[card.get_attribute("data-handle")] = {
            "name": part(".name") and part(".name").text,
            "local_time": part(".local-time") and part(".local-time").text,
            "zone": part(".zone") and part(".zone").text,
            "status": status and status.get_attribute("data-status"),
        }
    return result


def open_dashboard(session, inputs, people=PEOPLE):
    inputs.write(people=people)
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(css(d, "#on-duty .engineer")) >= 2, what="two engineer cards in #on-duty")
    return driver


def open_settings(driver):
    """Clicks #open-settings and switches to the new window; returns (dashboard, settings) handles."""
    dashboard = driver.current_window_handle
    before = set(driver.window_handles)
    driver.find_element(By.CSS_SELECTOR, "#open-settings").click()
    new = wait(driver, lambda d: set(d.window_handles) - before, what="a settings window handle")
    driver.switch_to.window(new.pop())
    wait(driver, lambda d: css(d, "#timezone") and css(d, "#save"), what="the settings form")
    # Filled in: where the settings are kept and the zone names to pick from (a person waits for
    # the form to show its values before typing over them).
    wait(driver, lambda d: (text_of(d, "#config-file") or "").strip() and len(css(d, "#zones option")) > 300,
         what="the settings form filled in")
    return dashboard, driver.current_window_handle


def save(driver):
    driver.find_element(By.CSS_SELECTOR, "#save").click()


def set_value(driver, selector, value):
    field = driver.find_element(By.CSS_SELECTOR, selector)
    field.clear()
    field.send_keys(value)


def test_dashboard_on_duty(session, inputs):
    driver = open_dashboard(session, inputs)
    assert cards(driver) == {
        "keegancsmith": {"name": "Keegan (you) @keegancsmith", "local_time": "Thu 14:00", "zone": "SAST", "status": "working"},
        "valerybugakov": {"name": "Valery @valerybugakov", "local_time": "Thu 14:00", "zone": "CEST", "status": "working"},
    }
    assert "7 Sep" in text_of(driver, "#rotation-header") and "9 Oct 2022" in text_of(driver, "#rotation-header")
    assert "10 Oct" in text_of(driver, "#next-handoff")
    assert not driver.find_element(By.CSS_SELECTOR, "#error").is_displayed()
    whens = [r.get_attribute("data-when") for r in css(driver, "#timeline .rotation")]
    assert whens.count("current") == 1 and "past" in whens and "upcoming" in whens, whens
    assert css(driver, "#coverage table, table#coverage"), "#coverage should hold a table"
    assert css(driver, "#coverage .gap"), "nobody works at weekends: the grid should mark gaps"
    severities = {f.get_attribute("data-severity") for f in css(driver, "#findings .finding[data-severity]")}
    assert "warning" in severities, "the handbook has open seats: #findings should list warnings"


def test_dashboard_shows_schedule_error(session, inputs):
    """A schedule that stops parsing: #error names file and line; the last good cards stay."""
    inputs.write(schedule="file")
    driver = session("--window", "dashboard")
    wait(driver, lambda d: len(css(d, "#on-duty .engineer")) == 2, what="two engineer cards")
    inputs.schedule.write_text(SCHEDULE.replace("2022-09-07 to", "2022-09-07 till"))  # line 5
    error = wait(driver, lambda d: [e for e in css(d, "#error") if e.is_displayed() and e.text.strip()],
                 what="#error to show", timeout=20)[0]
    assert re.search(r"rota\.md(:| line )5\b", error.text), error.text
    assert set(cards(driver)) == {"keegancsmith", "valerybugakov"}


def test_hostile_name_is_text(session, inputs):
    people = [PEOPLE[0], {**PEOPLE[1], "name": HOSTILE}]
    driver = open_dashboard(session, inputs, people)
    assert cards(driver)["valerybugakov"]["name"] == f"{HOSTILE} @valerybugakov"
    assert css(driver, "img") == [], "the name must not become an <img> element"
    assert driver.title != "pwned"


def test_settings_change_viewer_zone(session, inputs):
    driver = open_dashboard(session, inputs)
    dashboard, settings = open_settings(driver)

    files, inode = sorted(inputs.dir.iterdir()), inputs.config.stat().st_ino
    set_value(driver, "#timezone", "Asia/Kathmandu")
    save(driver)
    wait(driver, lambda d: tomllib.loads(inputs.config.read_text()).get("timezone") == "Asia/Kathmandu",
         what="the config to be saved with timezone Asia/Kathmandu")
    assert inputs.config.stat().st_ino != inode, "an atomic save renames a new file over the config"
    assert sorted(inputs.dir.iterdir()) == files, "the save should leave no temporary file behind"
    assert not [e for e in css(driver, ".field-error") if e.is_displayed() and e.text.strip()]
    # "Checking…" while the save runs (file, keyring, reload); "Saved" when it is done.
    wait(driver, lambda d: (text_of(d, "#save-status") or "").startswith("Saved"), what="#save-status to say it saved")
    driver.switch_to.window(dashboard)
    wait(driver, lambda d: "17:45" in (text_of(d, "#viewer-time") or ""), what="#viewer-time to show 17:45")

    good = inputs.config.read_bytes()
    driver.switch_to.window(settings)
    set_value(driver, "#timezone", "Mars/Olympus")
    save(driver)
    error = wait(driver, lambda d: [e for e in css(d, '.field-error[data-for="timezone"]') if e.text.strip()],
                 what="an error beside #timezone")[0]
    assert error.is_displayed()
    assert inputs.config.read_bytes() == good, "a bad value must leave the config file unchanged"


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_screenshots(session, inputs, artifacts):
    driver = open_dashboard(session, inputs)
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard.png"))
    open_settings(driver)
    settle(driver)
    driver.save_screenshot(str(artifacts / "settings.png"))
    for name in ("dashboard.png", "settings.png"):
        width, height = png_size(artifacts / name)
        assert width >= 200 and height >= 200, f"{name} is {width}x{height}"


def test_the_webview_reaches_only_rotas_commands(session, inputs):
    """Capabilities: Rota's windows may call Rota's commands, and no plugin's (autostart, say)."""
    driver = open_dashboard(session, inputs)
    call = """
        const done = arguments[arguments.length - 1];
        window.__TAURI__.core.invoke(arguments[0], {}).then(() => done("allowed"), (e) => done("denied: " + e));
    """
    assert driver.execute_async_script(call, "dashboard") == "allowed"
    for command in ("plugin:autostart|enable", "plugin:global-shortcut|unregister_all", "plugin:shell|open"):
        assert driver.execute_async_script(call, command).startswith("denied"), command


def test_settings_show_what_the_tray_reports(bus, rota_bin, inputs):
    """The tray hands its news to the windows process it starts: a rejected GitHub token and a
    shortcut the desktop refused are said in Settings, beside their fields."""
    from conftest import wait_tray_empty
    import webdriver as wd
    inputs.write()
    with open(inputs.config, "a") as config:
        config.write('\n[escalations]\nbackend = "github"\ngithub = { api = "https://api.github.com", repo = "acme/escalations" }\n')
    wait_tray_empty(bus)
    env = {**inputs.env(), "ROTA_ESCALATIONS_PROBLEM": "GitHub token rejected",
           "ROTA_SHORTCUT_PROBLEM": "Ctrl+Alt+E could not be registered"}
    driver = wd.start(rota_bin, ["--config", str(inputs.config), "--window", "settings"], env)
    try:
        wait(driver, lambda d: css(d, "#escalations-problem") and d.find_element(By.CSS_SELECTOR, "#escalations-problem").is_displayed(),
             what="the escalations problem in Settings")
        assert text_of(driver, "#escalations-problem") == "⚠ GitHub token rejected"
        assert "could not be registered" in text_of(driver, "#shortcut-problem")
        assert driver.find_element(By.CSS_SELECTOR, "#backend").get_attribute("value") == "github"
        assert driver.find_element(By.CSS_SELECTOR, "#github-repo").get_attribute("value") == "acme/escalations"
        # The token field never shows a stored token.
        assert driver.find_element(By.CSS_SELECTOR, "#github-token").get_attribute("value") == ""
    finally:
        driver.quit()
