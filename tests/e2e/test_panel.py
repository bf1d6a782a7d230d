"""Rota on a real panel, as a person sees it: xfce4-panel (its systray plugin is a
StatusNotifierItem host, its menus libdbusmenu-gtk3's, as Cinnamon's, MATE's and Budgie's) and
openbox on a display and session bus of their own, the panel light (#f6f5f4, GNOME's default) or
dark (#303030). The icon must stand out on it, a click must open the menu, Esc must close it, and
an escalation's own submenu must open and act, however often the tray restarts. Screenshots go to
tests/artifacts/panel-HOST-SHADE.png and panel-submenu-HOST-SHADE.png.
"""
import json
import os
import subprocess

import dbus
import pytest

import session_bus
from dbusmenu import WATCHER, TrayItem, wait_for

WIDTH, HEIGHT, PANEL = 1024, 600, 32
MENUS = 400  # the height below the panel where menus open
# How far apart two looks at a menu must find it the same for it to be drawn in full. A look took
# a third of a second or more when it went pixel by pixel; now that it is quick, the panel still
# gets as long to finish a menu under load.
SETTLE = 0.6
XFCONF = ("org.xfce.Xfconf",)  # the panel's settings, started by the bus on demand
SHADES = {"light": (0xf6, 0xf5, 0xf4), "dark": (0x30, 0x30, 0x30)}

PANEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="dark-mode" type="bool" value="{dark}"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="{size}"/>
      <property name="background-style" type="uint" value="1"/>
      <property name="background-rgba" type="array">
        <value type="double" value="{r}"/>
        <value type="double" value="{g}"/>
        <value type="double" value="{b}"/>
        <value type="double" value="1"/>
      </property>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"""


def grab(display, x, y, w, h):
    """The screen's pixels in a rectangle, as bytes: r, g, b for each, row by row."""
    return subprocess.run(["import", "-display", display, "-window", "root", "-crop", f"{w}x{h}+{x}+{y}", "+repage",
                           "-depth", "8", "rgb:-"], capture_output=True, check=True, timeout=20).stdout


def pixels(display, x, y, w, h):
    """The screen's pixels in a rectangle, as rows of (r, g, b)."""
    raw = grab(display, x, y, w, h)
    flat = [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]
    return [flat[r * w:(r + 1) * w] for r in range(h)]


DARK = bytes(int(c > 24) for c in range(256))  # a channel's value -> 1 where it is drawn on black


def drawn(display, x, y, w, h):
    """Which pixels of a rectangle of the (black) root window are drawn on, one byte each (1 where
    a channel is above 24), row by row. Worked out by bytes and ints, not pixel by pixel in
    Python: a menu's box is polled for under load, where that took a third of a second a look."""
    channels = grab(display, x, y, w, h).translate(DARK)
    # 0 or 1 in each byte: OR-ing the channels as big numbers ORs them byte by byte.
    bits = 0
    for c in range(3):
        bits |= int.from_bytes(channels[c::3], "big")
    return bits.to_bytes(w * h, "big")


def drawn_box(mask, w):
    """The bounding box (x0, y0, x1, y1) of the pixels drawn on in `mask` (drawn()), or None."""
    rows = [mask[r:r + w] for r in range(0, len(mask), w)]
    ys = [y for y, row in enumerate(rows) if 1 in row]
    if not ys:
        return None
    return min(rows[y].find(1) for y in ys), ys[0], max(rows[y].rfind(1) for y in ys) + 1, ys[-1] + 1


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def box(rows, differs):
    """The bounding box (x0, y0, x1, y1) of the pixels for which differs(pixel) holds, or None."""
    hits = [(x, y) for y, row in enumerate(rows) for x, p in enumerate(row) if differs(p)]
    if not hits:
        return None
    xs, ys = [x for x, _ in hits], [y for _, y in hits]
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


