//! The tray's start-up pages let go of once it is up, and what each refresh ran once it is quiet
//! again (Linux).
//!
//! Why a program's pages are resident at all: the tray touches code spread over most of its
//! text while it starts (settings, sources, the store, D-Bus, the first menu and poll), the
//! loader reads (and writes) the relocations of what is position-independent once, and for each
//! page touched
//! the kernel maps the 16 around it that are in the page cache ("fault-around"); so a tray just
//! started has nearly its whole file mapped: ~9 of its ~10 MiB, and in the Tauri host the same
//! of WebKit's libraries, which it links but never uses. Idle, it runs a small part of any of it
//! once a minute. So once the tray is up, its read-only mappings of files (programs, libraries:
//! headers, relocations, constants, unwinding tables, text) are dropped
//! (`madvise(MADV_DONTNEED)`); what it uses again comes back on first use, from the page cache, as
//! a minor fault. A mapping with a page of this process's own (a copy written to: relocated data)
//! is never dropped, nor a shared one, nor any but the program's and its libraries' (`.so`): those
//! stay mapped for the life of the process, where a data file mapped for a while could be unmapped
//! and its addresses reused between the listing and the drop.

/// When the tray lets go of its start-up pages, after it is ready: once the first reads have
/// settled, and again once the first poll has run.
pub const LET_GO_AFTER: [std::time::Duration; 2] = [std::time::Duration::from_secs(5), std::time::Duration::from_secs(30)];

/// How long the tray is quiet after a refresh before it lets go of what the refresh ran. Each
/// minute the tray draws its menu anew (the local times move) and the panel reads it: a few
/// hundred kilobytes of code, but with the pages the kernel maps around each one touched, 4.5
/// MiB of the program mapped again (measured: 3.2 → 7.7 MiB at the first minute boundary, and
/// kept until the tray let go again). The pages stay in the page cache, where the next minute
/// finds them: about 70 minor faults a minute.
pub const QUIET: std::time::Duration = std::time::Duration::from_secs(2);

/// Drops this process's read-only mappings of files. Best effort.
#[cfg(target_os = "linux")]
pub fn let_go_of_start_up_code() {
    let (Ok(exe), Ok(smaps)) = (std::fs::read_link("/proc/self/exe"), std::fs::read_to_string("/proc/self/smaps")) else { return };
    for (start, end) in read_only_ranges(&smaps, &exe.to_string_lossy()) {
        // SAFETY: the range is a private, read-only mapping of a file holding no page of this
        // process's own (checked: `Anonymous: 0`); dropping it only makes the next use read the
        // same bytes again from the file. No memory that Rust owns is in it.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
    }
}

#[cfg(not(target_os = "linux"))]
pub fn let_go_of_start_up_code() {}

/// The address ranges of the private, read-only (`r--p`, `r-xp`) mappings of the program (`exe`)
/// and of libraries with no page of the process's own (`Anonymous: 0`), in a `/proc/self/smaps`
/// listing.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn read_only_ranges(smaps: &str, exe: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // The mapping being read, if it may be dropped.
    let mut current: Option<(usize, usize)> = None;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((start, end)) = first.split_once('-').filter(|_| !first.ends_with(':')) {
            let perms = fields.next().unwrap_or_default();
            let path = fields.nth(3).unwrap_or_default();
            let code = path == exe || (path.starts_with('/') && (path.ends_with(".so") || path.contains(".so.")));
            let droppable = code && (perms == "r--p" || perms == "r-xp");
            current = match (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16)) {
                (Ok(s), Ok(e)) if droppable => Some((s, e)),
                _ => None,
            };
        } else if first == "Anonymous:" {
            if let Some(range) = current.take() {
                if fields.next() == Some("0") {
                    out.push(range);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
5600a000-5600b000 r--p 00000000 fe:01 12                         /usr/bin/rota
Size:                  4 kB
Anonymous:             0 kB
5600b000-5610b000 r-xp 00001000 fe:01 12                         /usr/bin/rota
Size:               1024 kB
Anonymous:             0 kB
5610b000-5611b000 r--p 00101000 fe:01 12                         /usr/bin/rota
Size:                 64 kB
Anonymous:            64 kB
5611b000-5611c000 rw-p 00111000 fe:01 12                         /usr/bin/rota
Anonymous:             4 kB
7f00a000-7f00b000 r-xp 00001000 fe:01 40                         /usr/lib/libc.so.6
Anonymous:             0 kB
7f00c000-7f00d000 r--s 00000000 fe:01 41                         /dev/shm/x.so
Anonymous:             0 kB
7f00e000-7f00f000 r--p 00000000 fe:01 42                         /var/cache/fontconfig/x.cache-8
Anonymous:             0 kB
7ffd0000-7ffd1000 r-xp 00000000 00:00 0                          [vdso]
Anonymous:             0 kB
";

    #[test]
    fn only_private_read_only_pages_of_the_program_and_libraries_are_let_go() {
        let program = [(0x5600a000, 0x5600b000), (0x5600b000, 0x5610b000)];
        assert_eq!(read_only_ranges(SMAPS, "/usr/bin/rota"), [program[0], program[1], (0x7f00a000, 0x7f00b000)]);
    }

    #[test]
    fn a_mapping_with_pages_of_its_own_is_kept() {
        let written = SMAPS.replacen("Size:               1024 kB\nAnonymous:             0 kB", "Anonymous:             4 kB", 1);
        assert_eq!(read_only_ranges(&written, "/usr/bin/rota"), [(0x5600a000, 0x5600b000), (0x7f00a000, 0x7f00b000)]);
    }

    /// The running test binary lets go of its pages and runs on: they come back.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_program_runs_on_after_it_lets_go() {
        let_go_of_start_up_code();
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        assert!(!read_only_ranges(&smaps, &exe.to_string_lossy()).is_empty(), "the test binary's own pages are found");
    }
}
