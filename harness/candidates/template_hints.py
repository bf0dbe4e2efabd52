"""What a prompt template's undefined variable was most likely meant to be: ``'order_id' is undefined;
did you mean metadata.order_id?``.

A template sees the case's fields (``metadata``, ``persona``, ...), ``customer_text`` and
``last_customer_text``; a column of the user's own is under ``metadata``. Someone coming from
promptfoo writes ``{{ order_id }}`` or ``{{ vars.complaint }}``, where promptfoo puts each test's
vars at the top; the hint names the harness's field for it, from the case the template failed on.
promptfoo's prompt carries the customer's message (``{{ message }}``); here it is sent as the user
turn(s) already, so the hint says that before naming ``customer_text`` (for quoting it in the system
prompt, where it would otherwise be said twice).

A key that some cases' mappings lack (``{{ metadata.order_id }}`` on a row with no order id) fails in
jinja as ``'dict object' has no attribute 'order_id'``; :func:`missing_key` finds which field of the
case that was, from the template's source, so the message can say ``the case has no metadata.order_id``.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterable

import jinja2
from jinja2 import nodes

# Names a template may give the customer's message (promptfoo configs' usual vars): customer_text here.
_CUSTOMER_WORDS = ("complaint", "question", "query", "input", "message", "customer_message", "user_input")
_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")
_NO_KEY = re.compile(r"^'dict object' has no (?:attribute|element) '([^']+)'$")
_CUSTOMER_HINT = ("the customer's message already reaches the model as the user turn(s), after this system prompt: "
                  "leave it out, or quote it here with {{ customer_text }}")
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
                (_meaning(meant) if meant else " (customer_text, metadata.<key>, ...)"))
    meant = field_for(name, case, names)
    return ";" + _meaning(meant).removeprefix(":") if meant else ""


def _meaning(meant: str) -> str:
    """``: did you mean x?``; for the customer's message, where it already goes."""
    return f": {_CUSTOMER_HINT}" if meant == "customer_text" else f": did you mean {meant}?"


def missing_key(message: str, variables: dict, source: str | None) -> str | None:
    """The case field (``metadata.order_id``) whose lack made jinja say ``message`` (``'dict object' has no
    attribute 'order_id'``), found among the template's uses of that key on ``variables``; None if not found."""
    match = _NO_KEY.match(message)
    if not match or not source:
        return None
    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError:
        return None
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        path = _dotted(node.node)
        if key == match[1] and path is not None:
            held = lookup(variables, path)
            if isinstance(held, dict) and key not in held:
                return ".".join([*path, key])
    return None


def _dotted(node: nodes.Node) -> list[str] | None:
    """``metadata`` / ``case.metadata`` for a chain of names and plain keys, else None."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, node.arg.value]
    return None


def lookup(variables: dict, path: list[str]) -> Any:
    """The value at ``path`` in the template's variables (None where a step is not there)."""
    held: Any = variables
    for step in path:
        if not isinstance(held, dict) or step not in held:
            return None
        held = held[step]
    return held


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
