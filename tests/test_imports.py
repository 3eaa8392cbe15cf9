"""The pure core (call flow, opening hours, catalog) loads without the web or database stack."""

from __future__ import annotations

import subprocess
import sys


def test_the_call_flow_imports_without_flask_or_sqlalchemy():
    code = (
        "import sys, ivr.flow, ivr.hours, ivr.catalog; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'alembic', 'pydub') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
