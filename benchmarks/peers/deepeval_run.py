"""DeepEval run for benchmarks/bench_peers.py: one responder call and one GEval judge call per case.

Run by the script with the DeepEval venv's python: ``deepeval_run.py CASES BASE_URL CONCURRENCY``.
DeepEval does not call the model under test itself (a DeepEval user produces ``actual_output``
first), so the responder calls go through the openai SDK's AsyncOpenAI (DeepEval's own dependency),
``CONCURRENCY`` at a time; then ``deepeval.evaluate`` scores every case with one GEval metric whose
``evaluation_steps`` are given (so it does not ask the model for them: one judge call per case),
judged by DeepEval's GPTModel pointed at the mock, ``max_concurrent=CONCURRENCY``, cache off.
"""

import asyncio
import json
import sys

from openai import AsyncOpenAI

from deepeval import evaluate
from deepeval.evaluate.configs import AsyncConfig, CacheConfig, DisplayConfig
from deepeval.metrics import GEval
from deepeval.models import GPTModel
from deepeval.test_case import LLMTestCase, LLMTestCaseParams

JUDGE_MODEL = "gpt-4.1"  # a name DeepEval knows (costs, log-prob support); the mock answers any name


async def respond(cases: list[dict], base_url: str, concurrency: int) -> list[str]:
    client = AsyncOpenAI(base_url=base_url, api_key="sk-bench")
    gate = asyncio.Semaphore(concurrency)

    async def one(case: dict) -> str:
        async with gate:
            answer = await client.chat.completions.create(
                model="bench-model", temperature=0, max_tokens=120,
                messages=[{"role": "system", "content": case["system"]},
                          {"role": "user", "content": case["conversation"]}])
            return answer.choices[0].message.content or ""

    try:
        return await asyncio.gather(*(one(case) for case in cases))
    finally:
        await client.close()


def main() -> None:
    cases_path, base_url, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cases = [json.loads(line) for line in open(cases_path) if line.strip()]
    replies = asyncio.run(respond(cases, base_url, concurrency))
    test_cases = [LLMTestCase(name=case["id"], input=case["conversation"], actual_output=reply)
                  for case, reply in zip(cases, replies)]
    metric = GEval(
        name="acknowledgement",
        evaluation_steps=[cases[0]["rubric"]],
        evaluation_params=[LLMTestCaseParams.INPUT, LLMTestCaseParams.ACTUAL_OUTPUT],
        model=GPTModel(model=JUDGE_MODEL, base_url=base_url, api_key="sk-bench"),
    )
    result = evaluate(
        test_cases=test_cases, metrics=[metric],
        async_config=AsyncConfig(run_async=True, max_concurrent=concurrency),
        display_config=DisplayConfig(print_results=False, show_indicator=False),
        cache_config=CacheConfig(write_cache=False, use_cache=False),
    )
    scored = sum(1 for test in result.test_results if test.metrics_data and test.metrics_data[0].score is not None)
    print(f"deepeval: {len(test_cases)} cases, {scored} scored", file=sys.stderr)
    if scored != len(test_cases):
        sys.exit(1)


if __name__ == "__main__":
    main()
