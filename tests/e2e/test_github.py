"""The GitHub backend seen from the tray: a token kept in the real keyring, a server that rejects
it, and the tray saying so (no crash, no retry storm)."""
import contextlib
import json
import os
import subprocess
import time

from conftest import PEOPLE

from dbusmenu import wait_for
from fake_github import FakeGithub


@contextlib.contextmanager
def github_backend(inputs, rota_bin, keyring_token, **settings):
    """Starts the kit's fake GitHub with `settings`, points the config at it and stores
    `keyring_token` in the keyring; yields the fake and the environment to run `rota` in."""
    with FakeGithub(**settings) as github:
        # ghost: in the team's roster (so `--to ghost` is accepted), a login GitHub refuses.
        inputs.write(people=PEOPLE + [{"handle": "ghost", "name": "Ghost", "timezone": "UTC"}])
        with open(inputs.config, "a") as config:
            config.write(f'\n[escalations]\nbackend = "github"\ngithub = {{ api = "{github.url}", repo = "acme/escalations" }}\n')
        env = {**os.environ, **inputs.env()}
        stored = subprocess.run([rota_bin, "--config", str(inputs.config), "secret", "set", "github-token"],
                                input=f"{keyring_token}\n", env=env, capture_output=True, text=True, timeout=30)
        assert stored.returncode == 0, stored.stderr
        yield github, env


def test_a_rejected_token_shows_in_the_tray(inputs, launch, rota_bin):
    # Every request answered 401, as GitHub does for a bad token.
    with github_backend(inputs, rota_bin, "ghp_e2e-not-a-real-token", fail_with=401) as (github, _):
        app = launch()
        wait_for(lambda: "⚠ GitHub token rejected" in app.tray.labels(), 20, what="the tray's GitHub token rejected line")
        assert app.proc.poll() is None
        # The token went to GitHub only, as a bearer token, and never into the app's output.
        requests = [(r["target"], r["authorization"]) for r in github.requests()]
        assert requests and all(auth == "Bearer ghp_e2e-not-a-real-token" for _, auth in requests)
        assert "ghp_e2e" not in app.output()
        # A rejected token is not retried in a loop: one request, then the poller waits for the user.
        assert len(requests) == 1, requests


def test_an_escalation_filed_while_github_is_down_waits_and_the_tray_says_so(inputs, launch, rota_bin):
    # Down for maintenance: every request 503.
    with github_backend(inputs, rota_bin, "ghp_e2e-token", fail_with=503) as (_, env):
        filed = subprocess.run([rota_bin, "--config", str(inputs.config), "escalate", "--title", "Export stuck",
                                "--to", "valerybugakov", "--json"], env=env, capture_output=True, text=True, timeout=60)
        assert filed.returncode == 0, filed.stderr
        assert json.loads(filed.stdout)["state"] == "queued"

        # The tray, started after, finds it in the outbox and says it waits.
        app = launch()
        wait_for(lambda: "1 escalation waiting to send" in app.tray.labels(), 20, what="the waiting line in the tray")


def test_an_escalation_sent_from_the_outbox_is_said_once(inputs, launch, rota_bin, tmp_path):
    """Filed while GitHub is down, the command line said it waits. When GitHub is back the tray
    sends it, and says so once, as a window says what it filed: its number, and to whom."""
    from test_notifications import NotificationServer
    notifications = NotificationServer(tmp_path / "notify.jsonl")
    try:
        with github_backend(inputs, rota_bin, "ghp_e2e-token", fail_with=503) as (github, env):
            filed = subprocess.run([rota_bin, "--config", str(inputs.config), "escalate", "--title", "Export stuck",
                                    "--to", "valerybugakov", "--json"], env=env, capture_output=True, text=True, timeout=60)
            assert filed.returncode == 0 and json.loads(filed.stdout)["state"] == "queued", filed.stderr
            app = launch()
            wait_for(lambda: "1 escalation waiting to send" in app.tray.labels(), 20, what="the waiting line in the tray")
            github.set(fail_with=None)
            [issue] = wait_for(lambda: github.issues() or None, 60, what="the escalation sent to GitHub")
            [said] = wait_for(lambda: [c for c in notifications.calls() if c["summary"].startswith("Filed ")] or None, 20,
                              what="the tray's word on sending it")
            assert said["summary"] == f"Filed #{issue['number']} to Valery", said
            assert "Export stuck" in said["body"], said
            wait_for(lambda: "1 escalation waiting to send" not in app.tray.labels(), 20, what="the waiting line gone")
            assert [c["summary"] for c in notifications.calls()] == [said["summary"]], notifications.calls()
    finally:
        notifications.stop()


# GitHub's reason for refusing an assignee who is not a collaborator.
REASON = "ghost is not a collaborator of acme/escalations"


