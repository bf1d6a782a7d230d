"""Session buses of a test's own, hermetic as tests/e2e.sh's: tests/dbus/session.conf, which lists
none of the machine's services, plus a service folder holding only the services the test names.
So a test meets what it starts: a desktop's notification daemon, keyring or panel settings
installed on the machine is never activated in it."""
import pathlib
import subprocess

CONFIG = pathlib.Path(__file__).resolve().parent.parent / "dbus" / "session.conf"
SYSTEM_SERVICES = ("/usr/share/dbus-1/services", "/usr/local/share/dbus-1/services")


def machine_service(name):
    """The program that provides a well-known name on this machine (its D-Bus service file's Exec),
    for a test that needs that one service, such as the panel's settings daemon org.xfce.Xfconf."""
    for folder in SYSTEM_SERVICES:
        path = pathlib.Path(folder) / f"{name}.service"
        if path.exists():
            for line in path.read_text().splitlines():
                if line.startswith("Exec="):
                    return line[len("Exec="):].strip()
    raise FileNotFoundError(f"no D-Bus service {name} on this machine (scripts/deps installs it)")


def config(folder, services=()):
    """The bus config for a test in `folder`: the hermetic one, or with `services` (well-known
    names of the machine's) activatable through a service folder of the test's own."""
    if not services:
        return CONFIG
    folder = pathlib.Path(folder)
    own = folder / "dbus-services"
    own.mkdir(parents=True, exist_ok=True)
    for name in services:
        (own / f"{name}.service").write_text(f"[D-BUS Service]\nName={name}\nExec={machine_service(name)}\n")
    path = folder / "session.conf"
    path.write_text(
        '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"\n'
        ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
        f"<busconfig>\n  <include>{CONFIG}</include>\n  <servicedir>{own}</servicedir>\n</busconfig>\n")
    return path


def command(bus_config):
    """The dbus-daemon command line for a bus with this config; it prints its address first."""
    return ["dbus-daemon", f"--config-file={bus_config}", "--nofork", "--print-address=1"]


def activatable(address):
    """The names the bus at `address` would start on demand (org.freedesktop.DBus left out)."""
    import dbus
    bus = dbus.bus.BusConnection(address)
    try:
        names = bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                  "ListActivatableNames", "", [])
        return sorted(str(n) for n in names if n != "org.freedesktop.DBus")
    finally:
        bus.close()


def start(folder, log, services=()):
    """A private session bus: (the dbus-daemon process, its address)."""
    with open(log, "ab") as err:
        proc = subprocess.Popen(command(config(folder, services)), stdout=subprocess.PIPE, stderr=err, text=True)
    return proc, proc.stdout.readline().strip()
