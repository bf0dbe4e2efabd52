from harness.report.show import summary_line


def test_the_summary_counts_records_in_the_right_number():
    assert summary_line(1, 1, {"FAIL": 1}) == "1 of 1 record (1 FAIL)"
    assert summary_line(3, 12, {"ERROR": 1, "FAIL": 2}) == "3 of 12 records (1 ERROR, 2 FAIL)"
