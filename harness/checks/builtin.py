"""Imports every built-in check module so that each registers its checks.

:func:`harness.checks.base.registry` imports this module; a new check module
is added here.
"""

from harness.checks import (  # noqa: F401  (imported for their register() calls)
    acknowledgement,
    apology,
    boundary,
    contradiction,
    injection,
    next_step,
    positive_language,
    promises,
    questions,
    reasking,
    repetition,
    support_moves,
)
