"""Gates: what a run must reach to pass, and the exit code that says whether it did.

``spec`` is the ``gates:`` section of an eval file; ``evaluate`` checks a
finished run against its minimums, a baseline (``regression``) and its error
tolerance (``tolerance``); ``outcome`` is the result and ``gates.json``;
``baseline`` resolves ``--baseline RUN|accepted``.

Exit codes: 0 every gate passed · 1 a gate failed · 2 bad usage or input (a
baseline that could not be used, found after the run, too) · 3 the run did
not complete within its error tolerance (nothing graded, a candidate with no
record free of errors, a judge that gave no verdict, or above ``max_error_rate``).
"""

EXIT_PASSED, EXIT_GATE_FAILED, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
