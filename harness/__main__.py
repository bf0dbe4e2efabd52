"""``python -m harness``: the same command as ``harness`` (for a checkout without the script on PATH).

It imports only the CLI entry, which itself defers heavy libraries to the command that needs them.
"""

from harness.cli.main import cli_entry

if __name__ == "__main__":
    cli_entry()
