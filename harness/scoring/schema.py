"""The persisted shape of ``scorecard.json``: the numbers of one run.

Every statistic carries its ``n``; every interval is ``None`` where it is
undefined (no values, or one value for a mean), never NaN. Errors are counted
beside the scores, never folded into them. Readers refuse a ``schema_version``
newer than :data:`SCORECARD_SCHEMA_VERSION`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# 2: CallSummary.retries, .rate_limited and .deployments (calls per deployment). A v1 file still reads.
# 3: CandidateScores.threads: with turn-level replay, each thread counted once (every turn passed, the final
#    turn, each thread weighing 1); RunIdentity.description and .candidate_setups (what each candidate is). A v2
#    file still reads.
# 4: CandidateScores.by_perturbation and .robustness (an eval's `perturb`: each variant paired with its original);
#    with `perturb`, a candidate's criteria, checks and persona/category breakdowns are over the original cases
#    only. A v3 file still reads.
# 5: CandidateScores.all_pass (the share of cases where every check that applied and every judged criterion
#    passed) and .n_all_pass_errors (cases with an error, counted apart). A v4 file still reads (no row shown).
# 6: breakdowns by any case field (an eval's `breakdowns`) and RunIdentity.overrides (--model, --set ...).
# 7: Scorecard.feedback (an eval's `feedback` keys: customer scores such as CSAT, each check and criterion
#    against them; values told apart only by case or spaces folded, look-alikes listed). A v6 file still reads (no
#    section shown).
SCORECARD_SCHEMA_VERSION = 7


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Interval(_Model):
    """A closed confidence interval."""

    lo: float
    hi: float


class MeanStat(_Model):
    """A mean score with its confidence interval over ``n`` values."""

    mean: float | None = None
    ci: Interval | None = None
    n: int = 0


class RateStat(_Model):
    """A pass rate ``passed / n`` with its Wilson interval."""

    passed: int = 0
    n: int = 0
    rate: float | None = None
    ci: Interval | None = None


class CriterionSummary(_Model):
    """One judge criterion for one candidate. Errored and not-applicable verdicts are excluded from both stats."""

    score: MeanStat = Field(default_factory=MeanStat)
    pass_rate: RateStat = Field(default_factory=RateStat)
    n_not_applicable: int = 0
    n_errors: int = 0
    errors_by_kind: dict[str, int] = Field(default_factory=dict)
    weighted_score: MeanStat | None = Field(
        None, description="Mean of the probability-weighted scores (G-Eval), over the verdicts that had one; "
                          "present when any did")


class CheckSummary(_Model):
    """One deterministic check for one candidate. ``pass_rate.n`` counts the records it applied to."""

    pass_rate: RateStat = Field(default_factory=RateStat)
    n_not_applicable: int = Field(0, description="passed was None; includes crashed checks")
    n_crashed: int = Field(0, description="the check raised; recorded as not applicable")


class GroupBreakdown(_Model):
    """Per-criterion means and per-check pass rates over the records of one group (a persona, a category, a value of
    a case field)."""

    n_records: int = 0
    criteria: dict[str, MeanStat] = Field(default_factory=dict)
    checks: dict[str, RateStat] = Field(default_factory=dict)


class FieldInfo(_Model):
    """How the records were grouped by a case field they do not carry (an eval's ``breakdowns``)."""

    kind: Literal["text", "number"] = Field("text", description="number: every value the cases have is one")
    n_values: int = Field(0, description="different values among the run's cases")
    groups: list[str] = Field(default_factory=list, description=(
        "the groups in the order tables show them: text by how many cases have the value (most first), numbers "
        "in numeric order, then the pooled group; records whose case has no value are in \"(none)\""))
    n_pooled_values: int = Field(0, description="values past the 20 most frequent, pooled as \"(other N values)\"")
    note: str | None = Field(None, description="what the table cannot show: values pooled, or numbers too many "
                                               "to group (no groups then: bin them in the dataset)")


class PairedShift(_Model):
    """One check or criterion over the pairs (original, perturbed variant) where both have a verdict."""

    n: int = Field(0, description="pairs")
    original: float | None = Field(None, description="the originals' pass rate (checks) or mean score (criteria)")
    variant: float | None = None
    diff: float | None = Field(None, description="variant - original, paired")
    ci: Interval | None = Field(None, description="checks: McNemar-consistent exact interval; criteria: case "
                                                  "bootstrap (as the diff's)")


class RobustnessKind(_Model):
    """One kind of perturbation: each variant's verdicts beside its original's."""

    n_pairs: int = Field(0, description="cases whose original and variant both have a reply")
    checks: dict[str, PairedShift] = Field(default_factory=dict)
    criteria: dict[str, PairedShift] = Field(default_factory=dict)


class ThreadMeasure(_Model):
    """One check or criterion over threads (turn-level replay), each thread counted once."""

    every_turn: RateStat = Field(default_factory=RateStat, description=(
        "threads where it passed at every turn it applied to, out of the threads where it applied at some turn"))
    final_turn: RateStat = Field(default_factory=RateStat, description=(
        "threads where it passed at the thread's final agent turn, out of those where it applied there"))
    thread_weighted: float | None = Field(None, description=(
        "the mean over threads of each thread's pass share across its turns: each thread weighs 1, however "
        "many turns it has (the turn-case figures weigh a thread by its turns)"))


class ThreadBreakdown(_Model):
    """With turn-level replay: the run's threads, each counted once (a turn case's samples must all pass)."""

    n_threads: int = 0
    n_turn_cases: int = 0
    largest_thread: str | None = Field(None, description="the thread with the most turn cases")
    largest_share: float | None = Field(None, description="its share of the turn cases: how much one thread "
                                                          "weighs in every turn-case figure")
    clean: RateStat = Field(default_factory=RateStat, description=(
        "threads with no case error, judge error or failed check or criterion at any turn"))
    checks: dict[str, ThreadMeasure] = Field(default_factory=dict)
    criteria: dict[str, ThreadMeasure] = Field(default_factory=dict)


class Latency(_Model):
    """Latency percentiles in seconds over ``n`` live (not cached) calls."""

    n: int
    p50: float
    p90: float
    p99: float


class CallSummary(_Model):
    """Model usage summed over a candidate's records for one role (responder or judge)."""

    calls: int = 0
    cache_hits: int = 0
    retries: int = Field(0, description="Of the calls, those that repeated a failed attempt.")
    rate_limited: int = Field(0, description="Attempts answered with a rate limit (429), retried or not.")
    deployments: dict[str, int] = Field(default_factory=dict, description="With a model spread over deployments: "
                                        "calls per deployment that answered.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = Field(None, description="Sum of known costs; None when no record knew a cost.")
    n_unpriced: int = Field(0, description="Records that made calls in this role at no known price (a model missing "
                                           "from the price list, a custom endpoint); cost_usd leaves them out. A "
                                           "local model's calls are priced at 0.")
    latency: Latency | None = None


class EpochStat(_Model):
    """How one criterion or check behaved across a candidate's samples (epochs) of each case."""

    reduced: MeanStat = Field(default_factory=MeanStat,
                              description="mean over cases of the reducer's per-case pass value, t interval over "
                                          "cases (every case with at least one graded sample)")
    pass_hat_k: dict[str, float] = Field(default_factory=dict,
                                         description="k -> mean of C(c,k)/C(n,k) (tau-bench pass^k) over the "
                                                     "n_complete cases: every k over the same cases")
    consistency: float | None = Field(None, description="share of the n_complete cases whose samples all agreed")
    n_cases: int = Field(0, description="cases with at least one graded sample on this measure")
    n_complete: int = Field(0, description="cases with every one of the epochs' samples graded on this measure: "
                                           "pass^k and consistency count these only")


class EpochSummary(_Model):
    """Consistency across epochs of one candidate; its other figures count one reduced record per case."""

    epochs: int
    reducer: str
    n_cases: int = Field(0, description="cases with at least one sample that did not end in a case error")
    n_samples: int = Field(0, description="records (samples) of the candidate, errored ones included")
    n_sample_errors: int = Field(0, description="samples that ended in a case error (no reply), counted in every "
                                                "case, including the cases where every sample errored")
    sample_errors_by_kind: dict[str, int] = Field(default_factory=dict)
    criteria: dict[str, EpochStat] = Field(default_factory=dict)
    checks: dict[str, EpochStat] = Field(default_factory=dict)


class VerbosityProbe(_Model):
    """Spearman's rho between reply length (characters) and judge score, over ``n`` scored replies."""

    rho: float | None = Field(None, description="None when undefined (n < 2, or lengths or scores all equal)")
    n: int = 0


class CandidateScores(_Model):
    """Everything measured about one candidate."""

    name: str
    n_records: int = 0
    n_case_errors: int = 0
    case_errors_by_kind: dict[str, int] = Field(default_factory=dict)
    criteria: dict[str, CriterionSummary] = Field(default_factory=dict)
    checks: dict[str, CheckSummary] = Field(default_factory=dict)
    judge_errors_by_criterion: dict[str, int] = Field(default_factory=dict)
    judge_errors_by_kind: dict[str, int] = Field(default_factory=dict)
    by_persona: dict[str, GroupBreakdown] = Field(default_factory=dict)
    by_category: dict[str, GroupBreakdown] = Field(default_factory=dict)
    by_field: dict[str, dict[str, GroupBreakdown]] = Field(
        default_factory=dict, description="With an eval's `breakdowns`: per case field the records do not carry "
                                          "(`metadata.channel`), per group (Scorecard.fields says which)")
    by_turn: dict[str, GroupBreakdown] = Field(
        default_factory=dict, description="With turn-level replay: by the 1-based agent turn of the thread "
                                          "(`\"1\"`, `\"2\"`, ...), in turn order")
    threads: ThreadBreakdown | None = Field(None, description="With turn-level replay: each thread counted once")
    by_perturbation: dict[str, GroupBreakdown] = Field(
        default_factory=dict, description="With `perturb`: the variants of each kind (not in criteria/checks)")
    robustness: dict[str, RobustnessKind] = Field(
        default_factory=dict, description="With `perturb`: per kind, each variant paired with its original")
    responder: CallSummary = Field(default_factory=CallSummary)
    judging: CallSummary = Field(default_factory=CallSummary)
    apology_forms: dict[str, int] = Field(default_factory=dict,
                                          description="apology_wording data['form'] -> count")
    epochs: EpochSummary | None = Field(None, description="present when the candidate ran more than one epoch")
    all_pass: RateStat | None = Field(
        None, description="Cases (records, epochs reduced) where every check that applied and every judged "
                          "criterion passed (a 1-5 criterion at its pass_threshold), out of the cases with at "
                          "least one verdict and no error; None in a file written before schema 5")
    n_all_pass_errors: int = Field(0, description="cases left out of all_pass: a case, judge or check error")


class CriterionInfo(_Model):
    """How a criterion is scored, copied from the rubric."""

    scale: str | None = None
    pass_threshold: int | None = None
    applies_when: str | None = None


class RunIdentity(_Model):
    """The manifest fields that identify the run a scorecard describes."""

    eval_name: str
    description: str | None = Field(None, description="The eval file's `description:`, when it has one")
    overrides: list[str] = Field(default_factory=list, description="The command-line options that changed the "
                                 "eval file (--model, --judge-model, --set): the manifest's eval_spec.overrides")
    candidate_setups: dict[str, str] = Field(
        default_factory=dict, description="Each candidate's setup in a few words (model, parameters, prompt file; "
                                          "or its recorded or replayed replies), in manifest order")
    harness_version: str | None = None
    git_revision: str | None = None
    status: str | None = None
    dataset_path: str | None = None
    dataset_sha256: str | None = None
    n_cases: int | None = None
    n_selected: int | None = None
    replay: str | None = Field(None, description="`turns` when each agent turn of a thread was its own case")
    n_threads: int | None = Field(None, description="With turn-level replay: threads the selected cases came from")
    selection: str | None = Field(None, description="The options that selected the run's cases (--cases, --where, "
                                                    "--failing), when any was given")
    rubric_id: str | None = None
    rubric_version: str | None = None
    rubric_sha256: str | None = None
    judge_model: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class AgreementStat(_Model):
    """An agreement statistic with its percentile-bootstrap interval over panel verdicts; None where undefined."""

    value: float | None = None
    ci: Interval | None = None


class PanelPair(_Model):
    """Two panellists' agreement on one criterion, over the ``n`` verdicts both gave."""

    a: str
    b: str
    n: int = 0
    cohen_kappa: AgreementStat = Field(default_factory=AgreementStat,
                                       description="on pass/fail (1-5 scales cut at the pass threshold)")
    raw_agreement: AgreementStat = Field(default_factory=AgreementStat, description="share of equal scores")


class PanelCriterion(_Model):
    """Inter-judge agreement of a panel on one criterion, over every candidate's verdicts pooled."""

    n_units: int = Field(0, description="verdicts (case x candidate x sample) scored by two panellists or more")
    alpha_level: str = Field("ordinal", description="Krippendorff level: ordinal on 1-5, nominal on pass/fail")
    krippendorff_alpha: AgreementStat = Field(default_factory=AgreementStat)
    krippendorff_alpha_interval: AgreementStat | None = Field(None, description="interval level, 1-5 scales")
    raw_agreement: AgreementStat = Field(default_factory=AgreementStat,
                                         description="share of verdicts on which every panellist gave the same score")
    pairs: list[PanelPair] = Field(default_factory=list)
    votes: dict[str, int] = Field(default_factory=dict,
                                  description="panellists whose verdict counted -> aggregate verdicts with that many")


class PanelSummary(_Model):
    """A judge panel: who sat on it, how they agreed, and each panellist's own means."""

    panellists: list[str]
    aggregate: str | None = None
    resamples: int = Field(0, description="bootstrap resamples behind the intervals (0: none, too few verdicts)")
    criteria: dict[str, PanelCriterion] = Field(default_factory=dict)
    means: dict[str, dict[str, dict[str, MeanStat]]] = Field(
        default_factory=dict, description="candidate -> criterion -> panellist -> that panellist's own mean score")


class Scorecard(_Model):
    """The numbers of one run, per candidate, with the run's identity and notices."""

    schema_version: int = SCORECARD_SCHEMA_VERSION
    run: RunIdentity | None = None
    notices: list[str] = Field(default_factory=list,
                               description="Warnings copied from the manifest; show them before any number.")
    confidence: float = 0.95
    interval_method: Literal["t", "bootstrap"] = "t"
    n_records: int = 0
    criteria: dict[str, CriterionInfo] = Field(default_factory=dict, description="In rubric order.")
    checks: list[str] = Field(default_factory=list)
    candidates: dict[str, CandidateScores] = Field(default_factory=dict, description="In manifest order.")
    breakdowns: list[str] | None = Field(
        None, description="The case fields results are broken down by, in the eval's order (its `breakdowns`); "
                          "None in a file written before there was a choice: persona, category")
    fields: dict[str, FieldInfo] = Field(
        default_factory=dict, description="Each breakdown by a field the records do not carry: how it was grouped")
    verbosity: dict[str, VerbosityProbe] | None = Field(
        None, description="Per criterion, over every candidate's scored replies: does the judge's score follow "
                          "reply length? Present when any reply was scored.")
    panel: PanelSummary | None = Field(None, description="Present when a judge panel graded the run.")
    # Left out of the file when None: a scorecard without feedback keys reads byte for byte as before.
    feedback: FeedbackSection | None = Field(
        None, exclude_if=lambda value: value is None, description="With an eval's `feedback` keys (a CSAT score, a thumbs up): each key's summary per "
                          "candidate, and how far each check and criterion agrees with it. None without.")


from harness.scoring.feedback_schema import FeedbackSection  # noqa: E402  (it builds on the models above)

Scorecard.model_rebuild()
