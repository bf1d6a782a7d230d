"""The GitHub backend seen from the tray: a token kept in the real keyring, a server that rejects
it, and the tray saying so (no crash, no retry storm)."""
import contextlib
import http.server
import json
import os
import subprocess
import threading

from dbusmenu import wait_for


@contextlib.contextmanager
def github_backend(inputs, rota_bin, handler, token):
    """Serves `handler` as the GitHub API, points the config at it and stores `token` in the
    keyring; yields the environment to run `rota` in."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        inputs.write()
        api = f"http://127.0.0.1:{server.server_address[1]}"
        with open(inputs.config, "a") as config:
            config.write(f'\n[escalations]\nbackend = "github"\ngithub = {{ api = "{api}", repo = "acme/escalations" }}\n')
        env = {**os.environ, **inputs.env()}
        stored = subprocess.run([rota_bin, "--config", str(inputs.config), "secret", "set", "github-token"],
                                input=f"{token}\n", env=env, capture_output=True, text=True, timeout=30)
        assert stored.returncode == 0, stored.stderr
        yield env
    finally:
        server.shutdown()


class Rejecting(http.server.BaseHTTPRequestHandler):
    """A GitHub API that answers every request 401, as GitHub does for a bad token."""
    requests = []

    def do_GET(self):
        Rejecting.requests.append((self.path, self.headers.get("Authorization")))
        body = json.dumps({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_rejected_token_shows_in_the_tray(inputs, launch, rota_bin):
    with github_backend(inputs, rota_bin, Rejecting, "ghp_e2e-not-a-real-token"):
        app = launch()
        wait_for(lambda: "⚠ GitHub token rejected" in app.tray.labels(), 20, what="the tray's GitHub token rejected line")
        assert app.proc.poll() is None
        # The token went to GitHub only, as a bearer token, and never into the app's output.
        assert Rejecting.requests and all(auth == "Bearer ghp_e2e-not-a-real-token" for _, auth in Rejecting.requests)
        assert "ghp_e2e" not in app.output()
        # A rejected token is not retried in a loop: one request, then the poller waits for the user.
        assert len(Rejecting.requests) == 1, Rejecting.requests


class Unavailable(http.server.BaseHTTPRequestHandler):
    """A GitHub API that is down for maintenance: every request 503."""

    def do_GET(self):
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


def test_an_escalation_filed_while_github_is_down_waits_and_the_tray_says_so(inputs, launch, rota_bin):
    with github_backend(inputs, rota_bin, Unavailable, "ghp_e2e-token") as env:
        filed = subprocess.run([rota_bin, "--config", str(inputs.config), "escalate", "--title", "Export stuck",
                                "--to", "valerybugakov", "--json"], env=env, capture_output=True, text=True, timeout=60)
        assert filed.returncode == 0, filed.stderr
        assert json.loads(filed.stdout)["state"] == "queued"

        # The tray, started after, finds it in the outbox and says it waits.
        app = launch()
        wait_for(lambda: "1 escalation waiting to send" in app.tray.labels(), 20, what="the waiting line in the tray")
