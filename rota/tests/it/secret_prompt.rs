//! `rota secret set` at a terminal reads the value without echo: run under a real
//! pseudo-terminal (Python's `pty`), the token typed never appears in what the terminal shows.
//! The keyring is not needed: with no session bus the store fails afterwards, which is beside the
//! point (the terminal output is what is checked).

use crate::support;

use support::stderr;

const TOKEN: &str = "ghp_typedatterminal0000000000000000000";

const DRIVER: &str = r#"
import os, pty, sys
rota, token = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(rota, [rota, "secret", "set", "github-token"])
out = b""
def read():
    global out
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    out += chunk
    return bool(chunk)
while b"Enter" not in out and read():
    pass
os.write(fd, token.encode() + b"\n\x04")  # the line, then end of input (for a reader that waits for it)
while read():
    pass
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
"#;

#[test]
fn a_token_typed_at_a_terminal_is_not_echoed() {
    let home = support::Home::new();
    let mut driver = home.program("/usr/bin/python3");
    driver.args(["-c", DRIVER, env!("CARGO_BIN_EXE_rota"), TOKEN]).env_remove("DBUS_SESSION_BUS_ADDRESS");
    let out = support::output(driver);
    assert!(out.status.success(), "{}", stderr(&out));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("Paste the github-token value (it is not shown)"), "{screen}");
    assert!(!screen.contains(TOKEN) && !screen.contains(&TOKEN[4..16]), "the token was echoed: {screen}");
}

/// Ctrl-C at the prompt: the process ends as Ctrl-C ends it, and the terminal's echo is back
/// (before, it stayed off, and everything typed after was invisible).
const CTRL_C: &str = r#"
import os, pty, signal, sys, termios
rota = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(rota, [rota, "secret", "set", "github-token"])
out = b""
while b"Enter" not in out:
    chunk = os.read(fd, 4096)
    if not chunk:
        break
    out += chunk
os.write(fd, b"ghp_half\x03")  # typed half, then Ctrl-C
_, status = os.waitpid(pid, 0)
echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
print(f"signal={os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT} echo={echo}")
"#;

#[test]
fn ctrl_c_at_the_prompt_puts_the_echo_back() {
    let home = support::Home::new();
    let mut driver = home.program("/usr/bin/python3");
    driver.args(["-c", CTRL_C, env!("CARGO_BIN_EXE_rota")]).env_remove("DBUS_SESSION_BUS_ADDRESS");
    let out = support::output(driver);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "signal=True echo=True");
}
