"""docs/theano-api.md is what dev/theano_api_table.py generates from tests/api's data."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_page_table_is_up_to_date():
    run = subprocess.run([sys.executable, str(ROOT / "dev" / "theano_api_table.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
