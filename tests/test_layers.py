"""The layers of issue 8: each app imports only the apps below it (.importlinter).

`make test` runs `lint-imports` before pytest; this test runs the same contract so that a plain
`pytest` run keeps it too, and checks that the contract names every app of the project.
"""

import configparser
import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def test_the_layers_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, env={**os.environ}, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_every_project_app_is_in_a_layer():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"].split()
    project_apps = {app.name for app in apps.get_app_configs() if (ROOT / app.name).is_dir()}
    assert project_apps <= set(layers), project_apps - set(layers)
    assert layers[0] == "config" and layers[-1] == "common"
