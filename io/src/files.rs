//! Files Rota writes, private from the first byte: every folder it creates is 0700 and
//! every file 0600, whatever the umask, from the first command on. The config, the source cache,
//! the hand-off state, the autostart entry and the calendar export all go through here; the
//! database and the files beside it are opened with the same modes in `escalations/`.

use std::path::Path;

/// The mode of a folder Rota creates.
pub const FOLDER_MODE: u32 = 0o700;

/// The mode of a file Rota creates.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents, each owner-only (0700). A folder already there is left
/// as it is (a person's own `~/.config` is not Rota's to change).
pub fn private_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, FOLDER_MODE);
    builder.create(dir)
}

/// Opens `path` for writing, created owner-only (0600) if it is not there, truncated if `truncate`.
/// An existing file keeps its mode (and a device such as `/dev/stdout` stays one).
pub fn open_private(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(truncate).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options.open(path)
}

/// Replaces `target` with `contents` so that a crash leaves the old file or the new, never half
/// of one: written to a temporary file of its own beside it (two saves at once never share one),
/// created with the old file's mode (a new one private, 0600) before any byte is in it, synced,
/// renamed over it, and the folder synced. A new folder is private (0700). On failure the
/// temporary file is removed.
pub fn replace_file(target: &Path, contents: &[u8]) -> std::io::Result<()> {
    replace(target, contents, None)
}

/// [`replace_file`] for a file of Rota's own (a cache, a state file): 0600 whatever the old file's
/// mode was (an older Rota made them 0644).
pub fn replace_private(target: &Path, contents: &[u8]) -> std::io::Result<()> {
    replace(target, contents, Some(FILE_MODE))
}

fn replace(target: &Path, contents: &[u8], forced: Option<u32>) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static SAVES: AtomicU64 = AtomicU64::new(0);
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    private_folder(dir)?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}-{}.rota-saving", std::process::id(), SAVES.fetch_add(1, Ordering::Relaxed)));
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        forced.unwrap_or_else(|| std::fs::metadata(target).map(|m| m.permissions().mode() & 0o7777).unwrap_or(FILE_MODE))
    };
    #[cfg(not(unix))]
    let _ = forced;
    let written = (|| {
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, mode);
        let mut file = open.open(&tmp)?;
        // The umask may have taken bits away: the old file's mode exactly, before the bytes.
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)?;
        // The rename itself reaches the disk with the folder.
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    /// A save that fails half-way leaves the old file and no temporary file.
    /// Saves at once never share a temporary file, and what a save creates is private
    /// from its first byte (0700 folder, 0600 file).
    #[test]
    fn saves_at_once_each_land_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("new/rota/config.toml");
        let texts: Vec<String> = (0..4).map(|i| format!("me = \"{}\"\n", i.to_string().repeat(20_000))).collect();
        std::thread::scope(|s| {
            for t in &texts {
                let target = &target;
                s.spawn(move || {
                    for _ in 0..25 {
                        replace_file(target, t.as_bytes()).unwrap();
                    }
                });
            }
        });
        let saved = std::fs::read_to_string(&target).unwrap();
        assert!(texts.contains(&saved), "one save's bytes, whole");
        let folder = target.parent().unwrap();
        assert_eq!(std::fs::read_dir(folder).unwrap().count(), 1, "no temporary file left");
        assert_eq!(mode(&target), 0o600);
        assert_eq!(mode(folder), 0o700);
        assert_eq!(mode(folder.parent().unwrap()), 0o700, "every folder created on the way");
    }

    #[test]
    fn a_failed_replace_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder (not empty) where the file should go: the rename fails after the write.
        let target = dir.path().join("config.toml");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), "x").unwrap();
        assert!(replace_file(&target, b"me = \"ann\"\n").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [std::ffi::OsString::from("config.toml")]);
    }

    /// A file a person made keeps the mode they gave it when Rota writes it again.
    #[test]
    fn an_existing_file_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("rota.ics");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        replace_file(&target, b"new").unwrap();
        assert_eq!(mode(&target), 0o644);
        std::io::Write::write_all(&mut open_private(&target, true).unwrap(), b"again").unwrap();
        assert_eq!((mode(&target), std::fs::read_to_string(&target).unwrap().as_str()), (0o644, "again"));
        replace_private(&target, b"mine").unwrap();
        assert_eq!(mode(&target), 0o600, "a file of Rota's own is made private again");
        let fresh = dir.path().join("fresh");
        open_private(&fresh, false).unwrap();
        assert_eq!(mode(&fresh), 0o600);
    }
}
