"""Closing a window as a window manager does when the user clicks its close button:
a WM_DELETE_WINDOW client message (Xvfb runs no window manager)."""
from Xlib import X, display, error, protocol


def close_window(title):
    """Asks every top-level window named `title` to close; returns how many were asked."""
    d = display.Display()
    try:
        root = d.screen().root
        protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
        asked = 0
        for w in _windows(root):
            try:
                if w.get_wm_name() == title and delete in (w.get_wm_protocols() or []):
                    event = protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
                    w.send_event(event, event_mask=X.NoEventMask)
                    asked += 1
            except Exception:  # a window that went away while we looked
                continue
        d.flush()
        return asked
    finally:
        d.close()


def _windows(window):
    try:
        children = window.query_tree().children
    except error.BadWindow:  # it went away while we looked (a menu or a window closing)
        return
    for child in children:
        yield child
        yield from _windows(child)


def keyboard_focus():
    """Where the X server sends the keyboard now: "None", "PointerRoot", the root window, or a
    window's id and name (a key pressed while it is None reaches nobody, not even a grab)."""
    d = display.Display()
    try:
        focus = d.get_input_focus()
        w = focus.focus
        if w == X.NONE:
            return f"None (revert to {focus.revert_to})"
        if w == X.PointerRoot:
            return "PointerRoot"
        if w == d.screen().root:
            return "the root window"
        try:
            name = w.get_wm_name()
        except error.BadWindow:
            name = "gone"
        return f"window {w.id:#x} ({name!r}, revert to {focus.revert_to})"
    finally:
        d.close()
