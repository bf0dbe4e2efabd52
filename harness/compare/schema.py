"""The persisted shape of ``diff.json``: two sides compared measure by measure and case by case.

A :class:`DiffReport` holds one :class:`Comparison` per pair of candidates
(the same candidate in two runs, or two candidates of one run). Each
comparison has one :class:`DiffRow` per judge criterion and check (listing
every case that changed, with its values), and the side-by-side
:class:`CaseView` of each row's largest drops and rises. Numbers are
``None`` where undefined, never NaN. Readers refuse a ``schema_version`` newer
than :data:`DIFF_SCHEMA_VERSION`; the JSON Schema ships as
``harness/schemas/diff.schema.json``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from harness.checks.base import Span
from harness.scoring.schema import Interval

# 2: a row without a case graded on both sides has the verdict "not measured" (it read "no detectable change").
# 3: rows say how their interval was computed (ci_method) and when a bootstrap interval disagrees with the test
#    (ci_note); exact Wilcoxon p-values and McNemar-compatible intervals.
# 4: ci_method "uniform_change" (every case moved by the same amount: no zero-width bootstrap interval);
#    LeftOut.samples_a/samples_b (a case is compared on its graded samples; it was left out whole);
#    the verdict "below minimum effect" and DiffReport.min_effect (--min-effect). A v3 diff.json still reads.
# 5: Comparison.headline, .flips (pass->fail / fail->pass, cases worse / better) and .reply_changes (replies
#    whose text changed with no change in any measure); LeftOut.changed (cases whose content changed between
#    the runs, left out of every row). A v4 diff.json still reads.
# 6: Holm's family by Tarone's refinement (Comparison.holm_family its size, .holm_tested the rows tested);
#    DiffReport.primary and DiffRow.exploratory (--primary). A v5 diff.json still reads.
# 7: DiffReport.one_sided: the measures one side lacks (a run without a judge against a judged one is
#    compared on the checks both ran, not refused). A v6 diff.json still reads.
# 8: Comparison.setup and .prompt_diff: what changed in the pair's responder setup (model, endpoint, parameters,
#    prompt template, recorded version), with the prompt template's unified diff; RunInfo.selection also names
#    a cut by the eval file's own limit:, in the history's words; Comparison.usage (reply length, responder
#    tokens and latency, cost, errors per side: descriptive, not tested); DiffReport.warnings also holds the runs'
#    self-judging notices (the other notices stay in notices). A v7 diff.json still reads.
DIFF_SCHEMA_VERSION = 10
Verdict = Literal["improved", "regressed", "below minimum effect", "no detectable change", "not measured"]
TestName = Literal["mcnemar_exact", "wilcoxon_signed_rank", "none"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunIdentity(_Model):
    """Which run a side comes from: its directory, eval, start time and dataset hash."""

    run_dir: str
    eval_name: str
    started_at: str | None = None
    dataset_sha256: str | None = None


class RunInfo(RunIdentity):
    """Which run one side of the diff comes from."""

    rubric: str | None = Field(None, description="'<id> v<version>', or None for a checks-only run")
    judge_model: str | None = None
    selection: str | None = Field(None, description="The cases the run left out, in the words harness history uses: "
                                                    "the options that chose some of its cases (--cases, --where, "
                                                    "--failing, --limit), and its eval file's own limit when that "
                                                    "left cases out ('the first 10 cases (limit: 10 in the eval "
                                                    "file)'); None for a run of every case. diff.json written "
                                                    "before it left the eval file's limit out")


class LeftOut(_Model):
    """Cases left out of one row's test, by reason. A case counts once, under the first reason that applies."""

    unmatched: int = Field(0, description="the case is on one side only")
    changed: int = Field(0, description="both runs hold the case's id with other content (complaint, persona, "
                                        "policy facts, ...): not compared, named in a notice. Absent from "
                                        "diff.json written before it (read as 0)")
    case_error: int = Field(0, description="a case error (no reply) on either side")
    judge_error: int = Field(0, description="a judge error on this criterion on either side")
    not_applicable: int = Field(0, description="the criterion or check did not apply on either side")
    samples_a: int = Field(0, description="samples of A left out of cases still compared: with several samples "
                                          "per case, a case is compared on the mean of its graded samples (as the "
                                          "scorecard folds them), and a sample with a case error, a judge error or "
                                          "no verdict is counted here; a case with no graded sample on a side is "
                                          "left out whole, under its reason")
    samples_b: int = Field(0, description="samples of B left out of cases still compared (see samples_a)")

    @property
    def errors(self) -> int:
        return self.case_error + self.judge_error