class Desktop:
    """Xvfb, a session bus, openbox and xfce4-panel, with the panel's config in the app's HOME."""

    def __init__(self, inputs, shade, logs):
        # Each worker's panel logs apart (the tests run side by side).
        logs = logs / os.environ.get("PYTEST_XDIST_WORKER", "serial")
        logs.mkdir(parents=True, exist_ok=True)
        r, g, b = SHADES[shade]
        channel = inputs.home / ".config/xfce4/xfconf/xfce-perchannel-xml"
        channel.mkdir(parents=True, exist_ok=True)
        (channel / "xfce4-panel.xml").write_text(PANEL_XML.format(
            dark="true" if shade == "dark" else "false", size=PANEL, r=r / 255, g=g / 255, b=b / 255))
        self.procs = []
        runtime = inputs.dir / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        # The bus starts xfconfd (the panel's settings) on demand, with this environment.
        self.env = {**os.environ, **inputs.env(), "XDG_RUNTIME_DIR": str(runtime)}
        for var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY"):
            self.env.pop(var, None)
        xvfb = self.spawn(["Xvfb", "-displayfd", "1", "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"],
                          logs / "panel-xvfb.log", stdout=subprocess.PIPE)
        self.display = f":{xvfb.stdout.readline().strip()}"
        # A hermetic bus: of the machine's services it can start only the panel's settings daemon.
        bus = self.spawn(session_bus.command(session_bus.config(inputs.dir, XFCONF)), logs / "panel-bus.log",
                         stdout=subprocess.PIPE)
        self.env.update(DISPLAY=self.display, DBUS_SESSION_BUS_ADDRESS=bus.stdout.readline().strip())
        assert session_bus.activatable(self.env["DBUS_SESSION_BUS_ADDRESS"]) == list(XFCONF)
        self.spawn(["openbox"], logs / "panel-openbox.log")
        self.background = (r, g, b)
        self.logs = logs

    def start_panel(self):
        self.spawn(["xfce4-panel"], self.logs / "panel-xfce4-panel.log")
        # A panel started on a busy machine (CI builds the packages beside the tests) can be
        # slow to draw: waited for, within a minute.
        wait_for(lambda: self.strip_is(self.background), 60, what="the panel drawn in its colour")

    def spawn(self, argv, log, stdout=None):
        with open(log, "ab") as err:
            proc = subprocess.Popen(argv, env=self.env, stdout=stdout or err, stderr=err, text=stdout is not None)
        self.procs.append(proc)
        return proc

    def strip_is(self, colour):
        row = pixels(self.display, 0, PANEL // 2, WIDTH, 1)[0]
        return sum(p == colour for p in row) > WIDTH // 2

    def icon(self):
        """Where the tray icon is drawn on the panel: the box of pixels not the panel's colour."""
        rows = pixels(self.display, 0, 0, WIDTH, PANEL)
        return box(rows, lambda p: contrast(p, self.background) > 1.2), rows

    def below_panel(self):
        """The box of what is drawn below the panel on the (black) root window: an open menu."""
        return drawn_box(drawn(self.display, 0, PANEL, WIDTH // 2 + 200, 360), WIDTH // 2 + 200)

    def menus(self):
        """The box of the open menus below the panel, or None."""
        return drawn_box(drawn(self.display, 0, PANEL, WIDTH, MENUS), WIDTH)

    def deepest_menu(self):
        """The box, in screen coordinates, of the rightmost open menu (each submenu opens to the
        right of its parent), or None: the columns at the right end of what is drawn below the
        panel that are drawn from the same top to the same bottom."""
        mask = drawn(self.display, 0, PANEL, WIDTH, MENUS)
        spans = []
        for x in range(WIDTH):
            column = mask[x::WIDTH]
            top = column.find(1)
            spans.append((top, column.rfind(1) + 1) if top >= 0 else None)
        right = max((x for x, span in enumerate(spans) if span), default=None)
        if right is None:
            return None
        left = right
        while left > 0 and spans[left - 1] == spans[right]:
            left -= 1
        top, bottom = spans[right]
        return left, top + PANEL, right + 1, bottom + PANEL

    def settled(self, look, what, timeout=10):
        """What look() returns once it is something and the same twice in a row, SETTLE apart:
        drawn in full."""
        last = [None]

        def twice():
            now = look()
            again, last[0] = now is not None and now == last[0], now
            return now if again else None
        return wait_for(twice, timeout, interval=SETTLE, what=what)

    def selected_row(self, where):
        """The box of the highlighted (selected) row inside the box `where`, or None: the theme
        fills it with its selection blue, on the light panel's menus as on the dark one's."""
        x0, y0, x1, y1 = where
        found = box(pixels(self.display, x0, y0, x1 - x0, y1 - y0), lambda p: p[2] - p[0] > 60 and p[2] > 120)
        return found and (found[0] + x0, found[1] + y0, found[2] + x0, found[3] + y0)

    def xdotool(self, *args):
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=10)

    def screenshot(self, path):
        subprocess.run(["import", "-display", self.display, "-window", "root", str(path)], check=True, timeout=20)

    def stop(self):
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.parametrize("shade", ["light", "dark"])
@pytest.mark.parametrize("tray", ["sni", "tauri"])
def test_the_tray_on_a_real_panel(inputs, rota_bin, artifacts, tray, shade):
    inputs.write()
    logs = artifacts / "logs"
    desktop = Desktop(inputs, shade, logs)
    # As at login, the tray may start before the panel: it waits for the panel rather than say
    # that nothing shows it.
    log = inputs.dir / "panel-app.log"
    app = desktop.spawn([rota_bin, "--tray", tray, "--config", str(inputs.config)], log)
    try:
        wait_for(lambda: "rota: tray ready" in log.read_text(errors="replace"), 20, what="the tray")
        desktop.start_panel()
        def shown():
            where, rows = desktop.icon()
            return (where, rows) if where and where[2] - where[0] >= 12 else None
        (x0, y0, x1, y1), rows = wait_for(shown, 30, interval=0.2, what="the tray icon on the panel")
        # The glyph stands out: a good part of the icon's box reaches 3:1 against the panel (WCAG's
        # bar for graphics), on the light panel as on the dark one.
        area = [p for row in rows[y0:y1] for p in row[x0:x1]]
        strong = sum(contrast(p, desktop.background) >= 3 for p in area) / len(area)
        print(f"{tray} on the {shade} panel: icon {x1 - x0}x{y1 - y0} px, {strong:.0%} of it at 3:1 or more")
        assert strong >= 0.2, f"the icon fades into the {shade} panel: {strong:.0%} of it reaches 3:1"

        # A click on it opens the menu, at most about 60 characters wide.
        subprocess.run(["xdotool", "mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2), "click", "1"],
                       env=desktop.env, check=True, timeout=10)
        last = [wait_for(desktop.below_panel, 15, interval=0.2, what="the menu to open under the icon")]

        def drawn():
            """The menu's box once it is the same twice in a row (drawn in full)."""
            now = desktop.below_panel()
            same = now == last[0]
            last[0] = now
            return now if same else None
        menu = wait_for(drawn, 10, interval=SETTLE, what="the menu to finish drawing")
        subprocess.run(["import", "-display", desktop.display, "-window", "root", str(artifacts / f"panel-{tray}-{shade}.png")],
                       check=True, timeout=20)
        width = menu[2] - menu[0]
        print(f"{tray} on the {shade} panel: menu {width}x{menu[3] - menu[1]} px")
        assert 150 <= width <= 560, f"the menu is {width} px wide"

        # Esc closes it.
        subprocess.run(["xdotool", "key", "Escape"], env=desktop.env, check=True, timeout=10)
        wait_for(lambda: desktop.below_panel() is None, 10, interval=0.2, what="the menu to close on Esc")
        assert app.poll() is None, "the tray keeps running"
        assert "no tray host" not in log.read_text(errors="replace"), "the tray took the panel's start-up for no panel"
    finally:
        desktop.stop()


# Tray starts with the panel running: the first, then restarts. Before the fix the lean
# host's escalation submenu opened as an empty strip on most of them.
STARTS = 4
ACTIONS = ["Open", "Acknowledge", "Resolve", "Engage engineering…", "Reassign…"]
# libayatana-appindicator registers Tauri's item again with each new menu, and xfce4-panel's tray
# plugin then builds the item again under libdbusmenu-gtk3's pending calls: now and then it reports
# freed menu items, crashes on a corrupted heap, and (twice in a minute) asks whether to restart
# it. A start of the Tauri host during which the plugin went is tried again on a fresh panel, at
# most this many times, and said. The lean host has never brought the plugin down, and must not.
TRIES_AFTER_PANEL_CRASH = 2


# The submenu is drawn by the panel, whatever its shade: each host serves it once, on the light
# panel; the lean host on the dark one too, for the README's pictures (scripts/screenshots).
@pytest.mark.parametrize("tray, shade", [("sni", "light"), ("sni", "dark"), ("tauri", "light")])
def test_an_escalations_own_submenu_opens_and_acts_after_restarts(inputs, rota_bin, artifacts, tray, shade):
    """My escalations → an escalation → Acknowledge, on the real panel, as a person
    does it (xdotool): a click on the icon, the keys to My escalations and into the escalation's
    submenu, which must be drawn as a menu of its five actions (it was an empty strip of a few
    pixels), then a click on Acknowledge, which the backend must have done. At each start of the
    tray, the panel running, with an escalation of mine filed before it."""
    inputs.write()
    desktop = bus = None

    def open_desktop():
        """A desktop with its panel drawn and its tray up; the process that owns its
        StatusNotifierWatcher (the panel's tray plugin)."""
        nonlocal desktop, bus
        close_desktop()
        desktop = Desktop(inputs, shade, artifacts / "logs")
        desktop.start_panel()
        bus = dbus.bus.BusConnection(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
        return wait_for(panel_tray, 20, what="the panel's StatusNotifierWatcher")

    def close_desktop():
        if bus is not None:
            bus.close()
        if desktop is not None:
            desktop.stop()

    def panel_tray():
        """The bus name of the panel's tray plugin, or None while there is none."""
        try:
            return str(bus.get_name_owner(WATCHER[0]))
        except dbus.DBusException:
            return None

    def rota(*args):
        out = subprocess.run([rota_bin, "--config", str(inputs.config), *args], env=desktop.env,
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if "--json" in args else out.stdout

    def state(escalation):
        [e] = [e for e in rota("escalations", "--all", "--json") if e["id"] == escalation["id"]]
        return e["state"]

    def start_and_acknowledge(said, title):
        wait_for(lambda: desktop.icon()[0] is None, 10, interval=0.2, what=f"the last icon to leave the panel ({said})")
        filed = rota("escalate", "--title", title, "--to", "keegancsmith", "--json")
        log = inputs.dir / f"panel-app-{title}.log"
        app = desktop.spawn([rota_bin, "--tray", tray, "--config", str(inputs.config)], log)
        try:
            # The menu the panel reads has the escalation, and the panel draws the icon.
            item = TrayItem.find(bus, app.pid, timeout=30, alive=app.poll)
            wait_for(lambda: item.entry(["My escalations (1)", f"{title} · sev3"]), 20,
                     what=f"the escalation in the menu ({said})")

            def shown():
                where, _ = desktop.icon()
                return where if where and where[2] - where[0] >= 12 else None
            x0, y0, x1, y1 = wait_for(shown, 30, interval=0.2, what=f"the tray icon on the panel ({said})")

            # A click opens the menu; End then Up five times is My escalations (the five actions
            # at the foot follow it); Right opens its submenu on the escalation, Right again the
            # escalation's own, its first row selected.
            desktop.xdotool("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2), "click", "1")
            menu = desktop.settled(desktop.menus, f"the menu to open ({said})")
            desktop.xdotool("key", "End", *["Up"] * 5, "Right", "Right")

            def escalations_own():
                deepest = desktop.deepest_menu()
                return deepest if deepest and deepest[0] > menu[2] + 50 else None
            try:
                own = desktop.settled(escalations_own, f"the escalation's submenu to open ({said})", timeout=5)
            except TimeoutError:
                deepest = desktop.deepest_menu()
                desktop.screenshot(artifacts / f"panel-submenu-{tray}-{shade}.png")
                raise AssertionError(f"{said}: the escalation's submenu did not open; the deepest menu open is "
                                     f"{deepest and (deepest[2] - deepest[0], deepest[3] - deepest[1])} px at {deepest}")
            desktop.screenshot(artifacts / f"panel-submenu-{tray}-{shade}.png")
            width, height = own[2] - own[0], own[3] - own[1]
            print(f"{tray} on the {shade} panel, {said}: the escalation's submenu {width}x{height} px")
            # Five rows of a menu, its widest label "Engage engineering…": not a strip (50x8 px).
            assert width >= 120 and height >= 5 * 18, \
                f"{said}: the escalation's submenu is drawn {width}x{height} px, not as a menu of {ACTIONS}"

            # The keys selected its first row, Open; Acknowledge is the row below: a click on it.
            opened = desktop.selected_row(own)
            assert opened, f"{said}: no row selected in the escalation's submenu"
            row = opened[3] - opened[1]
            assert 5 * row <= height, f"{said}: a row of {row} px in a submenu {height} px high"
            desktop.xdotool("mousemove", str((own[0] + own[2]) // 2), str(opened[3] + row // 2), "click", "1")
            wait_for(lambda: state(filed) == "acknowledged", 15, what=f"the escalation acknowledged in the backend ({said})")
            wait_for(lambda: desktop.menus() is None, 10, interval=0.2, what=f"the menu to close ({said})")
        finally:
            # The tray ends (as at logout, or for an update), to start again with the panel running.
            rota("resolve", filed["id"])
            app.terminate()
            app.wait(10)

    try:
        plugin = open_desktop()
        for start in range(STARTS):
            for tried in range(1 + TRIES_AFTER_PANEL_CRASH):
                said = f"start {start + 1} of {STARTS}" + (f", try {tried + 1}" if tried else "")
                try:
                    start_and_acknowledge(said, f"Search is down {start + 1}" + (f"-{tried + 1}" if tried else ""))
                    break
                except Exception:
                    if tray != "tauri" or tried == TRIES_AFTER_PANEL_CRASH or panel_tray() == plugin:
                        raise
                    print(f"{tray} on the {shade} panel, {said}: the panel's tray plugin went down; again on a fresh panel")
                    plugin = open_desktop()
        # The panel's tray plugin is the one that started: it never went down.
        assert tray != "sni" or panel_tray() == plugin, "the panel's tray plugin went down"
    finally:
        close_desktop()
