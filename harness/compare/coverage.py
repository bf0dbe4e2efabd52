"""Which cases each side of a diff ran, in the words ``harness history`` and the runs page use.

A run can leave cases out through options (``--cases``, ``--where``, ``--failing``, ``--limit``) or through its
eval file's own ``limit:``. The manifest records the options in ``dataset.selection`` but the eval file's limit
only in ``eval_spec``, so a diff that read the selection alone showed a run cut by ``limit: 10`` as a run of
every case. The words come from :mod:`harness.history.index` (read, not redefined here), so the history,
the runs page and the diff name a limit alike: ``the first 10 cases (limit: 10 in the eval file)``.
"""

from __future__ import annotations

from harness.records.schema import Manifest

EVERY_CASE = "every case"  # the runs page's word for a run of all its dataset's cases


def run_coverage(manifest: Manifest) -> str | None:
    """The run's case selection in words, None for a run of every case."""
    from harness.history.index import run_selection, selection_label

    dataset = manifest.dataset if isinstance(manifest.dataset, dict) else {}
    spec = manifest.eval_spec if isinstance(manifest.eval_spec, dict) else {}
    return selection_label(run_selection(dataset, spec.get("limit")), dataset.get("replay"))


def _count(manifest: Manifest, words: str) -> str:
    """``, 4 of 6 cases`` from the manifest's counts; empty when it lacks them or the words already give the
    number (``the first 4 cases``)."""
    if words.startswith("the first "):
        return ""
    dataset = manifest.dataset if isinstance(manifest.dataset, dict) else {}
    chosen, total = dataset.get("n_selected"), dataset.get("n_cases")
    if isinstance(chosen, int) and isinstance(total, int) and chosen < total:
        return f", {chosen} of {total} cases"
    return ""


def coverage_notice(a: Manifest, b: Manifest, same_run: bool) -> str | None:
    """The notice for a diff one or both of whose runs left cases out: its figures cover those cases only."""
    words_a, words_b = run_coverage(a), run_coverage(b)
    if words_a is None and words_b is None:
        return None
    if same_run:
        return f"partial run ({words_a}{_count(a, words_a)}): the diff covers those cases only, not every case"
    sides = [f"{label} ({words}{_count(m, words)})" for label, words, m in (("A", words_a, a), ("B", words_b, b)) if words]
    which = " and ".join(sides)
    verb = "are partial runs" if len(sides) == 2 else "is a partial run"
    other = "" if len(sides) == 2 else f"; {'B' if words_a else 'A'} ran {EVERY_CASE}"
    return (f"{which} {verb}{other}: the diff covers only the cases both runs hold, not every case of the "
            f"dataset")


def side_cases(selection: str | None, other: str | None) -> str | None:
    """What a side's identity line says of its cases: its selection, or ``every case`` when the other side's
    is partial (said so the two read apart); nothing when both ran every case."""
    if selection:
        return f"cases: {selection}"
    return f"cases: {EVERY_CASE}" if other else None
