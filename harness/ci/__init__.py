"""What a CI system reads after a nightly run: JUnit XML, a Markdown summary, and the run that produces them.

``junit`` writes ``junit.xml`` (one test case per case × candidate, gates as
their own test cases); ``summary`` writes ``summary.md`` for a pull-request
comment or a job summary; ``nightly`` runs an eval, holds it to its gates and
writes both, the history index and the trend charts.
"""
