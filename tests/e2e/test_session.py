"""The private desktop tests/e2e.sh makes is hermetic: its session bus can start none of the
machine's services on demand (a desktop's notification daemon, keyring, accessibility bus), so what
a test meets is what the tests started, on a bare machine as on a developer's desktop."""
import os

import session_bus


def test_the_session_bus_starts_nothing_of_the_machines():
    assert session_bus.activatable(os.environ["DBUS_SESSION_BUS_ADDRESS"]) == []
