"""Inspect AI task for benchmarks/bench_peers.py: one generate() call and one model_graded_qa call per sample.

Run by the script as ``inspect eval inspect_task.py -T dataset=cases.jsonl --model openai/bench-model
--max-connections 32 ...`` with OPENAI_BASE_URL pointed at the mock server. The sample's target is
the rubric (it carries the mock's judge marker), which model_graded_qa puts in its grading prompt
as the criterion; the grader is the task's model (no grader role is bound).
"""

from inspect_ai import Task, task
from inspect_ai.dataset import Sample, json_dataset
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.scorer import model_graded_qa
from inspect_ai.solver import generate


def _sample(record: dict) -> Sample:
    return Sample(
        id=record["id"],
        input=[ChatMessageSystem(content=record["system"]), ChatMessageUser(content=record["conversation"])],
        target=record["rubric"],
    )


@task
def support_bench(dataset: str) -> Task:
    return Task(
        dataset=json_dataset(dataset, _sample),
        solver=generate(),
        scorer=model_graded_qa(),
        config=GenerateConfig(temperature=0, max_tokens=120),
    )
