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
