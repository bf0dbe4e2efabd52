"""Comparing two runs, or two candidates of one run, with paired statistics.

    from harness.compare import build_diff, write_diff, DiffOptions
    report = build_diff("results/a", "results/b")
    write_diff(report, "results/diff", ["md", "json", "html"])

Modules, in the order data flows: ``align`` (read runs, pair cases),
``guard`` (refuse incomparable sides), ``paired`` (the paired tests and
intervals), ``family`` (Holm's adjustment over Tarone's family), ``power`` (the
minimum detectable effect), ``intervals`` (intervals where a bootstrap cannot
vary, and their notes), ``rows`` (one row per criterion and check), ``views`` (changed cases side by side),
``lengths`` (each side's verbosity notices, and a note when reply length may
explain a difference), ``pairs`` (which candidates are compared: ``--pair``,
``--baseline-candidate``, shared names), ``usage`` (each pair's reply length,
tokens, latency, cost and errors), ``diff`` (the whole diff), ``schema`` (``diff.json``),
``outputs`` (files).
"""

from harness.compare.diff import DiffOptions, build_diff, parse_pair, parse_primary
from harness.compare.guard import IncomparableRunsError
from harness.compare.outputs import load_diff, parse_formats, write_diff
from harness.compare.rows import MinEffect, StatOptions, parse_min_effect
from harness.compare.schema import DIFF_SCHEMA_VERSION, DiffReport

__all__ = ["DiffOptions", "StatOptions", "MinEffect", "parse_min_effect", "build_diff", "parse_pair", "parse_primary", "write_diff", "load_diff", "parse_formats",
           "IncomparableRunsError", "DiffReport", "DIFF_SCHEMA_VERSION"]
