"""The text-overlap scores the reference checks use (:mod:`harness.checks.reference`), in plain Python.

Each compares a reply with a reference reply and says how close they are, from 0 (nothing shared) to 1 (the
same). They are small and exact on purpose, so a test can compute the expected value by hand:

- ROUGE-L: the F-measure (beta 1) of the longest common subsequence of words;
- Levenshtein: the edit distance in characters, and the similarity ``1 - distance / longer length``;
- BLEU: sentence BLEU over 1- to 4-grams with uniform weights and the brevity penalty, the 2- to 4-gram
  precisions smoothed by adding 1 to their counts (Lin and Och 2004), so a short reply with no 4-gram in
  common does not score 0; the unigram precision is not smoothed (a reply sharing no word scores 0).

Words are lower-cased runs of letters and digits (``\\w+``): punctuation and letter case do not count, as in
the usual ROUGE and BLEU tokenisers. Levenshtein compares the texts as written, surrounding whitespace aside.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"\w+")
BLEU_ORDER = 4


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``."""
    return _WORD.findall(text.lower())


def _lcs_length(a: list[str], b: list[str]) -> int:
    # One row of the dynamic programme at a time: replies run to hundreds of words.
    previous = [0] * (len(b) + 1)
    for item in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if item == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(reply: str, reference: str) -> float:
    """ROUGE-L F-measure: ``2PR / (P + R)`` with P = LCS / reply words, R = LCS / reference words."""
    got, want = words(reply), words(reference)
    if not got or not want:
        return 1.0 if got == want else 0.0
    common = _lcs_length(got, want)
    if common == 0:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def levenshtein(a: str, b: str) -> int:
    """The edit distance between ``a`` and ``b``: insertions, deletions and substitutions of a character."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]


def levenshtein_similarity(reply: str, reference: str) -> tuple[float, int]:
    """``(1 - distance / longer length, distance)``, the texts stripped of surrounding whitespace."""
    a, b = reply.strip(), reference.strip()
    distance = levenshtein(a, b)
    longer = max(len(a), len(b))
    return (1.0 if longer == 0 else 1 - distance / longer), distance


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu(reply: str, reference: str) -> float:
    """Sentence BLEU of ``reply`` against one ``reference`` (see the module docstring for the smoothing)."""
    got, want = words(reply), words(reference)
    if not got or not want:
        return 1.0 if got == want else 0.0
    log_sum = 0.0
    for n in range(1, BLEU_ORDER + 1):
        candidate, wanted = _ngrams(got, n), _ngrams(want, n)
        matched = sum(min(count, wanted[gram]) for gram, count in candidate.items())
        total = sum(candidate.values())
        if n > 1:
            matched, total = matched + 1, total + 1
        if matched == 0:
            return 0.0
        log_sum += math.log(matched / total) / BLEU_ORDER
    penalty = 1.0 if len(got) > len(want) else math.exp(1 - len(want) / len(got))
    return penalty * math.exp(log_sum)


def cosine(a: list[float], b: list[float]) -> float:
    """The cosine of the angle between two vectors (0 when either is all zeros)."""
    if len(a) != len(b):
        raise ValueError(f"embeddings of different lengths ({len(a)} and {len(b)})")
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return 0.0 if norm == 0 else dot / norm
