"""What a release binary's bytes are: its sections, and its code by the crate that wrote it (from
the symbol table of an unstripped build, as `cargo bloat --crates` counts them). Prints a Markdown
section for BENCHMARKS.md.

    python3 tests/bench/bytes.py BINARY [BINARY...]
"""

import collections
import re
import subprocess
import sys

# A symbol's crate: the first path segment of its demangled name, past any `<impl … for` or `<&`.
CRATE = re.compile(r"^(?:<|_<|\(|&|mut |dyn |impl )*([A-Za-z_][A-Za-z0-9_]*)")
# C code linked in (the bundled SQLite) has no crate: named by what its symbols begin with.
C_LIBRARIES = {"sqlite3": "SQLite (C, bundled)"}


def sections(binary):
    out = subprocess.run(["size", "-A", binary], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and not parts[0].startswith(".debug"):
            rows.append((parts[0], int(parts[1])))
    return sorted(rows, key=lambda r: -r[1])


def code_by_crate(binary):
    out = subprocess.run(["nm", "-S", "--size-sort", "-C", binary], capture_output=True, text=True, check=True).stdout
    by = collections.Counter()
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[2] not in "tT":
            continue
        name = parts[3].strip()
        crate = next((label for prefix, label in C_LIBRARIES.items() if name.startswith(prefix)), None)
        if crate is None:
            m = CRATE.match(name)
            crate = m.group(1) if m else "?"
        by[crate] += int(parts[1], 16)
    return by


def kib(n):
    return f"{n / 1024:,.0f}"


def main(binaries):
    for binary in binaries:
        name = binary.rsplit("/", 1)[-1]
        secs = sections(binary)
        print(f"\n`{name}`, unstripped, by section (KiB; debug sections left out, as the release strips them):\n")
        print("| section | KiB |\n| --- | --- |")
        for sec, size in secs[:10]:
            print(f"| `{sec}` | {kib(size)} |")
        crates = code_by_crate(binary)
        total = sum(crates.values())
        print(f"\n`{name}`'s code by crate (KiB of {kib(total)} in named functions; `core`, `alloc` and `std` "
              "hold the generic code other crates instantiate, such as drop glue and iterators):\n")
        print("| crate | KiB |\n| --- | --- |")
        for crate, size in crates.most_common(20):
            print(f"| {crate} | {kib(size)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
