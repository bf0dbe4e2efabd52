"""harness export --excel writes the CSV as Excel's own "CSV UTF-8" does (a byte-order mark, CRLF row ends),
so Arabic, CJK and emoji in a reply open readable in Excel on Windows; plain CSV stays without the mark."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

from harness.report.export import is_export
from tests.cli.conftest import harness_cmd

REPLY = "شكراً لتواصلك — 退款已处理 🎉 =SUM(A1)"
ROW = {"id": "a", "turns": [{"role": "customer", "content": "أين طلبي؟ 我的订单在哪里？ 😡"}],
       "recorded_replies": {"v1": REPLY}}


def project(root: Path) -> Path:
    (root / "cases.jsonl").write_text(json.dumps(ROW, ensure_ascii=False) + "\n", encoding="utf-8")
    (root / "e.yaml").write_text(textwrap.dedent("""\
        dataset: cases.jsonl
        candidates: [{name: v1, recorded: v1}]
        checks: [no_contradiction]
        """))
    assert harness_cmd("run", "e.yaml", "--out", "r", "--quiet", cwd=root).returncode == 0
    return root


def test_excel_starts_with_the_bom_and_round_trips_non_ascii(tmp_path):
    root = project(tmp_path)
    done = harness_cmd("export", "r", "--out", "rows.csv", "--excel", cwd=root)
    assert done.returncode == 0, done.stderr
    raw = (root / "rows.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcase_id,")
    assert raw.count(b"\r\n") == 2 and raw.endswith(b"\r\n")  # header and one row, each ended as Excel ends them
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 1 and rows[0]["case_id"] == "a"
    assert rows[0]["reply"] == REPLY  # not formula-like at its start, so written as it is
    assert rows[0]["customer"] == ROW["turns"][0]["content"]
    assert is_export(root / "rows.csv")  # an --excel export is replaced again without --force
    again = harness_cmd("export", "r", "--out", "rows.csv", "--excel", cwd=root)
    assert again.stdout.strip() == "1 row: rows.csv (replaced an earlier export)"


def test_excel_keeps_the_formula_guard(tmp_path):
    root = project(tmp_path)
    (root / "cases.jsonl").write_text(json.dumps({**ROW, "recorded_replies": {"v1": "=HYPERLINK(\"x\") 退款"}},
                                                 ensure_ascii=False) + "\n", encoding="utf-8")
    assert harness_cmd("run", "e.yaml", "--out", "r2", "--quiet", cwd=root).returncode == 0
    assert harness_cmd("export", "r2", "--out", "rows.csv", "--excel", cwd=root).returncode == 0
    rows = list(csv.DictReader(io.StringIO((root / "rows.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0]["reply"] == "'=HYPERLINK(\"x\") 退款"


def test_plain_csv_has_no_bom_and_lf_ends(tmp_path):
    root = project(tmp_path)
    assert harness_cmd("export", "r", "--out", "rows.csv", cwd=root).returncode == 0
    raw = (root / "rows.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))[0]["reply"] == REPLY
    stdout = harness_cmd("export", "r", "--excel", cwd=root)
    assert stdout.returncode == 0 and stdout.stdout.startswith("\ufeffcase_id,")


def test_excel_with_jsonl_is_one_line(tmp_path):
    root = project(tmp_path)
    done = harness_cmd("export", "r", "--out", "rows.jsonl", "--excel", cwd=root)
    assert done.returncode == 2 and not (root / "rows.jsonl").exists()
    assert done.stderr.strip().splitlines() == [
        "harness: error: --excel: writes CSV for Excel, not JSONL: drop --excel, or give --out a .csv name"]