class CaseChange(_Model):
    """One case whose value moved: ``a`` and ``b`` are the case's means over its samples."""

    case_id: str
    a: float
    b: float
    delta: float


def largest_difference(scale: str) -> float:
    """The largest difference a row can show: 100 pp on a pass/fail scale, 4 points on a 1-5 one."""
    return 1.0 if scale == "pass_fail" else 4.0


class DiffRow(_Model):
    """One criterion or check: both values over the same cases, the paired difference, test and verdict."""

    kind: Literal["criterion", "check"]
    name: str
    scale: Literal["pass_fail", "1-5", "other"] = Field(description="pass_fail for checks: values are pass rates")
    n_cases: int = Field(description="cases in the paired test")
    n_units: int | None = Field(None, description="threads the interval and test resample and count, when the "
                                                  "turn cases of one thread are grouped (replay: turns); "
                                                  "None when each case is its own unit")
    n_samples_a: int = 0
    n_samples_b: int = 0
    value_a: float | None = None
    value_b: float | None = None
    difference: float | None = Field(None, description="value_b - value_a")
    ci: Interval | None = Field(None, description="interval of the difference, computed as ci_method says")
    ci_method: Literal["mcnemar_exact", "no_change", "uniform_change", "bootstrap"] | None = Field(
        None, description="mcnemar_exact: Fay & Lumbard's melded interval, which excludes 0 exactly when the "
                          "exact McNemar test rejects (pass/fail rows with one sample per case); no_change: no "
                          "case changed, Clopper-Pearson's bound on the share of cases that could change unseen "
                          "times the scale's largest difference; uniform_change: every case (or thread) moved by "
                          "the same amount d, the same bound on the share that could move otherwise, by up to the "
                          "scale's largest difference either way ((1-r)d ± rR); bootstrap: percentile bootstrap "
                          "resampling cases (or threads)")
    ci_note: str | None = Field(None, description="set when a bootstrap interval disagrees with the row's test "
                                                  "before Holm correction (e.g. it excludes 0 but the test does "
                                                  "not reject); the test decides the verdict")
    test: TestName = "none"
    p_value: float | None = None
    p_holm: float | None = Field(None, description="Holm-adjusted across the rows of this candidate pair that "
                                                   "could be significant (Tarone's family, see "
                                                   "Comparison.holm_family; a row that could not be reads 1); None "
                                                   "on an exploratory row, whose p_value is not adjusted")
    exploratory: bool = Field(False, description="outside the diff's --primary rows (DiffReport.primary): not in "
                                                 "the Holm family, p_holm None, verdict read from the unadjusted "
                                                 "p_value at alpha (a lead to check, not a finding); false "
                                                 "without --primary")
    verdict: Verdict = Field("no detectable change", description="'not measured' when no case was graded on "
                                                                 "both sides (n_cases 0): nothing was tested; "
                                                                 "'below minimum effect' when the change is "
                                                                 "significant but its |difference| is below the "
                                                                 "diff's min_effect for the row's scale")
    verdict_note: str | None = Field(None, description="why a row whose interval excludes 0, or whose p before "
                                                       "correction is below alpha, is still not a verdict, e.g. "
                                                       "'not significant after correcting for 16 comparisons "
                                                       "(p 0.012 before)'; None otherwise")
    mde: float | None = Field(None, description="minimum detectable |difference| at this n, 80% power, two-sided "
                                                "alpha divided by the pair's Holm family (the level its "
                                                "smallest p-value is held to); above the scale's whole range (1 on "
                                                "pass/fail, 4 on 1-5) no difference is detectable at this n")
    # The case (or thread) differences and one case's smallest step, for apply_holm's detectable effect.
    _deltas: Any = PrivateAttr(default=None)
    _step: float = PrivateAttr(default=1.0)
    pass_to_fail: int = Field(0, description="cases that went from pass in A to fail in B (pass/fail rows)")
    fail_to_pass: int = 0
    left_out: LeftOut = Field(default_factory=LeftOut)
    changes: list[CaseChange] = Field(default_factory=list, description="changed cases, largest drop first")


class OneSidedMeasure(_Model):
    """A criterion or check graded in one run only: it has no row, and ``missing_in`` says which side lacks it."""

    kind: Literal["criterion", "check"]
    name: str
    missing_in: Literal["A", "B"] = Field(description="the side that has no value for it")
    why: Literal["no judge", "not judged", "not run"] = Field(description=(
        "no judge: that run had no judge at all (checks only); not judged: its judge graded other criteria of "
        "the rubric; not run: that run did not run the check"))


class Verdicts(_Model):
    """One side's verdicts on one case: check pass/evidence, criterion score/reason."""

    checks: dict[str, "CheckView"] = Field(default_factory=dict)
    criteria: dict[str, "CriterionView"] = Field(default_factory=dict)


