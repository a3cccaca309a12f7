"""The notebooks read as a book: each renders (through nbdev's own processing) with one title, a description and no
stray headings; they are committed executed, with their figures; and a cell that needs MovieLens fails loudly, with
the loader's message, when the data cannot be found, instead of silently doing nothing."""

import json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
ids = [p.name for p in NBS]

def cells(nb, kind): return [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == kind]

def prose_lines(md:str):
    "Markdown lines outside fenced code blocks."
    return re.sub(r'^(```|~~~).*?^\1', '', md, flags=re.S | re.M).splitlines()

def heading_problems(md_cells, title_allowed:bool):
    "Lines that render as a heading they should not: an H1 other than the title, or a heading made of '#'s."
    out = []
    for n, md in enumerate(md_cells):
        for line in prose_lines(md):
            if re.match(r'^#\s', line) and not (title_allowed and n == 0): out.append(f'extra H1: {line[:60]!r}')
            if re.match(r'^#{1,6}\s+#', line): out.append(f'heading made of a stray #: {line[:60]!r}')
            if re.match(r'^#[|!]', line): out.append(f'cell directive in markdown: {line[:60]!r}')
    return out

@pytest.mark.parametrize('nb', NBS, ids=ids)
def test_source_reads_as_a_chapter(nb):
    md = cells(nb, 'markdown')
    first = json.loads(nb.read_text())['cells'][0]
    assert first['cell_type'] == 'markdown', f'{nb.name}: the first cell must be the title cell'
    title = ''.join(first['source']).strip().splitlines()
    assert re.match(r'^# \S', title[0]), f'{nb.name}: the title cell must start with "# Title", not {title[0]!r}'
    assert any(l.startswith('> ') for l in title[1:]), f'{nb.name}: the title cell needs a "> description" line'
    assert not heading_problems(md, title_allowed=True), f'{nb.name}: {heading_problems(md, True)}'

def test_chapters_read_front_to_back():
    "No chapter uses a later one, and each exports into the folder its number says: 0x data, 1x kernels, 2x models, 3x use, 4x apps."
    numbered = [p for p in NBS if re.match(r'\d\d_', p.name)]
    home = {}   # module -> the chapter that exports it
    for nb in numbered:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', '\n'.join(cells(nb, 'code')), re.M)
        assert m, f'{nb.name}: no default_exp'
        home[m.group(1)] = nb.name
    folders = {'0': 'data.', '1': 'kernels.', '2': 'models.', '3': 'use.', '4': 'apps.', '5': '__init__'}
    for mod, name in home.items(): assert mod.startswith(folders[name[0]]), f'{name} exports {mod}, outside its folder {folders[name[0]]}'
    late = []
    for nb in numbered:
        used = set(re.findall(r'(?:from|import) apply_ml_as\.([\w.]+)', '\n'.join(cells(nb, 'code'))))
        late += [f'{nb.name} uses {u} ({home[u]})' for u in used if u in home and home[u] > nb.name]
    assert not late, late

@pytest.mark.parametrize('nb', NBS, ids=ids)
def test_committed_executed(nb):
    "Notebooks are saved with their outputs; every cell that draws has its figure; no silent data guards."
    nbj = json.loads(nb.read_text())
    code = [c for c in nbj['cells'] if c['cell_type'] == 'code']
    for c in code:
        src = ''.join(c['source'])
        assert not re.search(r"^\s*if\s+DATA\b|environ\.get\(['\"]MOVIELENS_DIR", src, re.M), \
            f'{nb.name}: a cell guards on the data being present; load it with load_movielens and let it fail loudly:\n{src[:200]}'
        shown = re.sub(r'test_fail\(lambda:[^\n]*', '', src)   # a plot call expected to raise draws nothing
        draws = re.search(r'\bplot_\w+\(|\bplt\.|\.plot\(', shown) and not src.lstrip().startswith(('#| export', '#|export'))
        if draws and '#| eval: false' not in src:
            kinds = {k for o in c.get('outputs', []) for k in o.get('data', {})}
            assert 'image/png' in kinds, f'{nb.name}: a cell that draws was committed without its figure:\n{src[:200]}'

def test_rendered_pages():
    "Each page as nbdev's processing renders it (what nbdev_proc_nbs runs, no Quarto): title and description in the front matter, no other H1."
    proc = ROOT/'_proc'
    existed = proc.exists()
    try:
        # nbdev_proc_nbs's own processing (directives, show_doc, front matter) without its Quarto install step
        r = subprocess.run([sys.executable, '-c', 'from nbdev.serve import proc_nbs; proc_nbs(n_workers=0)'], cwd=ROOT, capture_output=True,
                           text=True, env={**os.environ, 'MPLBACKEND': 'Agg'})
        assert r.returncode == 0, f'nbdev processing failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
        problems = []
        for nb in NBS:
            out = proc/nb.name
            assert out.exists(), f'nbdev_proc_nbs wrote no {out}'
            cs = json.loads(out.read_text())['cells']
            fm = ''.join(cs[0]['source']) if cs and cs[0]['cell_type'] == 'raw' else ''
            if not re.search(r'^title:\s*\S', fm, re.M): problems.append(f'{nb.name}: no title in the rendered front matter')
            if not re.search(r'^description:\s*\S', fm, re.M): problems.append(f'{nb.name}: no description in the rendered front matter')
            md = [''.join(c['source']) for c in cs if c['cell_type'] == 'markdown']
            problems += [f'{nb.name}: {p}' for p in heading_problems(md, title_allowed=False)]
        assert not problems, '\n'.join(problems)
    finally:
        if not existed: shutil.rmtree(proc, ignore_errors=True)

DATA_NBS = [p for p in NBS if re.search(r'load_movielens\(|official_split\(', '\n'.join(
    c for c in cells(p, 'code') if not c.lstrip().startswith(('#| export', '#|export'))))]

@pytest.mark.parametrize('nb', DATA_NBS, ids=[p.name for p in DATA_NBS])
def test_data_cells_fail_loudly(nb, tmp_path, monkeypatch, capfd):
    "With no MovieLens anywhere (an empty folder, an empty cache, no server), a chapter stops with the loader's message."
    empty = tmp_path/'empty'; empty.mkdir()
    monkeypatch.setenv('MOVIELENS_DIR', str(empty)); monkeypatch.setenv('APPLY_ML_AS_CACHE', str(tmp_path/'cache'))
    monkeypatch.setenv('MOVIELENS_URL', 'http://127.0.0.1:9')   # nothing listens there: a download fails at once
    monkeypatch.chdir(ROOT/'nbs')
    cfg = get_config(path=ROOT)
    ok, _ = run_notebook(nb, skip_flags=cfg.tst_flags.split(), basepath=cfg.config_path)
    err = capfd.readouterr().err
    assert not ok, f'{nb.name} ran to the end without MovieLens: some data cell silently did nothing'
    assert re.search(r'DatasetNotFoundError|DownloadError', err), f'{nb.name} failed, but not with the loader\'s error:\n{err[-2000:]}'
