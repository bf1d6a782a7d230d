"""The dashboard's "Fill 2 open seats…" panel, through WebDriver, on the handbook page and the
roster made for it (testkit/fixtures/handbook-people.toml): the candidates in the order `rota
plan` ranks them, the picks marked, the coverage grid of the rotation's first week with the picks
in it, and "Copy row" putting the row on the X clipboard, where the next program reads it.
Screenshots: dashboard-plan-panel.png (the candidates) and dashboard-plan-grid.png (the grid, the
row and Copy row) in the artifacts folder."""
import select
import time
from pathlib import Path

from Xlib import X, display
from selenium.webdriver.common.by import By

from test_dashboard import css, rota, shown
from webdriver import settle, text_of, wait

ROSTER = Path(__file__).resolve().parents[2] / "testkit" / "fixtures" / "handbook-people.toml"


def clipboard(timeout=5):
    """The X CLIPBOARD's text, asked of its owner as a paste asks it (UTF8_STRING)."""
    d = display.Display()
    try:
        w = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        prop = d.intern_atom("ROTA_PASTE")
        w.convert_selection(d.intern_atom("CLIPBOARD"), d.intern_atom("UTF8_STRING"), prop, X.CurrentTime)
        d.flush()
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if not d.pending_events():
                select.select([d.fileno()], [], [], left)
                continue
            event = d.next_event()
            if event.type == X.SelectionNotify:
                if event.property == X.NONE:
                    return None
                data = w.get_full_property(prop, X.AnyPropertyType)
                return bytes(data.value).decode() if data else None
        return None
    finally:
        d.close()


def test_fill_the_open_seats_and_copy_the_row(session, inputs, rota_bin, artifacts):
    inputs.write()
    inputs.roster.write_text(ROSTER.read_text())
    planned = rota(rota_bin, inputs, "plan", "--json")
    driver = session("--window", "dashboard")
    wait(driver, lambda d: shown(d) > 0 and d.find_element(By.ID, "plan-section").is_displayed(), what="the open seats panel")
    button = driver.find_element(By.ID, "fill-seats")
    assert button.text == "Fill 2 open seats…"
    assert text_of(driver, "#plan-rotation") == "Rotation 2022-10-10 to 2022-11-07: tbliu98 + 2 open seats"
    assert not driver.find_element(By.ID, "plan").is_displayed(), "closed until asked"

    driver.execute_script("document.getElementById('plan-section').scrollIntoView()")
    button.click()
    wait(driver, lambda d: d.find_element(By.ID, "plan").is_displayed(), what="the panel open")
    assert button.get_attribute("aria-expanded") == "true"
    # The candidates as `rota plan` ranks them, each with the gap hours they close; the picks marked.
    items = css(driver, "#plan-candidates .candidate")
    assert [i.get_attribute("data-handle") for i in items] == [c["handle"] for c in planned["candidates"]]
    assert [i.get_attribute("data-handle") for i in css(driver, "#plan-candidates .picked")] == planned["picks"]
    assert items[0].find_element(By.CSS_SELECTOR, ".closes").text == "45 h"
    assert items[0].find_element(By.CSS_SELECTOR, ".reason").text == planned["candidates"][0]["reason"]
    assert text_of(driver, "#plan-picks") == "Fill the open seats with @ann and @valerybugakov: 80 → 4 gap hours a week."
    # The grid of the rotation's first week with the picks: on Monday 10 October (UTC) Ann works
    # 00:00-09:00, Valery 07:00-15:00 (CEST), Tom 16:00-24:00 (PDT); 15:00 is the one gap.
    monday = css(driver, "#plan-coverage tbody tr")[0]
    assert monday.find_element(By.CSS_SELECTOR, "th").text == "Mon 10"
    cells = monday.find_elements(By.CSS_SELECTOR, "td")
    assert [h for h, c in enumerate(cells) if "gap" in c.get_attribute("class")] == [15]
    assert [c.text for c in cells[6:10]] == ["1", "2", "2", "1"]
    assert text_of(driver, "#plan-row") == planned["row"]

    driver.find_element(By.ID, "copy-row").click()
    wait(driver, lambda d: text_of(d, "#copy-status").startswith("Copied"), what="the row copied")
    assert clipboard() == planned["row"]
    driver.execute_script("document.getElementById('plan-section').scrollIntoView()")
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard-plan-panel.png"))
    driver.execute_script("document.getElementById('plan-picks').scrollIntoView()")
    settle(driver)
    driver.save_screenshot(str(artifacts / "dashboard-plan-grid.png"))
