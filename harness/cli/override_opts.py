"""The options that change the eval file for one command (``run``, ``estimate``, ``validate``): ``--model``,
``--judge-model``, ``--judge-api-base``, ``--judge-api-key-env``, ``--set KEY=VALUE``; one parser helper for the
three, and what a run says about them at its start (:mod:`harness.config.overrides` applies them)."""

from __future__ import annotations

import argparse
import sys

from harness.errors import ConfigError

class _GivenOnce(argparse.Action):
    """An option naming one value for the whole eval (--model): a second is refused, not silently kept."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} given twice ({getattr(namespace, self.dest)} and {values}): give it once")
        setattr(namespace, self.dest, values)

def add_override_options(command) -> None:
    """The options that change the eval file for this command only (``run``, ``estimate``, ``validate``):
    Inspect AI's --model / --model-role grader= / -T, promptfoo's --var."""
    group = command.add_argument_group("changing the eval file from the command line (recorded in the manifest)")
    group.add_argument("--model", action=_GivenOnce, metavar="MODEL",
                       help="the model of every model candidate (a matrix's models become this one; recorded and "
                            "replayed candidates are left as they are)")
    group.add_argument("--judge-model", action=_GivenOnce, metavar="MODEL",
                       help="the judge's model (a judge panel becomes this one judge)")
    group.add_argument("--judge-api-base", action=_GivenOnce, metavar="URL", help="the judge's base URL (api_base)")
    group.add_argument("--judge-api-key-env", action=_GivenOnce, metavar="VAR",
                       help="environment variable holding the judge's key (api_key_env)")
    group.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="set_values",
                       help="any eval-file key by its dotted path, the value read as YAML (judge.epochs=3, "
                            "candidates.0.params.temperature=0.2, gates.max_error_rate=0.1); repeatable; "
                            "applied after --model and --judge-model")

def overrides_from(args: argparse.Namespace, candidates: list[str] | None = None):
    """The options that change the eval file (``run``, ``estimate``, ``validate``), checked; ``candidates``:
    the ``--candidates`` chosen (None: all)."""
    from harness.config.overrides import Overrides, parse_sets

    return Overrides(model=args.model, judge_model=args.judge_model, judge_api_base=args.judge_api_base,
                     judge_api_key_env=args.judge_api_key_env, sets=parse_sets(args.set_values),
                     only=tuple(candidates or ()))

def start_overridden(args: argparse.Namespace, overrides) -> None:
    """Before a run: a resumed run continues with the options it started with; then what the options change,
    one line each (the eval file is loaded with them, so a wrong one is refused before anything is written)."""
    if args.resume and args.out is not None and (args.out / "manifest.json").is_file():
        from harness.records.store import read_manifest

        earlier = (read_manifest(args.out).eval_spec or {}).get("overrides") or []
        if earlier != overrides.words():
            before = " ".join(earlier) or "none of --model, --judge-model, --set"
            raise ConfigError(f"the run in {args.out} was started with {before}; give the same to continue it "
                              f"(now: {' '.join(overrides.words()) or 'none'})", field="--resume")
    if not overrides:
        return
    from harness.config.evalfile import load_eval

    say_overrides(load_eval(args.eval), args.quiet)

def say_overrides(loaded, quiet: bool) -> None:
    if loaded.applied is not None and not quiet:
        for note in loaded.applied.notes:
            print(f"harness: from the command line: {note}", file=sys.stderr)
