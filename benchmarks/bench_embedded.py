"""Tokens per second of the embedded model through the harness, against llama-cpp-python called directly.

Run: ``.venv/bin/python benchmarks/bench_embedded.py [--cases N] [--max-tokens T] [--rounds R]``.

Two measurements, in one process, on one loaded ``llama_cpp.Llama`` (the harness's shared one):

1. **Generation speed.** The same responder prompts (the shipped complaints, rendered with
   ``evals/prompts/polite-agent.jinja``) go through the harness's whole call path (``Model`` →
   ``EmbeddedProvider``: worker thread, lock, message folding, response parsing; no cache) and
   through ``Llama.create_chat_completion`` directly with the same settings (greedy, the
   provider's seed and message folding, same ``max_tokens``). The two paths alternate per round
   (ABBA), each starting from a reset context, and must produce the same text. Reported: completion
   tokens per second of wall time and CPU seconds of the whole process (llama.cpp's threads
   included) per 100 completion tokens.
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
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from harness.candidates.responders import compile_template, render_system_prompt, thread_messages
from harness.datasets.loader import load_dataset
from harness.judges.prompt import answer_schema, build_judge_messages
from harness.judges.rubric import load_rubric
from harness.models.base import GenerateConfig, Message, ModelSpec
from harness.models.embedded import EMBEDDED_MODEL, SEED, EmbeddedProvider, gemma_messages, shared_llama
from harness.models.model import Model

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


def timed(run) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    tokens, texts = run()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, tokens, texts)


def through_harness(prompts: list[list[Message]], max_tokens: int) -> Timing:
    model = Model(EmbeddedProvider(ModelSpec(name=EMBEDDED_MODEL)), ModelSpec(name=EMBEDDED_MODEL), cache=None)
    config = GenerateConfig(temperature=0.0, max_tokens=max_tokens)

    async def run():
        tokens, texts = 0, []
        for messages in prompts:
            response = await model.generate(messages, config)
            tokens += response.usage.completion_tokens
            texts.append(response.text)
        return tokens, texts

    shared_llama().reset()
    return timed(lambda: asyncio.run(run()))


def direct(prompts: list[list[Message]], max_tokens: int) -> Timing:
    llama = shared_llama()

    def run():
        tokens, texts = 0, []
        for messages in prompts:
            out = llama.create_chat_completion(messages=gemma_messages(messages), temperature=0.0,
                                               max_tokens=max_tokens, seed=SEED, stop=[])
            tokens += out["usage"]["completion_tokens"]
            texts.append(out["choices"][0]["message"]["content"] or "")
        return tokens, texts

    llama.reset()
    return timed(run)


def generation_speed(prompts: list[list[Message]], max_tokens: int, rounds: int) -> None:
    harness_runs: list[Timing] = []
    direct_runs: list[Timing] = []
    for index in range(rounds):
        order = [(through_harness, harness_runs), (direct, direct_runs)]
        for fn, sink in order if index % 2 == 0 else order[::-1]:
            sink.append(fn(prompts, max_tokens))
        h, d = harness_runs[-1], direct_runs[-1]
        same = "same text" if h.texts == d.texts else "TEXT DIFFERS"
        print(f"round {index + 1}: harness {h.tokens_per_s:6.1f} tok/s ({h.cpu_per_100_tokens:.2f} CPU-s/100 tok)"
              f" | direct {d.tokens_per_s:6.1f} tok/s ({d.cpu_per_100_tokens:.2f} CPU-s/100 tok) | {same}")
    h_tps = statistics.median(t.tokens_per_s for t in harness_runs)
    d_tps = statistics.median(t.tokens_per_s for t in direct_runs)
    h_cpu = statistics.median(t.cpu_per_100_tokens for t in harness_runs)
    d_cpu = statistics.median(t.cpu_per_100_tokens for t in direct_runs)
    verdict = "within" if h_tps >= TARGET_RATIO * d_tps else "NOT within"
    print(f"median: harness {h_tps:.1f} tok/s, direct {d_tps:.1f} tok/s: ratio {h_tps / d_tps:.3f} "
          f"({verdict} 10%); CPU per 100 completion tokens: harness {h_cpu:.2f} s, direct {d_cpu:.2f} s")


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
    given = calls = 0
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
                calls += 1
    finally:
        del llama.eval
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    # Evaluated tokens include the generated ones fed back one by one; count prompt-side work only.
    print(f"judge calls: {calls} over {len(cases)} cases; prompt tokens given {given}, tokens llama.cpp evaluated "
          f"{evaluated[0]} (prompt and generated) -> {100 * (1 - evaluated[0] / given):.0f}% fewer than "
          f"re-reading every prompt; {wall:.1f} s wall, {cpu:.1f} s CPU, {wall / calls:.2f} s per call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=8, help="responder prompts per round")
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--judge-cases", type=int, default=4, help="cases for the prefix-reuse count (0: skip)")
    args = parser.parse_args()
    load_started = time.perf_counter()
    shared_llama()
    print(f"model loaded in {time.perf_counter() - load_started:.1f} s")
    prompts = responder_prompts(args.cases)
    direct(prompts[:1], 8)  # warm-up: first-call allocations are nobody's cost
    generation_speed(prompts, args.max_tokens, args.rounds)
    if args.judge_cases:
        prefix_reuse(args.judge_cases)


if __name__ == "__main__":
    main()
