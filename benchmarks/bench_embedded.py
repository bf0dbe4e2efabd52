"""Tokens per second of the embedded model through the harness, against llama-cpp-python called directly.

Run: ``.venv/bin/python benchmarks/bench_embedded.py [--cases N] [--max-tokens T] [--rounds R]``.

Two measurements, in one process, on one loaded ``llama_cpp.Llama`` (the harness's shared one):

1. **Harness overhead per call**, with llama.cpp's work replaced by a canned answer: what the
   harness's call path (``Model`` → ``EmbeddedProvider``: worker-thread hop, lock, message
   folding, response parsing; no cache) adds to one call.
   **Generation speed.** The same responder prompts (the shipped complaints, rendered with
   ``evals/prompts/polite-agent.jinja``) through that path, and through
   ``Llama.create_chat_completion`` called directly with the same settings (greedy, the
   provider's seed and message folding, same ``max_tokens``), from a long-lived worker thread
   (like for like: the provider calls llama.cpp from the event loop's worker thread) and from the
   main thread. Each prompt goes through every path back to back, the order rotating, from a reset
   context, and all must produce the same text. Reported: completion tokens per second of wall
   time (prompt evaluation included) and CPU seconds of the whole process (llama.cpp's OpenMP
   threads included) per 100 completion tokens.
2. **Prompt-prefix reuse.** A judge run's calls (every criterion of the shipped rubric for each case,
   one case after another, as the engine orders them for an in-process model) through the provider,
   counting the tokens llama.cpp actually evaluates against the prompt tokens it was given. The
   difference is the shared prefix served from the kept KV state.

Timings on a shared 2-core machine are noisy: the medians of the rounds are printed, and the CPU
figure is the steadier one.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Measure the tree this script is in, not whichever one the virtualenv's editable install points at
# (run from another checkout with the same venv, `import harness` would find that one).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.candidates.responders import compile_template, render_system_prompt, thread_messages  # noqa: E402
from harness.datasets.loader import load_dataset  # noqa: E402
from harness.judges.prompt import answer_schema, build_judge_messages  # noqa: E402
from harness.judges.rubric import load_rubric  # noqa: E402
from harness.models.base import GenerateConfig, Message, ModelSpec  # noqa: E402
from harness.models.embedded import EMBEDDED_MODEL, SEED, EmbeddedProvider, gemma_messages, shared_llama  # noqa: E402
from harness.models.model import Model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.9  # the harness path keeps at least 90% of the direct tokens/s


@dataclass
class Timing:
    wall_s: float
    cpu_s: float
    completion_tokens: int
    texts: list[str]

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.wall_s

    @property
    def cpu_per_100_tokens(self) -> float:
        return 100 * self.cpu_s / self.completion_tokens


def responder_prompts(n: int) -> list[list[Message]]:
    cases = load_dataset(ROOT / "datasets" / "complaints.jsonl").cases[:n]
    template = compile_template((ROOT / "evals" / "prompts" / "polite-agent.jinja").read_text(), "polite-agent")
    return [[Message(role="system", content=render_system_prompt(template, case)), *thread_messages(case)]
            for case in cases]


# One event loop for every harness call, as in a run: its worker thread (where the provider calls
# llama.cpp) lives across calls. The direct path is timed both from a long-lived worker thread (the
# like-for-like comparison) and from the main thread.
_LOOP = asyncio.Runner()
_THREAD = concurrent.futures.ThreadPoolExecutor(max_workers=1)


def harness_call(model: Model, messages: list[Message], max_tokens: int) -> tuple[int, str]:
    config = GenerateConfig(temperature=0.0, max_tokens=max_tokens)
    response = _LOOP.run(model.generate(messages, config))
    return response.usage.completion_tokens, response.text


def direct_in_thread(messages: list[Message], max_tokens: int) -> tuple[int, str]:
    return _THREAD.submit(direct_call, messages, max_tokens).result()


def direct_call(messages: list[Message], max_tokens: int) -> tuple[int, str]:
    out = shared_llama().create_chat_completion(messages=gemma_messages(messages), temperature=0.0,
                                                max_tokens=max_tokens, seed=SEED, stop=[])
    return out["usage"]["completion_tokens"], out["choices"][0]["message"]["content"] or ""


def timed(run) -> Timing:
    shared_llama().reset()  # every call evaluates its whole prompt, on both paths
    wall, cpu = time.perf_counter(), time.process_time()
    tokens, text = run()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, tokens, [text])


def embedded_model() -> Model:
    spec = ModelSpec(name=EMBEDDED_MODEL)
    return Model(EmbeddedProvider(spec), spec, cache=None)


PATHS = ("harness", "direct, worker thread", "direct, main thread")


def generation_speed(prompts: list[list[Message]], max_tokens: int, rounds: int) -> None:
    """Each prompt through every path back to back (order rotating), so all see the same machine load."""
    model = embedded_model()
    calls = {"harness": lambda m: harness_call(model, m, max_tokens),
             "direct, worker thread": lambda m: direct_in_thread(m, max_tokens),
             "direct, main thread": lambda m: direct_call(m, max_tokens)}
    runs: dict[str, list[Timing]] = {path: [] for path in PATHS}
    for index in range(rounds):
        for number, messages in enumerate(prompts):
            shift = (index * len(prompts) + number) % len(PATHS)
            for path in PATHS[shift:] + PATHS[:shift]:
                runs[path].append(timed(lambda: calls[path](messages)))
        texts = {path: [t.texts for t in runs[path][-len(prompts):]] for path in PATHS}
        same = "same text" if len({str(t) for t in texts.values()}) == 1 else "TEXT DIFFERS"
        print(f"round {index + 1}: " + " | ".join(
            f"{path} {total(runs[path][-len(prompts):]).tokens_per_s:5.2f} tok/s "
            f"({total(runs[path][-len(prompts):]).cpu_per_100_tokens:.1f} CPU-s/100 tok)" for path in PATHS)
            + f" | {same}", flush=True)
    sums = {path: total(runs[path]) for path in PATHS}
    ours, theirs = sums["harness"], sums["direct, worker thread"]
    ratios = sorted(d.wall_s / h.wall_s for h, d in zip(runs["harness"], runs["direct, worker thread"]))
    verdict = "within" if ours.tokens_per_s >= TARGET_RATIO * theirs.tokens_per_s else "NOT within"
    print(f"all {len(ratios)} prompts: " + ", ".join(
        f"{path} {sums[path].tokens_per_s:.2f} tok/s and {sums[path].cpu_per_100_tokens:.1f} CPU-s per 100 tokens"
        for path in PATHS))
    print(f"harness / direct (worker thread): {ours.tokens_per_s / theirs.tokens_per_s:.3f} ({verdict} 10%); "
          f"per-prompt ratio median {statistics.median(ratios):.3f} (range {ratios[0]:.2f}-{ratios[-1]:.2f})")


def total(timings: list[Timing]) -> Timing:
    return Timing(sum(t.wall_s for t in timings), sum(t.cpu_s for t in timings),
                  sum(t.completion_tokens for t in timings), [x for t in timings for x in t.texts])


def overhead_per_call(prompts: list[list[Message]], calls: int = 300) -> None:
    """The harness path's own cost per call, with llama.cpp's work replaced by a canned answer."""
    llama = shared_llama()
    canned = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
    llama.create_chat_completion = lambda **kwargs: canned
    model = embedded_model()
    try:
        results = {}
        for label, run in (("harness", lambda m: harness_call(model, m, 8)), ("direct", lambda m: direct_call(m, 8))):
            wall, cpu = time.perf_counter(), time.process_time()
            for i in range(calls):
                run(prompts[i % len(prompts)])
            results[label] = ((time.perf_counter() - wall) / calls, (time.process_time() - cpu) / calls)
    finally:
        del llama.create_chat_completion
    extra_wall = (results["harness"][0] - results["direct"][0]) * 1000
    extra_cpu = (results["harness"][1] - results["direct"][1]) * 1000
    print(f"harness overhead per call (llama.cpp stubbed out, {calls} calls): {extra_wall:.2f} ms wall, "
          f"{extra_cpu:.2f} ms CPU (Model wrapper, worker-thread hop, message folding, response parsing)")


def prefix_reuse(n_cases: int) -> None:
    """Prompt tokens given vs evaluated over a judge run's call sequence (the rest came from the KV cache)."""
    llama = shared_llama()
    rubric = load_rubric(ROOT / "rubrics" / "support-reply.yaml")
    cases = load_dataset(ROOT / "datasets" / "complaints.jsonl").cases[:n_cases]
    evaluated = [0]
    original_eval = llama.eval

    def counting_eval(tokens):
        evaluated[0] += len(tokens)
        return original_eval(tokens)

    provider = EmbeddedProvider(ModelSpec(name=EMBEDDED_MODEL))
    given = calls = generated = 0
    llama.reset()
    llama.eval = counting_eval
    started, cpu = time.perf_counter(), time.process_time()
    try:
        for case in cases:
            reply = case.recorded_replies.get("bot-v2") or next(iter(case.recorded_replies.values()), "Sorry.")
            for criterion in rubric.criteria:
                messages = build_judge_messages(case, reply, criterion)
                config = GenerateConfig(temperature=0.0, response_schema=answer_schema(criterion))
                response = asyncio.run(provider.generate(messages, config))
                given += response.usage.prompt_tokens
                generated += response.usage.completion_tokens
                calls += 1
    finally:
        del llama.eval
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    # Evaluated tokens include the generated ones, fed back one by one: take them out.
    prompt_side = evaluated[0] - generated
    print(f"judge calls: {calls} over {len(cases)} cases; prompt tokens given {given} ({given / calls:.0f} per call), "
          f"of which llama.cpp evaluated {prompt_side} ({prompt_side / calls:.0f} per call, "
          f"{100 * prompt_side / given:.0f}%); the other {100 * (1 - prompt_side / given):.0f}% came from the kept KV "
          f"prefix; {generated} tokens generated; {wall:.1f} s wall, {cpu:.1f} s CPU, {wall / calls:.2f} s per call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=4, help="responder prompts per round")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--judge-cases", type=int, default=4, help="cases for the prefix-reuse count (0: skip)")
    parser.add_argument("--spinning-openmp", action="store_true",
                        help="keep OpenMP's default spin-waiting (the provider asks for sleeping threads)")
    args = parser.parse_args()
    if args.spinning_openmp:
        os.environ["OMP_WAIT_POLICY"] = ""  # set but empty: libgomp keeps its default, the provider leaves it
    load_started = time.perf_counter()
    shared_llama()
    print(f"model loaded in {time.perf_counter() - load_started:.1f} s; "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY') or '(libgomp default: spin, then sleep)'}")
    prompts = responder_prompts(args.cases)
    direct_call(prompts[0], 8)  # warm-up: first-call allocations are nobody's cost
    overhead_per_call(prompts)
    generation_speed(prompts, args.max_tokens, args.rounds)
    if args.judge_cases:
        prefix_reuse(args.judge_cases)


if __name__ == "__main__":
    main()
