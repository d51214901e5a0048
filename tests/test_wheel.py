"""An installed wheel (not the checkout) ships the glossaries and applies them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv

import pytest

from .conftest import ROOT, SAMPLE


@pytest.mark.slow
def test_a_wheel_installed_elsewhere_ships_and_applies_the_glossaries(tmp_path, tiny_model):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("zhen-*.whl"))
    env_dir = tmp_path / "venv"
    # the dependencies come from this interpreter's site-packages; zhen itself only from the wheel
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": ""}
    env.pop("ZHEN_GLOSSARIES", None)
    where = subprocess.run([str(python), "-c", "import zhen, zhen.glossary as g; print(zhen.__file__); "
                            "print(g.shipped_glossary_dir())"], cwd=elsewhere, env=env, capture_output=True,
                           text=True, check=True)
    module, folder = where.stdout.split()
    assert module.startswith(str(env_dir)) and folder.startswith(str(env_dir)), where.stdout  # not the checkout
    proc = subprocess.run([str(python), "-m", "zhen", "translate", str(SAMPLE), "-m", str(tiny_model), "--beam", "1",
                           "-f", "json", "-q"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    release = json.loads(proc.stdout)
    assert release["signature"]["glossary"] != "none"
    origins = {h["origin"].rsplit(":", 1)[0] for p in release["paragraphs"] for s in p["segments"]
               for h in s["terms"] if h["kind"] == "term"}
    assert "zhen/glossaries/china-asean.tsv" in origins, origins
