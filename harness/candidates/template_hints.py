"""What a prompt template's undefined variable was most likely meant to be: ``'order_id' is undefined;
did you mean metadata.order_id?``.

A template sees the case's fields (``metadata``, ``persona``, ...), ``customer_text`` and
``last_customer_text``; a column of the user's own is under ``metadata``. Someone coming from
promptfoo writes ``{{ order_id }}`` or ``{{ vars.complaint }}``, where promptfoo puts each test's
vars at the top; the hint names the harness's field for it, from the case the template failed on.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterable

# Names a template may give the customer's message (promptfoo configs' usual vars): customer_text here.
_CUSTOMER_WORDS = ("complaint", "question", "query", "input", "message", "customer_message", "user_input")
_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")
_VARS_USE = re.compile(r"\bvars\s*\.\s*([A-Za-z_]\w*)|\bvars\s*\[\s*['\"]([^'\"]+)['\"]\s*\]")


def undefined_hint(message: str, case: Any, variables: Iterable[str], source: str | None) -> str:
    """``"; did you mean x?"`` (or what promptfoo's ``vars`` is here) for jinja's ``'name' is undefined``
    ``message`` on ``case``, else ``""``."""
    match = _UNDEFINED.match(message)
    if not match:
        return ""
    name, names = match[1], list(variables)
    if name == "vars":
        used = _VARS_USE.search(source or "")
        meant = field_for(used[1] or used[2], case, names) if used else None
        return ("; promptfoo's vars are the case's own fields here" +
                (f": did you mean {meant}?" if meant else " (customer_text, metadata.<key>, ...)"))
    meant = field_for(name, case, names)
    return f"; did you mean {meant}?" if meant else ""


def field_for(name: str, case: Any, names: list[str]) -> str | None:
    """The template variable ``name`` most likely means on ``case``: a metadata key of that name first (a column
    of the user's own), the customer's text for its usual names, else the closest variable's name."""
    metadata = getattr(case, "metadata", None)
    if isinstance(metadata, dict) and name in metadata:
        return f"metadata.{name}"
    if name in names:
        return name
    if name.lower() in _CUSTOMER_WORDS:
        return "customer_text"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return close[0] if close else None
