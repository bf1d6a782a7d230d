"""Read and click a tray item's menu over D-Bus, as a desktop's tray host would.

The item is found through the watcher (tray_host.py), which records "<bus name><object path>";
its `Menu` property names the com.canonical.dbusmenu object whose layout is the menu.
"""
import time

import dbus

WATCHER = ("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher")
SNI = "org.kde.StatusNotifierItem"
DBUSMENU = "com.canonical.dbusmenu"
UNKNOWN_METHOD, UNKNOWN_OBJECT = "org.freedesktop.DBus.Error.UnknownMethod", "org.freedesktop.DBus.Error.UnknownObject"
PROPS = ["label", "enabled", "visible", "type", "toggle-type", "toggle-state", "children-display"]


def wait_for(predicate, timeout, interval=0.1, what="condition"):
    """Polls predicate until it returns something truthy; returns that, or fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def registered_items(bus):
    watcher = bus.get_object(*WATCHER)
    items = watcher.Get(WATCHER[0], "RegisteredStatusNotifierItems", dbus_interface=dbus.PROPERTIES_IFACE)
    return [split_item(str(i)) for i in items]


def split_item(item):
    """":1.42/org/ayatana/NotificationItem/rota" -> (":1.42", "/org/ayatana/NotificationItem/rota")."""
    slash = item.index("/")
    return item[:slash], item[slash:]


def pid_of(bus, name):
    dbus_daemon = bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
    try:
        return int(dbus_daemon.GetConnectionUnixProcessID(name, dbus_interface="org.freedesktop.DBus"))
    except dbus.DBusException:  # the connection left the bus
        return None


class TrayItem:
    """The tray item of one process, found through the watcher."""

    def __init__(self, bus, name, path):
        self.bus, self.name, self.path = bus, name, path

    @classmethod
    def find(cls, bus, pid, timeout=20, alive=None):
        """Waits until the process `pid` has registered an item with the watcher.

        alive: optional, like Popen.poll: an exit status once the process has ended (then fail now).
        """
        def mine():
            if alive is not None and alive() is not None:
                raise AssertionError(f"pid {pid} exited with status {alive()} before showing a tray item")
            for name, path in registered_items(bus):
                if pid_of(bus, name) == pid:
                    return name, path
        name, path = wait_for(mine, timeout, what=f"a tray item from pid {pid}")
        return cls(bus, name, path)

    def prop(self, prop):
        obj = self.bus.get_object(self.name, self.path)
        return obj.Get(SNI, prop, dbus_interface=dbus.PROPERTIES_IFACE)

    def _menu(self):
        return self.bus.get_object(self.name, str(self.prop("Menu")))

    def layout(self):
        """The whole menu as a tree of dicts: id, label, enabled, type, toggle_type, toggle_state, children."""
        menu = self._menu()
        menu.AboutToShow(0, dbus_interface=DBUSMENU)
        _revision, root = menu.GetLayout(0, -1, PROPS, dbus_interface=DBUSMENU)
        return _node(root)

    def items(self):
        """The visible top-level items, in order."""
        return [i for i in self.layout()["children"] if i["visible"]]

    def labels(self):
        """The visible top-level labels, in order; a separator is "---"."""
        return ["---" if i["type"] == "separator" else i["label"] for i in self.items()]

    def entry(self, path):
        """The visible entry at `path` (labels from the top, into submenus), or None while it is
        not there, or while the menu it would be in is not: libayatana-appindicator (Tauri's host)
        takes its menu object off the bus for a moment while it puts a new menu there (seen under
        load, as the item's menu changed after a restart)."""
        try:
            node = self.layout()
        except dbus.DBusException as e:
            if e.get_dbus_name() not in (UNKNOWN_METHOD, UNKNOWN_OBJECT):
                raise
            return None
        for label in path:
            found = [c for c in node["children"] if c["visible"] and c["label"] == label]
            if not found:
                return None
            node = found[0]
        return node

    def item(self, label):
        matches = [i for i in self.items() if i["label"] == label]
        assert matches, f"no menu item {label!r} in {self.labels()}"
        return matches[0]

    def click(self, label, submenu=None):
        """Sends the "clicked" event a tray host sends when the user picks the item (in `submenu`,
        when given). Like a host, it does not wait for a reply: Quit may end the app first."""
        items = self.items() if submenu is None else [c for c in self.item(submenu)["children"] if c["visible"]]
        matches = [i for i in items if i["label"] == label]
        assert matches, f"no menu item {label!r} in {[i['label'] for i in items]}"
        # Without introspection the call goes out at once (a deferred one would wait for a main loop).
        menu = self.bus.get_object(self.name, str(self.prop("Menu")), introspect=False)
        menu.Event(matches[0]["id"], "clicked", dbus.Int32(0, variant_level=1),
                           dbus.UInt32(int(time.time())), dbus_interface=DBUSMENU, ignore_reply=True)

    def icon(self):
        """What the item shows as its icon: the pixels (IconPixmap) or, for items that name a
        file (libayatana-appindicator), that file's bytes. For telling states apart."""
        try:
            pixmaps = self.prop("IconPixmap")
        except dbus.DBusException:  # appindicator items have none
            pixmaps = None
        if pixmaps:
            return bytes(bytearray(pixmaps[0][2]))
        name = str(self.prop("IconName"))
        try:
            theme = str(self.prop("IconThemePath"))
        except dbus.DBusException:
            theme = ""
        for path in (name, f"{theme}/{name}.png", f"{theme}/{name}"):
            try:
                with open(path, "rb") as f:
                    return f.read()
            except OSError:
                continue
        return name.encode()


def _node(struct):
    item_id, props, children = struct
    return {
        "id": int(item_id),
        "label": _unmnemonic(str(props.get("label", ""))),
        "enabled": bool(props.get("enabled", True)),
        "visible": bool(props.get("visible", True)),
        "type": str(props.get("type", "standard")),
        "toggle_type": str(props.get("toggle-type", "")),
        "toggle_state": int(props.get("toggle-state", -1)),
        "children": [_node(c) for c in children],
    }


def _unmnemonic(label):
    """dbusmenu marks an access key with "_" and a literal underscore with "__"."""
    return label.replace("__", "\0").replace("_", "").replace("\0", "_")
