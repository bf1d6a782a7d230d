//! The tray's own program text let go once it is up (Linux).
//!
//! Why the program's pages are resident at all: the tray touches code spread over most of its
//! text while it starts (settings, sources, the store, D-Bus, the first menu), and for each page it
//! touches the kernel maps the 16 around it that are in the page cache ("fault-around"), so a
//! freshly started tray has nearly its whole text mapped: ~8 of its ~10 MiB. Idle, it runs a small
//! part of it once a minute. So once the tray is up, the mappings of its own text are dropped
//! (`madvise(MADV_DONTNEED)`); what it runs again comes back on first use, from the page cache,
//! as a minor fault. Only the executable's text (`r-xp`) is touched: never a writable or
//! read-only data page, whose relocated contents live in this process alone.

/// How long after the tray is ready its text is let go a second time: the first poll and the
/// first reads of the sources have run by then.
pub const AGAIN_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// Drops this process's mappings of its own program text. Best effort.
#[cfg(target_os = "linux")]
pub fn let_go_of_start_up_code() {
    let (Ok(exe), Ok(maps)) = (std::fs::read_link("/proc/self/exe"), std::fs::read_to_string("/proc/self/maps")) else { return };
    for (start, end) in text_ranges(&maps, &exe.to_string_lossy()) {
        // SAFETY: the range is a private, read-only mapping of the executable file's text, which
        // this process never writes; dropping its pages only makes the next use read them again
        // from the file. No memory that Rust owns is in it.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
    }
}

#[cfg(not(target_os = "linux"))]
pub fn let_go_of_start_up_code() {}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
/// The address ranges of `exe`'s text (`r-xp`) in a `/proc/self/maps` listing.
fn text_ranges(maps: &str, exe: &str) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (range, perms) = (fields.next()?, fields.next()?);
            let path = fields.nth(3)?;
            if perms != "r-xp" || path != exe {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            Some((usize::from_str_radix(start, 16).ok()?, usize::from_str_radix(end, 16).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_programs_own_text_is_let_go() {
        let maps = "\
5600a000-5600b000 r--p 00000000 fe:01 12 /usr/bin/rota
5600b000-5610b000 r-xp 00001000 fe:01 12 /usr/bin/rota
5610b000-5611b000 r--p 00101000 fe:01 12 /usr/bin/rota
5611b000-5611c000 rw-p 00111000 fe:01 12 /usr/bin/rota
7f00a000-7f00b000 r-xp 00001000 fe:01 40 /usr/lib/libc.so.6
7f00c000-7f00d000 rw-p 00000000 00:00 0
7ffd0000-7ffd1000 r-xp 00000000 00:00 0 [vdso]
";
        assert_eq!(text_ranges(maps, "/usr/bin/rota"), [(0x5600b000, 0x5610b000)]);
    }

    /// Dropping the text of the running test binary leaves it running: the code comes back.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_program_runs_on_after_its_text_is_let_go() {
        let_go_of_start_up_code();
        assert_eq!(text_ranges("", "x").len() + 2, 2);
    }
}
