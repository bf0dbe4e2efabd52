"""``harness generate`` from checked options to the written file: what the CLI calls, one step per function."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness.errors import ConfigError
from harness.generate.estimate import estimate, plan_lines
from harness.generate.plan import load_seeds
from harness.generate.run import Summary, generate_cases, write_cases
from harness.generate.spec import DEFAULT_SEEDS, GenerateOptions
from harness.models.base import EMBEDDED_MODEL, ModelSpec

EMBEDDED_NOTE = (f"{EMBEDDED_MODEL} is a 270M-parameter model: its complaints show the pipeline working, not cases "
                 "worth keeping; give --model a real provider's model for those")


def run_generate(options: GenerateOptions, say: Callable[[str], None]) -> Summary | None:
    """Generate and write the cases (None for ``--dry-run``); ``say`` prints a line for the user."""
    _check_out(options)
    if options.seeds == DEFAULT_SEEDS and not DEFAULT_SEEDS.is_file():
        raise ConfigError(f"no {DEFAULT_SEEDS} here (the default seed cases): give --seeds FILE, or --no-seeds "
                          "with --personas and --categories", field="--seeds")
    seeds = load_seeds(options.seeds)
    model = build(options)
    if options.model == EMBEDDED_MODEL:
        say(EMBEDDED_NOTE)
    found = estimate(options, seeds, model)
    say(found.line(options, model.name, len(seeds)))
    if options.dry_run:
        for line in plan_lines(found.first_round):
            say(f"  {line}")
        return None
    model.check_credentials()  # a missing key is one line before any call, not N failed generations

    def on_round(start: int, size: int) -> None:
        if start:  # a refill: some of the earlier generations were dropped or failed
            say(f"{size} more generation{'s' if size != 1 else ''} in place of those dropped or failed "
                f"({start} so far)")

    summary = generate_cases(options, seeds, model, on_round)
    assert options.out is not None
    if summary.kept:  # an empty file would be no dataset (and would replace a --force'd one for nothing)
        write_cases(options.out, summary.kept)
    return summary


def build(options: GenerateOptions):
    """The model, through the response cache as a run uses it (``--no-cache``: none)."""
    from harness.config.interpolate import load_env_files
    from harness.models import ResponseCache, build_model, default_cache_path

    load_env_files(Path.cwd() / "generate")  # the working directory's .env, as a run reads it
    try:
        spec = ModelSpec(name=options.model, api_base=options.api_base, api_key_env=options.api_key_env,
                         concurrency=options.concurrency, max_retries=options.max_retries)
    except ValueError as exc:
        raise ConfigError(str(exc).splitlines()[-1].strip(), field="--model") from None
    cache = ResponseCache(options.cache_path or default_cache_path()) if options.use_cache else None
    return build_model(spec, cache)


def _check_out(options: GenerateOptions) -> None:
    """Refuse, before any call, an output that would overwrite a file (or the seeds) without ``--force``."""
    out = options.out
    if out is None:
        if not options.dry_run:
            raise ConfigError("give the file to write the generated cases to (a .jsonl file)", field="--out")
        return
    if out.suffix.lower() != ".jsonl":
        raise ConfigError(f"{out}: the cases are written as JSON Lines: name the file .jsonl", field="--out")
    if options.seeds is not None and out.exists() and options.seeds.exists() and out.samefile(options.seeds):
        raise ConfigError(f"{out} is the seed file: write the new cases to another file (cat them together "
                          "after reading them)", field="--out")
    if out.is_dir():
        raise ConfigError(f"{out} is a directory", field="--out")
    if out.exists() and not options.force and not options.dry_run:  # a dry run writes nothing
        raise ConfigError(f"{out} exists: give --force to replace it, or another file", field="--out")
