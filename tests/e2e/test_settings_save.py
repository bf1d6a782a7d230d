"""Settings → Save never destroys the config file. Over a file that does not parse it
saves nothing and says, beside Save, the file's own error and line; the file is left as it was,
comments and unknown keys included, and no temporary file is left behind."""
from test_windows import open_dashboard, open_settings, save, set_value
from webdriver import text_of, wait


def test_save_over_a_config_that_does_not_parse_keeps_it_and_names_the_line(session, inputs):
    driver = open_dashboard(session, inputs)
    dashboard, settings = open_settings(driver)
    broken = inputs.config.read_text() + '\n# my notes\nslack_group = "S0123"\n[extra]\nname = "unclosed\n'
    inputs.config.write_text(broken)
    line = broken.count("\n")  # the unclosed string is on the last line
    files = sorted(inputs.dir.iterdir())

    set_value(driver, "#timezone", "Asia/Kathmandu")
    save(driver)
    status = wait(driver, lambda d: "Not saved" in (text_of(d, "#save-status") or "") and text_of(d, "#save-status"),
                  what="#save-status to say why nothing was saved")
    assert f"config.toml:{line}:" in status, status
    assert inputs.config.read_text() == broken, "a file that does not parse is never overwritten"
    assert sorted(inputs.dir.iterdir()) == files, "no temporary file left behind"