def test_an_escalation_refused_by_github_is_a_tray_line_and_a_notification(inputs, launch, rota_bin, tmp_path):
    """Queued while GitHub fails, then refused by it when the tray sends it: the tray
    says "⚠ 1 escalation refused by GitHub — fix and resend" and a notification gives GitHub's
    own reason; the escalation stays in `rota outbox` as refused."""
    from test_notifications import NotificationServer
    notifications = NotificationServer(tmp_path / "notify.jsonl")
    try:
        # No escalations, and a create answered 500 (down for now).
        with github_backend(inputs, rota_bin, "ghp_e2e-not-a-real-token", create_fails_with=500) as (github, env):
            app = launch()
            wait_for(lambda: "rota: tray ready" in app.output(), 20, what="the tray")
            filed = subprocess.run([rota_bin, "--config", str(inputs.config), "escalate", "--title", "Search is down",
                                    "--to", "ghost", "--json"], env=env, capture_output=True, text=True, timeout=30)
            assert filed.returncode == 0 and json.loads(filed.stdout)["state"] == "queued", filed.stderr
            # Then a create refused with GitHub's validation body and its own reason.
            github.set(create_fails_with=None, refuse_assignee=["ghost", REASON])
            line = "⚠ 1 escalation refused by GitHub — fix and resend"
            wait_for(lambda: line in app.tray.labels(), 30, what="the tray's refused line")
            wait_for(lambda: any("Escalation refused by GitHub: Search is down" in c.get("summary", "")
                                 for c in notifications.calls()), 10, what="the refusal notification")
            shown = next(c for c in notifications.calls() if "refused" in c.get("summary", ""))
            assert REASON in shown.get("body", ""), shown
            listed = subprocess.run([rota_bin, "--config", str(inputs.config), "outbox", "--json"],
                                    env=env, capture_output=True, text=True, timeout=30)
            outbox = json.loads(listed.stdout)
            assert [(e["title"], e["state"], e["last_error"]) for e in outbox] == \
                [("Search is down", "refused", REASON)], outbox
    finally:
        notifications.stop()


def test_the_escalate_window_shows_a_refused_escalation_to_fix_and_resend(inputs, session, rota_bin):
    """A refused escalation is listed in the escalate window with GitHub's reason; its
    title edited and resent, it is filed once and leaves the outbox."""
    from selenium.webdriver.common.by import By
    from webdriver import wait
    with github_backend(inputs, rota_bin, "ghp_e2e-not-a-real-token", refuse_assignee=["ghost", REASON]) as (github, env):
        filed = subprocess.run([rota_bin, "--config", str(inputs.config), "escalate", "--title", "Serch is down",
                                "--to", "ghost"], env=env, capture_output=True, text=True, timeout=30)
        assert filed.returncode == 1 and REASON in filed.stderr, filed.stderr
        driver = session("--window", "escalate")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#refused .refused-item"), what="the refused list")
        item = driver.find_element(By.CSS_SELECTOR, "#refused .refused-item")
        assert item.find_element(By.CSS_SELECTOR, ".reason").text == f"Refused by GitHub: {REASON}"
        title = item.find_element(By.CSS_SELECTOR, "input")
        assert title.get_attribute("value") == "Serch is down"
        title.clear()
        title.send_keys("Search is down")
        github.set(refuse_assignee=None)
        item.find_element(By.XPATH, ".//button[text()='Resend']").click()
        wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "#refused .refused-item"), what="the list emptied")
        assert [i["title"] for i in github.issues()] == ["Search is down"]
        listed = subprocess.run([rota_bin, "--config", str(inputs.config), "outbox", "--json"],
                                env=env, capture_output=True, text=True, timeout=30)
        assert json.loads(listed.stdout) == []


def test_a_token_saved_in_settings_is_tried_at_once(inputs, launch, session, rota_bin):
    """After a rejected token the poller waits ten minutes, unless a new one is stored:
    one saved in Settings (the config itself unchanged) reaches the tray over D-Bus and is tried
    at once."""
    from selenium.webdriver.common.by import By
    from webdriver import wait
    good = "ghp_e2e-new-token"
    # No issues, and only `good` taken as the token (401 for any other).
    with github_backend(inputs, rota_bin, "ghp_e2e-old-token", token=good) as (github, _):
        driver = session("--window", "settings")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#github-token") and
             d.find_element(By.CSS_SELECTOR, "#backend").get_attribute("value") == "github", what="the settings form")
        app = launch()
        wait_for(lambda: "⚠ GitHub token rejected" in app.tray.labels(), 20, what="the tray's token rejected line")
        token = driver.find_element(By.CSS_SELECTOR, "#github-token")
        token.send_keys(good)
        driver.find_element(By.CSS_SELECTOR, "#save").click()
        wait_for(lambda: f"Bearer {good}" in [r["authorization"] for r in github.requests()], 20,
                 what="a poll with the new token")
        wait_for(lambda: "⚠ GitHub token rejected" not in app.tray.labels(), 20, what="the rejected line gone")
        assert good not in app.output()


