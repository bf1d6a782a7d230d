//! What `rota` costs at each start, kept as built (rota/build.rs).

/// On Linux `rota` is linked at a fixed address (an ELF executable, `ET_EXEC`), not as a
/// position-independent one (`ET_DYN`) whose 55,000 pointers the loader would write at every
/// start: `rota now` paid two thirds of its page faults for that.
#[cfg(target_os = "linux")]
#[test]
fn rota_is_linked_at_a_fixed_address() {
    let exe = std::fs::read(env!("CARGO_BIN_EXE_rota")).expect("the built rota");
    assert_eq!(&exe[..4], b"\x7fELF");
    // e_type, little-endian, at offset 16: 2 is ET_EXEC, 3 is ET_DYN (position-independent).
    assert_eq!(u16::from_le_bytes([exe[16], exe[17]]), 2, "rota is position-independent again; see rota/build.rs");
}
