"Every notebook in nbs/ is a test, run cell by cell as `nbdev_test` runs it; flagged cells (settings.ini `tst_flags`) are skipped unless `--flags` names them."

from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb')
             if not p.name.startswith('_') and '.ipynb_checkpoints' not in p.parts)

@pytest.mark.parametrize('nb', NBS, ids=[str(p.relative_to(ROOT/'nbs')) for p in NBS])
def test_notebook(nb, request, monkeypatch):
    monkeypatch.chdir(ROOT/'nbs')
    cfg = get_config(path=ROOT)
    ok, secs = run_notebook(nb, skip_flags=cfg.tst_flags.split(), force_flags=request.config.getoption('--flags').split(),
                       basepath=cfg.config_path)
    assert ok, f'{nb.name} failed: see the traceback above'
