"""sitegen installed without -e builds a site folder that lives outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clusters import REPO, make_cluster, page

pytestmark = pytest.mark.slow


def test_a_non_editable_install_builds_a_site_outside_the_repository(tmp_path: Path):
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(REPO)],
                   check=True, stdin=subprocess.DEVNULL)
    site = make_cluster(tmp_path / "elsewhere", {"content/jxj/gzdt/a.md": page("装好后构建的页面")})
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import sitegen; print(sitegen.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target))           # the installed copy, not the repository's
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(site)], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    built = (site / "build/site/jxj/gzdt/a/index.html").read_text(encoding="utf-8")
    assert "装好后构建的页面" in built and '<link rel="stylesheet" href="/static/css/site.' in built
