"""a config the check refuses is said, never silent. The tray shows the check's error in
the menu with what it runs on, says it once as a notification, and follows the file when it is
fixed while the tray runs."""
from dbusmenu import wait_for
from test_notifications import notifications  # noqa: F401  (the fixture)
from test_tray import HEADER, labels_once


def test_a_refused_config_is_said_in_the_menu_and_once_as_a_notification(inputs, launch, notifications):  # noqa: F811
    inputs.write(schedule="builtin:handbook")
    good = inputs.config.read_text()
    inputs.config.write_text(good + "\n[notices]\nweekly = true\n")  # a key `rota check` refuses
    app = launch()
    labels = labels_once(app, lambda ls: any("config.toml" in l and "weekly" in l for l in ls), "the config's error in the menu")
    assert "⚠ Running on the defaults until it is fixed" in labels, labels
    told = wait_for(lambda: [c for c in notifications.calls() if c["summary"] == "Rota cannot use config.toml"], 15,
                    what="the notification that the config is refused")
    assert "weekly" in told[0]["body"] and "rota check" in told[0]["body"], told[0]["body"]

    # Fixed while the tray runs: the lines go, the config runs, nothing more is said.
    inputs.config.write_text(good)
    labels = labels_once(app, lambda ls: HEADER in ls and not any("weekly" in l for l in ls), "the fixed config in the menu")
    assert not any("Running on" in l for l in labels), labels
    assert any(l.startswith("Keegan (you)") for l in labels), "me from the fixed config"

    # Broken again: the last good settings keep running, and it is said again.
    inputs.config.write_text(good + "\n[notices]\nweekly = true\n")
    labels = labels_once(app, lambda ls: "⚠ Running on the last good config until it is fixed" in ls,
                         "what runs while the config is refused again")
    assert any(l.startswith("Keegan (you)") for l in labels), "the last good config keeps running"
    wait_for(lambda: len([c for c in notifications.calls() if c["summary"] == "Rota cannot use config.toml"]) == 2, 15,
             what="the second refusal said")
    assert len([c for c in notifications.calls() if c["summary"] == "Rota cannot use config.toml"]) == 2
