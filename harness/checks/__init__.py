"""Deterministic checks: a registry of small text checks that return verdicts with evidence."""

from harness.checks.base import Check, CheckContext, CheckResult, Span, register, registry

__all__ = ["Check", "CheckContext", "CheckResult", "Span", "register", "registry"]
