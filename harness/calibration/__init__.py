"""Calibration: how far a judge's (or a check's) verdicts agree with human labels.

``labels`` reads the documented JSONL label format, ``agreement`` holds the
statistics, ``bootstrap`` their intervals, ``calibrate`` pairs a run's records
with labels into a :class:`~harness.calibration.schema.CalibrationReport`.
"""