class CheckView(_Model):
    passed: bool | None = None
    detail: str = ""
    evidence: list[Span] = Field(default_factory=list)


class CriterionView(_Model):
    score: float | None = None
    passed: bool | None = None
    reason: str = ""
    error: str | None = None
    applicable: bool = True


class ReplyView(_Model):
    """What one side answered on a case (its first sample) and how it was graded."""

    reply: str | None = None
    error: str | None = Field(None, description="the case error, when there is no reply")
    n_samples: int = 1
    verdicts: Verdicts = Field(default_factory=Verdicts)


class CaseView(_Model):
    """A changed case, ready to show side by side."""

    case_id: str
    persona: str | None = None
    category: str | None = None
    turns: list[dict[str, str]] = Field(
        default_factory=list, description="the complaint thread, from cases.jsonl (a tool call: role tool_call, "
                                          "name, content its arguments; a tool result: role tool, name)")
    a: ReplyView | None = None
    b: ReplyView | None = None


class Flips(_Model):
    """Which way the cases of one pair moved, counted per case and measure, whatever the rows' verdicts."""

    worse: int = Field(0, description="changes where B is lower: pass→fail flips (or a lower pass share over a "
                                      "case's samples) and score drops, one per case and measure")
    better: int = Field(0, description="changes where B is higher: fail→pass flips and score rises")
    cases_changed: int = Field(0, description="cases with a change on some measure")
    whole_flips: bool = Field(True, description="every change is a pass→fail or fail→pass flip of one sample "
                                                "(the headline then says pass→fail / fail→pass)")


class SetupChange(_Model):
    """One setting of the pair's responders that differs: ``a`` in run A, ``b`` in run B (None: unset)."""

    what: str = Field(description="model, api_base, a parameter's name (temperature, max_tokens, ...), prompt file, "
                                  "prompt text, recorded replies, candidate (what it is: model or recorded), ...")
    a: str | None = None
    b: str | None = None
    note: str | None = Field(None, description="e.g. '+3 −2 lines' for prompt text, 'same text' for a renamed "
                                               "prompt file")


class PromptDiff(_Model):
    """How the prompt template changed, as unified diff lines (two lines of context, without the file header)."""

    lines: list[str] = Field(default_factory=list)
    added: int = 0
    removed: int = 0
    cut: bool = Field(False, description="the diff was longer than the lines kept")


class UsageSide(_Model):
    """What one side's replies cost over the pair's cases (every sample): descriptive, not tested."""

    records: int = Field(0, description="records (case x sample) of the paired cases on this side")
    replies: int = Field(0, description="of them, records with a reply (no case error)")
    reply_words: float | None = Field(None, description="mean reply length in words, over the replies")
    output_tokens: float | None = Field(None, description="mean responder output (completion) tokens per reply, "
                                                          "over the replies a responder call wrote; None when "
                                                          "none did (recorded replies)")
    latency_p50_s: float | None = Field(None, description="median responder latency in seconds over the records "
                                                          "with a responder call that was not a cache hit")
    latency_p90_s: float | None = None
    responder_cost_per_case: float | None = Field(None, description="responder cost (USD) summed over the "
                                                                    "side's records, per paired case; None "
                                                                    "when some call has no price")
    judge_cost_per_case: float | None = Field(None, description="judging cost (USD) per paired case, likewise")
    case_errors: int = Field(0, description="records with a case error (no reply)")
    judge_errors: int = Field(0, description="criterion verdicts replaced by a judge error, over the compared "
                                             "criteria")


class PairUsage(_Model):
    """Both sides' usage over the cases the pair compares (``n_cases``): descriptive, with no test."""

    n_cases: int = 0
    a: UsageSide = Field(default_factory=UsageSide)
    b: UsageSide = Field(default_factory=UsageSide)


