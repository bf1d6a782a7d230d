"""The tray keeping the Slack user group: its menu says how the last sync went, under the next
hand-off. Here no token is stored for the configured api, so the line says what is wrong (the sync
itself, against a fake Slack Web API, is io/tests/it/slack_keeper.rs)."""
from test_tray import NEXT, labels_once

SLACK = '\n[slack]\nusergroup = "S0ESCALATE"\nsync_usergroup = true\napi = "http://127.0.0.1:9"\n'


def test_the_menu_says_what_is_wrong_with_the_slack_group(inputs, launch):
    inputs.write(schedule="builtin:handbook")
    inputs.config.write_text(inputs.config.read_text() + SLACK)
    app = launch()
    labels = labels_once(app, lambda ls: any(l.startswith("Slack user group: no Slack token") for l in ls),
                         "the Slack group's line")
    line = next(l for l in labels if l.startswith("Slack user group:"))
    assert line.startswith("Slack user group: no Slack token in the keyring"), line
    assert labels.index(line) == labels.index(NEXT) + 1, labels
    assert "rota: Slack user group: no Slack token in the keyring" in app.output()


def test_no_slack_line_while_the_switch_is_off(inputs, launch):
    inputs.write(schedule="builtin:handbook")
    app = launch()
    labels = labels_once(app, lambda ls: NEXT in ls, "the next hand-off")
    assert not any(l.startswith("Slack") for l in labels), labels
