"""Instructions the check set executes per reply, counted by callgrind: repeatable on a shared machine.

CPU seconds on this 2-core machine swing by ±20% with what else runs, too much to see a change of a few
percent. Valgrind's callgrind counts instructions instead, the same count for the same code and input
whatever the load. Each tree named (default: this one) runs the full check set over the same corpus as
``bench_checks.py`` under callgrind, with counting switched on only around the loop (imports, corpus
building and a warm-up round are not counted). Prints instructions per reply per corpus and tree, and
each tree's ratio to the first.

Run: ``.venv/bin/python benchmarks/callgrind_checks.py [--replies N] [--tree DIR ...]``, e.g.
``--tree . --tree /tmp/oldtree`` (a checkout of an older commit) for an A/B. Needs ``valgrind``
(Debian package). About 20-40 s per corpus and tree for 1,000 replies.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPORA = ("synthetic", "recorded", "newcase")

# Runs inside valgrind: builds the corpus, warms up, then waits for the controller to switch counting on.
_LOOP = """
import os, sys, time
root, corpus, n, flags = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path[:0] = [root, os.path.join(root, "benchmarks")]
import bench_checks as b
case = b.make_case()
pairs = {"synthetic": lambda: [(case, r) for r in b.make_replies(n, seed=3)],
         "recorded": lambda: b.recorded_pairs(n, seed=3),
         "newcase": lambda: b.distinct_case_pairs(n, seed=3)}[corpus]()
b.run_once(b.recorded_pairs(50, seed=99))  # imports, phrase index, compiled patterns: not counted
open(flags + ".ready", "w").close()
while not os.path.exists(flags + ".go"):
    time.sleep(0.05)
b.run_once(pairs)
open(flags + ".done", "w").close()
time.sleep(1.0)  # in a syscall while counting is switched off
"""


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    while not path.exists():
        if proc.poll() is not None:
            raise SystemExit(f"the check loop under valgrind exited early ({proc.returncode}): {proc.stderr.read()}")
        time.sleep(0.2)


def instructions(tree: Path, corpus: str, replies: int, work: Path) -> int:
    """Instructions executed by the check loop of ``tree`` over ``replies`` replies of ``corpus``."""
    flags, out = work / f"{tree.name}-{corpus}", work / f"{tree.name}-{corpus}.callgrind"
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONPATH": str(tree)}
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                             sys.executable, "-c", _LOOP, str(tree), corpus, str(replies), str(flags)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for(Path(f"{flags}.ready"), proc)
    subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
    Path(f"{flags}.go").touch()
    _wait_for(Path(f"{flags}.done"), proc)
    subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True, capture_output=True)
    proc.wait()
    for line in out.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"no totals in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to measure (repeatable; "
                                                                     "default: the one holding this script)")
    args = parser.parse_args()
    trees = [t.resolve() for t in args.tree or [Path(__file__).resolve().parents[1]]]
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in CORPORA:
            counts = [instructions(tree, corpus, args.replies, Path(tmp)) for tree in trees]
            cells = [f"{tree}: {count / args.replies / 1e6:.3f} M per reply"
                     + (f" ({count / counts[0]:.3f} x the first)" if i else "") for i, (tree, count) in enumerate(zip(trees, counts))]
            print(f"{corpus}, {args.replies} replies: " + "; ".join(cells), flush=True)


if __name__ == "__main__":
    main()