def one_issue():
    """The repository's one escalation, #1, assigned to keegancsmith."""
    return [{
        "number": 1, "title": "Exports fail for Acme", "body": "Severity: sev2\n", "state": "open",
        "html_url": "https://github.com/acme/escalations/issues/1",
        "labels": [{"name": "escalation"}], "assignee": {"login": "keegancsmith"},
        "assignees": [{"login": "keegancsmith"}], "user": {"login": "valerybugakov"},
        "created_at": "2022-09-15T11:00:00Z",
    }]


def test_the_action_window_engages_and_reassigns_on_github(inputs, session, rota_bin):
    """An escalation's life on the GitHub backend, from the small action window: Engage engineering… adds the
    `engineering` and `team:NAME` labels and comments with the link; Reassign… sets the assignees.
    The token comes from the keyring."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from webdriver import text_of, wait
    with github_backend(inputs, rota_bin, "ghp_e2e-action-token", issues=one_issue()) as (github, env):
        driver = session("--window", "action", "--show", "engage:1")
        wait(driver, lambda d: d.execute_script("return document.activeElement.id") == "engage-team", what="the Team field")
        assert text_of(driver, "#subject-title") == "Exports fail for Acme"
        driver.switch_to.active_element.send_keys("search")
        driver.find_element(By.CSS_SELECTOR, "#engage-url").send_keys("https://tracker.example.com/SI-7" + Keys.ENTER)
        assert wait(driver, lambda d: text_of(d, "#done-message"), what="what was done") == \
            "Engaged engineering (search) on escalation 1"
        confirmed = time.monotonic()
        assert github.writes() == [
            ("POST", "/1/labels", {"labels": ["engineering", "team:search"]}),
            ("POST", "/1/comments", {"body": "Engineering engaged: search\n\nhttps://tracker.example.com/SI-7"}),
        ]

        # Reassign…, asked while the window is open: Enter gives it to the one on duty beside me.
        asked = subprocess.run([rota_bin, "--config", str(inputs.config), "--window", "action", "--show", "reassign:1"],
                               env=env, capture_output=True, text=True, timeout=30)
        assert asked.returncode == 0, asked.stderr
        wait(driver, lambda d: d.execute_script("return document.activeElement.id") == "to-valerybugakov",
             what="the reassign form, the policy's pick chosen")
        # The engage confirmation would have closed the window 6 s after it showed: the new
        # request called that off. (A wait on purpose: for something that must not happen.)
        time.sleep(max(0.0, 6.5 - (time.monotonic() - confirmed)))
        assert driver.execute_script("return document.activeElement.id") == "to-valerybugakov"
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        assert wait(driver, lambda d: text_of(d, "#done-message"), what="what was done") == \
            "Reassigned escalation 1 to Valery"
        assert github.writes()[2:] == [("PATCH", "/1", {"assignees": ["valerybugakov"]})]
        assert {r["authorization"] for r in github.requests()} == {"Bearer ghp_e2e-action-token"}, \
            "the keyring's token, on every request"


def test_the_tray_follows_an_action_taken_in_its_window_at_once(inputs, launch, rota_bin):
    """The tray polls GitHub each minute; an action taken in the action window tells it to poll
    now (`dev.rota.Tray1.EscalationsChanged`), so its menu shows the change in seconds."""
    from test_daily_uses import keys, type_text, x_windows
    from test_lifecycle import click

    def mine():
        """My escalation's submenu in the tray, or None."""
        top = [c for c in app.tray.layout()["children"] if c["visible"] and c["label"].startswith("My escalations")]
        subs = [c for c in (top[0]["children"] if top else []) if c["label"].startswith("Exports fail for Acme")]
        return subs[0] if subs else None

    with github_backend(inputs, rota_bin, "ghp_e2e-tray-token", issues=one_issue()) as (github, _):
        app = launch()
        submenu = wait_for(mine, 20, what="my GitHub escalation in the tray")
        assert "handed to engineering" not in submenu["label"]
        [engage] = [c for c in submenu["children"] if c["label"] == "Engage engineering…"]
        click(app.tray, engage)
        wait_for(lambda: "rota: action window ready" in app.output(), 20, what="the action window ready")
        [window] = wait_for(lambda: x_windows("Engage engineering"), 10, what="the window on screen")
        subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
        type_text("search")
        keys("Return")
        wait_for(lambda: github.writes(), 15, what="the labels sent to GitHub")
        engaged = time.monotonic()
        wait_for(lambda: (mine() or {}).get("label", "").endswith("· handed to engineering"), 15,
                 what="the tray's line to follow")
        assert time.monotonic() - engaged < 15, "polled at once, not at the minute's poll"
        keys("Escape")
