"""A WebDriver session on the real app, through tauri-driver (selenium, Debian's python3-selenium).

tauri-driver launches the app itself (through WebKitWebDriver), so the app's environment is passed
by making /usr/bin/env the "application": `env ROTA_NOW=... HOME=... rota --open dashboard ...`.
Requests through tauri-driver are occasionally reset (PLATFORM.md); idempotent ones are retried.
"""
import os
import re
import time
from urllib.parse import urlparse

import urllib3
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.support.ui import WebDriverWait

TAURI_DRIVER = os.environ.get("ROTA_TAURI_DRIVER_URL", "http://127.0.0.1:4444")
RESETS = (urllib3.exceptions.ProtocolError, urllib3.exceptions.NewConnectionError, ConnectionError)


def idempotent(method, url):
    """GETs, and the POSTs that only find or switch (never a click, keys or a new session)."""
    path = urlparse(url).path
    return method == "GET" or (method == "POST" and bool(re.search(r"/(element|elements|window|frame)$", path)))


class RetryingConnection(RemoteConnection):
    _timeout = 60  # seconds per request: a browser that never connects fails the test, not hangs it

    def _request(self, method, url, body=None):
        for attempt in range(4):
            try:
                return super()._request(method, url, body)
            except RESETS:
                if attempt == 3 or not idempotent(method, url):
                    raise
                time.sleep(0.2 * (attempt + 1))


def start(binary, args, env):
    """A session whose browser is `binary args...` run with `env` added to the environment."""
    options = ArgOptions()
    env_args = [f"{k}={v}" for k, v in env.items()]
    options.set_capability("tauri:options", {"application": "/usr/bin/env",
                                             "args": env_args + [binary] + list(args)})
    try:
        driver = webdriver.Remote(RetryingConnection(TAURI_DRIVER, keep_alive=True), options=options)
        # A path typed into a field is text: selenium would otherwise upload the file it names.
        driver.file_detector = UselessFileDetector()
        return driver
    except urllib3.exceptions.ReadTimeoutError:
        raise AssertionError(f"the app showed no webview within {RetryingConnection._timeout} s "
                             "(its output is in tests/artifacts/logs/DESKTOP/tauri-driver.log)") from None


def wait(driver, predicate, timeout=15, what="condition"):
    """Polls predicate(driver) until truthy (WebDriverWait), with a message that says what."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(predicate, f"waiting for {what}")


def text_of(driver, css):
    """The shown text of the first element `css` finds; None when there is none, or when the page
    replaced it between the find and the read (a wait then looks again)."""
    els = driver.find_elements(By.CSS_SELECTOR, css)
    try:
        return els[0].text if els else None
    except StaleElementReferenceException:
        return None


def settle(driver):
    """Waits for two animation frames, so a screenshot shows what the DOM now says."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));")
