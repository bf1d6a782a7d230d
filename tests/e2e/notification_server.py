#!/usr/bin/python3
"""A freedesktop notification server for the end-to-end tests.

Owns org.freedesktop.Notifications on the session bus and implements Notify, GetCapabilities
(with "actions"), GetServerInformation and CloseNotification. Every Notify call is appended as one
JSON line (id, app_name, summary, body, actions, hints with urgency, t = wall time) to the file
given as the first argument, and printed on stdout, so a test can wait on the line itself. A
CloseNotification (the app withdrawing one) is the line "CLOSED ID" on stdout and the id as one
line in the file LOG.closed.

The test acts as the user in either of two ways:
  - a line "invoke ID KEY" on stdin, or
  - the D-Bus method org.rota.Test.Invoke(u id, s key) on /org/freedesktop/Notifications,
which emit ActionInvoked(id, key) and then NotificationClosed(id, 2).

"READY" is printed on stdout once the name is owned. Needs Debian's python3-dbus and python3-gi.
"""

import json
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
TEST = "org.rota.Test"


def plain(value):
    """D-Bus values as JSON values."""
    if isinstance(value, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16, dbus.UInt32, dbus.UInt64)):
        return int(value)
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, dbus.Double):
        return float(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(value)
    if isinstance(value, (dbus.Array, list, dbus.Struct, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.Dictionary, dict)):
        return {str(k): plain(v) for k, v in value.items()}
    return repr(value)


class Server(dbus.service.Object):
    def __init__(self, bus, log_path):
        super().__init__(bus, PATH)
        self.log_path = log_path
        self.next_id = 1

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body", "persistence"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("rota-test-notifications", "rota", "1.0", "1.2")

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        nid = int(replaces_id) or self.next_id
        if not replaces_id:
            self.next_id += 1
        hints = plain(hints)
        record = {
            "t": time.time(),
            "id": nid,
            "app_name": str(app_name),
            "app_icon": str(app_icon),
            "summary": str(summary),
            "body": str(body),
            "actions": plain(actions),
            "hints": hints,
            "urgency": hints.get("urgency"),
            "expire_timeout": int(expire_timeout),
        }
        line = json.dumps(record)
        with open(self.log_path, "a") as f:
            f.write(line + "\n")
        print(line, flush=True)
        return dbus.UInt32(nid)

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        # Beside the Notify calls, not among them: "CLOSED ID" on stdout and one line in LOG.closed.
        with open(self.log_path + ".closed", "a") as f:
            f.write(f"{int(nid)}\n")
        print(f"CLOSED {int(nid)}", flush=True)
        self.NotificationClosed(nid, 3)

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, nid, key):
        pass

    @dbus.service.method(TEST, in_signature="us", out_signature="")
    def Invoke(self, nid, key):
        self.ActionInvoked(dbus.UInt32(nid), key)
        self.NotificationClosed(dbus.UInt32(nid), dbus.UInt32(2))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: notification_server.py LOG_FILE")
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    owned = bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    if owned != dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER:
        sys.exit("another notification server owns " + NAME)
    server = Server(bus, sys.argv[1])
    loop = GLib.MainLoop()

    def on_stdin(source, condition):
        line = sys.stdin.readline()
        if not line:  # the test closed stdin: stop
            loop.quit()
            return False
        words = line.split()
        if len(words) == 3 and words[0] == "invoke":
            server.Invoke(int(words[1]), words[2])
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    print("READY", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
