//! How `rota` is linked, kept as decided.

/// `rota` stays position-independent (an ELF `ET_DYN`), so the system places its code at a random
/// address each start, as it does every other program a distribution hardens. Linked at a fixed
/// address instead (`-no-pie`), `rota now` started in about half the time (its 55,000 relocations
/// no longer written by the loader) but its code would sit where an attacker expects it, in a
/// program that reads pages, calendars and HTTP answers from outside.
#[cfg(target_os = "linux")]
#[test]
fn rota_is_position_independent() {
    let exe = std::fs::read(env!("CARGO_BIN_EXE_rota")).expect("the built rota");
    assert_eq!(&exe[..4], b"\x7fELF");
    // e_type, little-endian, at offset 16: 3 is ET_DYN (position-independent), 2 is ET_EXEC.
    assert_eq!(u16::from_le_bytes([exe[16], exe[17]]), 3, "rota is linked at a fixed address");
}

/// `rota` needs only the C runtime's libraries. libdbus, which the keyring and notifications speak
/// through, is built in (`libdbus-sys`'s "vendored"): linked from the system, it brought libsystemd,
/// libgcrypt, libgpg-error, liblzma, libzstd, liblz4 and libcap, each mapped and bound at every
/// start of a program whose `now` never speaks D-Bus (a quarter of `rota now --json`'s time).
#[cfg(target_os = "linux")]
#[test]
fn rota_needs_only_the_c_runtime() {
    let out =
        std::process::Command::new("readelf").args(["--dynamic", env!("CARGO_BIN_EXE_rota")]).output().expect("readelf (binutils) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let needed: Vec<&str> =
        text.lines().filter(|l| l.contains("(NEEDED)")).filter_map(|l| l.split('[').nth(1)?.split(']').next()).collect();
    assert!(needed.contains(&"libc.so.6"), "{needed:?}");
    let runtime = ["libc.so", "libm.so", "libgcc_s.so", "ld-linux"];
    let others: Vec<_> = needed.iter().filter(|n| !runtime.iter().any(|r| n.starts_with(r))).collect();
    assert!(others.is_empty(), "rota needs more than the C runtime: {others:?}");
}
