"""An argparse action for an option that may be given once: a second value is refused, not silently kept."""

from __future__ import annotations

import argparse


class Once(argparse.Action):
    """Store the value; a repeat ends with argparse's usage error (exit code 2) naming the option."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} given twice ({getattr(namespace, self.dest)} and {values}): "
                         "give it once (compare another pair with a second command)")
        setattr(namespace, self.dest, values)
