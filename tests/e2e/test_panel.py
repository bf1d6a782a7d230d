"""Rota on a real panel, as a person sees it: xfce4-panel (its systray plugin is a
StatusNotifierItem host) and openbox on a display and session bus of their own, the panel light
(#f6f5f4, GNOME's default) or dark (#303030). The icon must stand out on it, a click must open the
menu, and Esc must close it. Screenshots go to tests/artifacts/panel-HOST-SHADE.png.
"""
import os
import subprocess

import pytest

import session_bus
from dbusmenu import wait_for

WIDTH, HEIGHT, PANEL = 1024, 600, 32
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


def pixels(display, x, y, w, h):
    """The screen's pixels in a rectangle, as rows of (r, g, b)."""
    raw = subprocess.run(["import", "-display", display, "-window", "root", "-crop", f"{w}x{h}+{x}+{y}", "+repage",
                          "-depth", "8", "rgb:-"], capture_output=True, check=True, timeout=20).stdout
    flat = [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]
    return [flat[r * w:(r + 1) * w] for r in range(h)]


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
        wait_for(lambda: self.strip_is(self.background), 20, what="the panel drawn in its colour")

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
        rows = pixels(self.display, 0, PANEL, WIDTH // 2 + 200, 360)
        return box(rows, lambda p: max(p) > 24)

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
        menu = wait_for(drawn, 10, interval=0.3, what="the menu to finish drawing")
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
