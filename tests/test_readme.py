"""Every Python block of the README runs as written, each on its own (it defines its data)."""

import re
import warnings
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs_as_written(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # (blocks save files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (convergence notes are part of some blocks' point)
        exec(compile(BLOCKS[index], f"README block {index}", "exec"), {"__name__": "__readme__"})
