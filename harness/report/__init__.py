"""Reports: a scorecard (and a run's records) rendered for people.

``tables`` builds the summary rows every renderer shares; ``markdown`` writes
scorecard.md, ``terminal`` the end-of-run table, ``html`` the self-contained
report.html (its reusable parts live in ``html_parts``).
"""
