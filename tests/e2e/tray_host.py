#!/usr/bin/python3
"""A minimal tray host for tests: owns org.kde.StatusNotifierWatcher on the session bus.

Items register with either a bus name (as Rota does, through ksni: the item is then at
/StatusNotifierItem) or an object path; an object path (as libayatana-appindicator sends, e.g.
/org/ayatana/NotificationItem/rota) is recorded as "<sender unique name><path>", the form KDE's
watcher uses. Items drop out when their connection leaves the bus. Each change is
logged to stdout, one line each, so a test run's log shows what registered and when.
"""
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

WATCHER = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"


class Watcher(dbus.service.Object):
    def __init__(self, bus):
        self.bus = bus
        self.items = []  # "<bus name><object path>", in order of registration
        self.hosts = set()
        super().__init__(bus, PATH)
        bus.add_signal_receiver(self._owner_changed, "NameOwnerChanged", "org.freedesktop.DBus")

    @dbus.service.method(WATCHER, in_signature="s", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        item = sender + service if service.startswith("/") else service + "/StatusNotifierItem"
        if item not in self.items:
            self.items.append(item)
            log("registered", item)
            self.StatusNotifierItemRegistered(item)

    @dbus.service.method(WATCHER, in_signature="s", sender_keyword="sender")
    def RegisterStatusNotifierHost(self, service, sender=None):
        self.hosts.add(sender)
        self.StatusNotifierHostRegistered()

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemRegistered(self, item):
        pass

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemUnregistered(self, item):
        pass

    @dbus.service.signal(WATCHER, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    def _owner_changed(self, name, old, new):
        if new or not old:
            return
        for item in [i for i in self.items if i.startswith(old + "/") or i.split("/")[0] == name]:
            self.items.remove(item)
            log("unregistered", item)
            self.StatusNotifierItemUnregistered(item)

    def _props(self):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
            "IsStatusNotifierHostRegistered": True,  # this process is the host
            "ProtocolVersion": dbus.Int32(0),
        }

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        return self._props()[prop]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self._props()


def log(*words):
    print("tray_host:", *words, flush=True)


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    watcher = Watcher(bus)  # export the object before taking the name: no half-ready window
    name = dbus.service.BusName(WATCHER, bus, do_not_queue=True)
    log("ready on", name.get_name())
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
