//! Links `rota` on Linux as a position-dependent executable (`-no-pie`).
//!
//! A position-independent program is relocated by the loader at every start: for `rota` that is
//! some 55,000 pointers over 1.4 MB of `.data.rel.ro` (vtables, string slices, panic locations,
//! the zone tables), and every page of it written is a page fault and a private copy. That was
//! two thirds of the page faults of `rota now` (half of its wall time) and the largest share of
//! the idle tray's own memory. Linked at a fixed address, those pages are read-only file pages,
//! shared through the page cache and mapped 16 at a time, and the relocations leave the file.
//! The libraries, the heap, the stack and mmaps are still placed at random.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bin=rota=-no-pie");
    }
}
