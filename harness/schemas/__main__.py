"""``python -m harness.schemas``: regenerate the shipped JSON Schema files."""

from harness.schemas import export_all

for written in export_all():
    print(written)
