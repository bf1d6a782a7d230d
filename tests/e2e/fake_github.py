"""The test kit's fake GitHub (testkit/src/bin/fake-github.rs), run as a program: one repository,
acme/escalations, that answers as GitHub's API does (lists with ETags and 304s, creates, labels,
comments, edits, timelines, and GitHub's own faults), steered and read through its /_fake/ paths.

The program is $ROTA_FAKE_GITHUB (tests/e2e.sh sets it), or `fake-github` beside $ROTA_BIN: both
are built by `cargo build -p rota-testkit`."""
import json
import os
import pathlib
import subprocess
import tempfile
import time
import urllib.request

# Straight to the loopback fake, whatever proxy the environment names.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def program():
    path = os.environ.get("ROTA_FAKE_GITHUB") or os.path.join(os.path.dirname(os.environ["ROTA_BIN"]), "fake-github")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not built: cargo build -p rota-testkit")
    return path


class FakeGithub:
    """A running fake. `settings` (and `set`) take the fake's faults and contents: token,
    fail_with, create_fails_with, refuse_assignee ([login, reason]), issues; None clears one."""

    def __init__(self, **settings):
        ready = pathlib.Path(tempfile.mkdtemp()) / "url"
        self.proc = subprocess.Popen([program(), "--port", "0", "--ready-file", str(ready)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not ready.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"fake-github ended with {self.proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("fake-github did not start in 20 s")
            time.sleep(0.02)
        self.url = ready.read_text().strip()
        if settings:
            self.set(**settings)

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with _direct.open(request, timeout=10) as answer:
            return json.loads(answer.read())

    def set(self, **settings):
        self._call("POST", "/_fake/repo", settings)

    def requests(self):
        """Every API request so far, oldest first: {method, path, target, authorization,
        if_none_match, body, status, bytes}."""
        return self._call("GET", "/_fake/requests")

    def writes(self):
        """The requests that change something: (method, path below the issues, body)."""
        prefix = "/repos/acme/escalations/issues"
        return [(r["method"], r["path"].removeprefix(prefix), r["body"]) for r in self.requests() if r["method"] != "GET"]

    def issues(self):
        return self._call("GET", "/_fake/issues")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