class Comparison(_Model):
    """Candidate ``candidate_a`` of run A against ``candidate_b`` of run B (or of the same run)."""

    candidate_a: str
    candidate_b: str
    rows: list[DiffRow] = Field(default_factory=list)
    holm_family: int = Field(0, description="the size of this pair's Holm family, the multiplier of its smallest "
                                            "p-value: Tarone's, the rows that could be significant (a row where "
                                            "too few cases changed to reach significance whichever way they went "
                                            "neither counts nor is tested); with --primary, of the primary rows "
                                            "only; each pair is its own family, so one candidate's verdicts do not "
                                            "depend on the other candidates compared beside it")
    holm_tested: int | None = Field(None, description="the rows of the family that could be significant at its "
                                                      "level, tested by Holm (at most holm_family; 0 when none "
                                                      "could be); None in diffs written before it was recorded")
    headline: str = Field("", description="the pair's one-line summary, as diff.md and diff.html head it: verdicts, "
                                          "which way cases moved (flips), replies changed with no change in any "
                                          "measure, rows too small to show a change")
    flips: Flips = Field(default_factory=Flips)
    setup: list[SetupChange] = Field(default_factory=list, description=(
        "how candidate_b (run B) was set up differently from candidate_a (run A): model, endpoint, parameters, "
        "prompt template, recorded version; settings that cannot change a reply (concurrency, timeouts, price) are "
        "not compared. Empty when nothing differs, and in diffs written before it"))
    prompt_diff: PromptDiff | None = Field(None, description="the prompt template's diff, when its text changed "
                                                             "and both runs record it (manifest v2)")
    reply_changes: list[str] = Field(default_factory=list, description=(
        "every case graded on both sides whose reply text differs (some sample's, by sample index) while no "
        "measure changed, in case-id order; the first few have a view in cases"))
    cases: dict[str, CaseView] = Field(default_factory=dict, description=(
        "side-by-side views of changed cases: per row, its largest drops and largest rises (25 each by default; "
        "every changed case when a row has no more), and the first reply_changes; every changed case is listed "
        "with its values in its rows' changes"))
    groups: dict[str, list[str | None]] = Field(default_factory=dict, description=(
        "every changed case's [persona, category] (from the case snapshot, or its view), so a page can list and "
        "filter every changed case, not only those with a view"))
    usage: PairUsage | None = Field(None, description=(
        "reply length, responder output tokens and latency, cost per case and error counts of each side over the "
        "pair's cases: descriptive, not tested; None in diffs written before it"))

    @property
    def shares_no_case(self) -> bool:
        """True when the pair has rows but no case was graded on both sides: nothing is measured."""
        return bool(self.rows) and not any(row.n_cases for row in self.rows)


class Regrading(_Model):
    """Which side re-grades the other's replies, and how many of its judge verdicts the response cache answered
    (an earlier answer to the same prompt, repeated: it measures no variation of the judge)."""

    by: Literal["A", "B"] = Field(description="the side that re-grades: B (replies_from A), or A (the re-grade "
                                              "given first)")
    verdicts: int = Field(0, description="the re-grade's verdicts on the compared criteria, in its paired candidates")
    cached: int = Field(0, description="of them, answered from the response cache (harness run --no-cache asks "
                                       "the judge again)")
    all_cached: list[str] = Field(default_factory=list, description=(
        "the compared criteria every verdict of which came from the cache: their rows agree by construction"))


class DiffReport(_Model):
    """The whole diff: sides, comparability, every comparison."""

    schema_version: int = DIFF_SCHEMA_VERSION
    harness_version: str
    created_at: str
    a: RunInfo
    b: RunInfo
    same_run: bool = False
    comparable: bool = True
    differences: list[str] = Field(default_factory=list, description="what differs between the sides' specs")
    regrade: str | None = Field(None, description=(
        "when B re-grades A's replies (replies_from A, every pair B's candidate against the A candidate it "
        "replays), or A re-grades B's (the re-grade given first): the line the diff opens with, naming what changed "
        "in the grading and how many of the re-grade's judge verdicts came from the response cache; the differences "
        "are then what is compared (comparable is true, no warning). None otherwise, and in diffs written before it"))
    regrading: Regrading | None = Field(None, description=(
        "with regrade: which side re-grades and how many of its judge verdicts came from the response cache; "
        "None otherwise, and in diffs written before it"))
    warnings: list[str] = Field(default_factory=list, description="show before any number")
    notices: list[str] = Field(default_factory=list, description="the runs' own notices")
    one_sided: list[OneSidedMeasure] = Field(default_factory=list, description=(
        "the criteria and checks one side lacks (graded in the other run only): they have no row, and a notice "
        "names them; the rows compare the measures both sides have. Empty in diffs written before it"))
    confidence: float = 0.95
    alpha: float = 0.05
    n_resamples: int = 4000
    seed: int = 0
    min_effect: dict[str, float] = Field(default_factory=dict, description=(
        "the practical-significance minimum per scale (--min-effect): pass_fail as a fraction (0.01 = 1 pp), "
        "1-5 in points; a significant row with a smaller |difference| has the verdict 'below minimum effect'"))
    primary: list[str] = Field(default_factory=list, description=(
        "the criteria and checks named by --primary: each pair's Holm family is only these rows, the others are "
        "exploratory (DiffRow.exploratory); empty: every row is in the family"))
    comparisons: list[Comparison] = Field(default_factory=list)


Verdicts.model_rebuild()
