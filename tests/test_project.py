"""The project's own promises: the README's test command is what CI runs; importing loads nothing."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import ROOT


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = re.findall(r"```bash\n(.+?)\n```", readme, flags=re.S)
    assert len(commands) >= 2
    install_and_run, test_command = commands[0], commands[1]
    assert "torch==2.13.0" in install_and_run and "zhen translate seeds/" in install_and_run
    assert test_command in (ROOT / ".ci" / "run").read_text("utf-8")


def test_import_is_light():
    code = "import sys, zhen; import zhen.cli; print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
