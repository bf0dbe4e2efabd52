"""House-style checks an eval file can name as `type: python` (see "Checks of your own" in the README).

Each function takes the check context (``ctx.reply``, ``ctx.case``, ``ctx.candidate``) and returns
True (pass), False (fail), None (does not apply), ``(passed, detail)`` or a CheckResult.
"""

from __future__ import annotations

import re

# A sign-off as support teams write them on social channels: "^JD", "- Maria", "Best, the Acme team".
_SIGN_OFF = re.compile(r"(\^[A-Z]{1,3}|[-–—]\s*[A-Z][a-z]+|(?:best|thanks|regards|cheers),?\s+[\w .'-]{2,40})\s*$",
                       re.IGNORECASE)


def signed_off(ctx):
    """Passes when the reply ends with a sign-off; does not apply to email threads, whose footer adds one."""
    if (ctx.case.channel or "").lower() == "email":
        return None
    reply = ctx.reply.rstrip()
    found = _SIGN_OFF.search(reply)
    return (True, f"signed {found.group(1)!r}") if found else (False, "no sign-off at the end")
