"""Turns criterion's output (stdin) into the core benchmarks' section of BENCHMARKS.md (appended).

Criterion prints each benchmark as "<name>  time: [low estimate high]", the name alone on the line
before when it is long. With --print the section is only printed (`scripts/bench --cli`).
"""
import re
import sys
from pathlib import Path

AIMS = {"parse 10k-row handbook": "≤ 15 ms", "who is on duty (10k rotations, 1k people)": "≤ 1 ms",
        "plan a rotation's open seats (1k people)": "≤ 200 ms"}

rows, previous = [], ""
for line in sys.stdin:
    line = line.rstrip()
    match = re.match(r"^(.*?)\s*time:\s+\[(\S+ \S+) (\S+ \S+) (\S+ \S+)\]", line)
    if match:
        name = match.group(1).strip() or previous
        rows.append(f"| {name} | {match.group(3)} | {match.group(2)} | {match.group(4)} | {AIMS.get(name, '')} |")
    elif line.strip():
        previous = line.strip()

text = ["", "Core benchmarks (`cargo bench -p rota-core --bench core`; criterion's estimate and its "
        "confidence interval):", "", "| benchmark | estimate | low | high | aim |", "| --- | --- | --- | --- | --- |", *rows]
if "--print" not in sys.argv:
    with (Path(__file__).resolve().parents[2] / "BENCHMARKS.md").open("a") as f:
        f.write("\n".join(text) + "\n")
print("\n".join(text))
