//! The packages' remove script (`src-tauri/packaging/prerm`, the .deb's prerm and the
//! .rpm's %preun) ends the installed programs on removal, with dpkg's words and with RPM's count,
//! also one still running from a file an upgrade replaced ("/usr/bin/rota (deleted)"), and
//! nothing on an upgrade or that runs from elsewhere. Run on a copy of the script whose programs'
//! folder is a temporary one (its only line that differs), with copies of `sleep` as the programs.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};

const SCRIPT: &str = include_str!("../../../src-tauri/packaging/prerm");

struct Install {
    dir: tempfile::TempDir,
    script: PathBuf,
}

impl Install {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("usr/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        assert_eq!(SCRIPT.matches("\nbindir=/usr/bin\n").count(), 1, "the script names its folder once");
        let script = dir.path().join("prerm");
        std::fs::write(&script, SCRIPT.replace("\nbindir=/usr/bin\n", &format!("\nbindir={}\n", bin.display()))).unwrap();
        Install { dir, script }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Puts a program at `name` (a copy of `sleep`), replacing what was there the way a package
    /// upgrade does: a new file renamed over the old one.
    fn put(&self, name: &str) -> PathBuf {
        let target = self.path(name);
        let new = target.with_extension("new");
        std::fs::copy("/bin/sleep", &new).unwrap();
        std::fs::rename(&new, &target).unwrap();
        target
    }

    fn start(&self, name: &str) -> Program {
        Program(Command::new(self.path(name)).arg("600").spawn().unwrap())
    }

    fn prerm(&self, args: &[&str]) {
        let status = Command::new("sh").arg(&self.script).args(args).status().unwrap();
        assert!(status.success(), "prerm {args:?}: {status}");
    }
}

/// A program the test started, ended with the test whatever happens (a failed assertion too:
/// it would hold the test's output open for its 600 s).
struct Program(Child);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn exe(p: &Program) -> String {
    std::fs::read_link(format!("/proc/{}/exe", p.0.id())).unwrap().display().to_string()
}

fn running(p: &mut Program) -> bool {
    p.0.try_wait().unwrap().is_none()
}

fn ended_by_sigterm(status: ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(15) // SIGTERM
}

#[test]
fn removal_ends_the_installed_programs_also_after_an_upgrade_replaced_them() {
    for removal in [&["remove"][..], &["0"]] {
        let install = Install::new();
        install.put("usr/bin/rota");
        install.put("usr/bin/rota-app");
        install.put("elsewhere/rota");
        let mut tray = install.start("usr/bin/rota");
        let mut window = install.start("usr/bin/rota-app");
        let mut other = install.start("elsewhere/rota");
        // An upgrade: the files are replaced under the running programs, and the script runs with
        // an upgrade's words (dpkg's, then RPM's count of versions left), which end nothing.
        install.put("usr/bin/rota");
        install.put("usr/bin/rota-app");
        assert!(exe(&tray).ends_with("/usr/bin/rota (deleted)"), "{}", exe(&tray));
        for upgrade in [&["upgrade", "1.1.0"][..], &["1"], &["2"], &["failed-upgrade", "1.1.0"]] {
            install.prerm(upgrade);
            assert!(running(&mut tray) && running(&mut window) && running(&mut other), "prerm {upgrade:?} ended a program");
        }
        // A new window, from the new file, beside the old tray.
        let mut new_window = install.start("usr/bin/rota-app");
        install.prerm(removal);
        for (what, child) in
            [("the tray from before the upgrade", &mut tray), ("its window", &mut window), ("a new window", &mut new_window)]
        {
            let status = child.0.try_wait().unwrap();
            assert!(status.is_some_and(ended_by_sigterm), "prerm {removal:?}: {what} {status:?}");
        }
        assert!(running(&mut other), "a rota run from elsewhere is not the package's");
    }
}
