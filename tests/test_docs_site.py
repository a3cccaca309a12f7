"""The docs site as a reader gets it: built without Quarto (`python tools/build_docs.py`: nbdev's processing, then mkdocs
with mkdocs-material and mkdocs-jupyter), served over http, and read page by page in a real headless Chromium (Debian's
chromium and chromium-driver, which .ci/run installs). Every notebook is a page, in order in the navigation, titled
from its title; each page loads with no console error and no request leaving the site; its figures load; its links
resolve (to a built page, and to an anchor on it); its maths is rendered (MathML, no `$` left); it has one H1 and no
Quarto leftovers (front matter, `#|` options, `{target=...}` attributes, `In [ ]:` prompts). Search finds a page.
Screenshots of the home page and of the embeddings chapter are written to $APPLY_ML_AS_ARTIFACTS (else a temporary
folder).

The browser tests are skipped where Chromium or its driver is not installed, except in CI (CI=true), where they fail.
`test_readme_is_generated_from_index` checks README.md is what `python tools/build_docs.py --readme` writes."""

import functools, html, http.server, importlib.util, json, os, re, shutil, subprocess, sys, threading, time
from pathlib import Path
from urllib.parse import unquote, urlsplit
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location('build_docs', ROOT/'tools'/'build_docs.py')
bd = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(bd)
NBS = bd.notebooks()
CHROMIUM, DRIVER = shutil.which('chromium'), shutil.which('chromedriver')

@pytest.fixture(scope='module', autouse=True)
def no_proc_left():
    "nbdev's _proc/ (git-ignored) is removed after these tests if they made it."
    existed = bd.PROC.exists()
    yield
    if not existed: shutil.rmtree(bd.PROC, ignore_errors=True)

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site built once by the documented command into a temporary folder: (folder, pages in order)."
    out = tmp_path_factory.mktemp('site')/'_docs'
    t0 = time.time()
    r = subprocess.run([sys.executable, 'tools/build_docs.py', '--out', str(out)], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, f'the docs build failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    print(f'docs build: {time.time() - t0:.1f} s; {r.stdout.strip()}')
    entries = bd.pages()   # the notebooks as the build found them
    return out, entries

@pytest.fixture(scope='module')
def server(site):
    "The site over http (search fetches its index), from a thread."
    folder = site[0]
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}'
    srv.shutdown(); srv.server_close()

@pytest.fixture(scope='module')
def driver(tmp_path_factory):
    if not (CHROMIUM and DRIVER):
        if os.environ.get('CI'): pytest.fail('CI needs chromium and chromium-driver (apt-get install chromium chromium-driver)')
        pytest.skip('chromium and chromedriver are not installed')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
              '--no-first-run', '--disable-sync', '--disable-quic', '--window-size=1400,1200',
              f'--user-data-dir={tmp_path_factory.mktemp("chromium")}'):
        o.add_argument(a)
    o.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    d = webdriver.Chrome(service=Service(DRIVER), options=o)
    d.set_page_load_timeout(60)
    yield d
    d.quit()

def artefacts(tmp_path) -> Path:
    art = Path(os.environ.get('APPLY_ML_AS_ARTIFACTS') or tmp_path); art.mkdir(parents=True, exist_ok=True)
    return art

def open_page(d, url):
    "Load `url`, wait until it and its scripts have settled; the console messages since the last page."
    d.get_log('browser')   # drop what earlier pages logged
    d.get(url)
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(d, 30).until(lambda d: d.execute_script('return document.readyState') == 'complete')
    time.sleep(0.2)        # the theme's scripts (search worker, navigation) start after load
    return d.get_log('browser')

def source_facts(nb: Path) -> dict:
    "What the page should show, from nbdev's processing of the notebook: figures (image outputs), and whether its prose has maths."
    cells = json.loads((bd.PROC/nb.name).read_text(encoding='utf-8'))['cells']
    figs = sum('image/png' in o.get('data', {}) or 'image/jpeg' in o.get('data', {})
               for c in cells if c['cell_type'] == 'code' and not re.search(r'^#\|\s*(include|output):\s*false', ''.join(c['source']), re.M)
               for o in c.get('outputs', []))
    prose = '\n'.join(bd.map_prose(''.join(c['source']), lambda t: ' '.join(m.group(0) for m in bd._MATH.finditer(t)) + '\n')
                      for c in cells if c['cell_type'] == 'markdown')
    return {'figures': figs, 'maths': bool(bd._MATH.search(prose))}

# the page as the reader sees it, gathered in one script
PAGE_JS = r"""
const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
const article = document.querySelector('article') || document.body;
const prose = [];   // text outside code and outputs, where maths would show as raw TeX
const walk = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest('pre, code, math, script, style, .jp-OutputArea, .jp-CodeCell .jp-InputArea, .clipboard-copy-txt')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
while (walk.nextNode()) prose.push(walk.currentNode.textContent);
return {
  text: document.body.innerText,
  prose: prose.join(''),
  h1: [...document.querySelectorAll('h1')].filter(visible).map(h => h.innerText.replace(/¶$/, '').trim()),
  images: [...document.images].map(i => ({src: i.src.slice(0, 80), ok: i.complete && i.naturalWidth > 0})),
  notebook_images: article.querySelectorAll('.jp-OutputArea img').length,
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  maths: [...article.querySelectorAll('math')].map(m => { const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0; }),
  resources: performance.getEntriesByType('resource').map(e => e.name),
};
"""

def page_ids(folder: Path, page: str, cache={}) -> set:
    "The ids in a built page, read from its file."
    p = folder/page
    if p not in cache: cache[p] = {html.unescape(i) for i in re.findall(r'\bid="([^"]*)"', p.read_text(encoding='utf-8'))}
    return cache[p]

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_page(nb, driver, site, server):
    folder, entries = site
    e = next(e for e in entries if e['notebook'] == nb.name)
    logs = open_page(driver, f"{server}/{e['html']}")
    s = driver.execute_script(PAGE_JS)
    facts, problems = source_facts(nb), []
    # loads cleanly, and asks nothing of the network beyond the site
    problems += [f"console: {l['level']} {l['message'][:300]}" for l in logs if l['level'] == 'SEVERE']
    problems += [f'requested from outside the site: {u}' for u in s['resources'] if not u.startswith((server, 'data:', 'blob:'))]
    # the notebook's outputs, figures included, all loaded
    problems += [f"image not loaded: {i['src']}" for i in s['images'] if not i['ok']]
    if s['notebook_images'] < facts['figures']:
        problems.append(f"{facts['figures']} figures in the notebook, {s['notebook_images']} on the page")
    # every link into the site resolves to a built file (and to an anchor on it)
    doc_url = bd.settings()['doc_host'].rstrip('/') + '/' + bd.settings()['doc_baseurl'].strip('/')
    for href in s['links']:
        if href.startswith(doc_url): problems.append(f'link to the published docs instead of the built page: {href}')
        if not href.startswith(server): continue
        u = urlsplit(href)
        path = unquote(u.path).lstrip('/') or 'index.html'
        if path.endswith('/'): path += 'index.html'
        if not (folder/path).is_file(): problems.append(f'broken link: {href}'); continue
        if u.fragment and path.endswith('.html'):
            ids = set(s['ids']) if path == e['html'] else page_ids(folder, path)
            if unquote(u.fragment) not in ids: problems.append(f'link to a missing anchor: {href}')
    # maths rendered
    if '$$' in s['text']: problems.append('raw $$ in the page text')
    if re.search(r'\$[^$\s][^$\n]*\$', s['prose']): problems.append(f"raw $...$ in the prose: {re.search(r'.{0,40}[$][^$]*[$].{0,20}', s['prose']).group(0)!r}")
    if facts['maths']:
        if not s['maths']: problems.append('the notebook has maths, the page has no MathML')
        elif not all(s['maths']): problems.append(f"{s['maths'].count(False)} of {len(s['maths'])} formulas not laid out")
    # a title and nothing Quarto would have hidden
    if s['h1'] != [e['title']]: problems.append(f"visible H1s {s['h1']}, expected only the title {e['title']!r}")
    t = s['text']
    if re.search(r'(?m)^(title|description|output-file):\s', t): problems.append('the front matter is shown as text')
    for bad, what, where in (('#|', 'a #| cell option', t), ('{target=', 'a Quarto link attribute', t), ('{.', 'a Quarto class attribute', s['prose'])):
        if bad in where: problems.append(f'{what} is shown: {where[max(0, where.index(bad) - 60):where.index(bad) + 60]!r}')
    if re.search(r'\b(In|Out)\s*\[[\s\d]*\]:', t): problems.append('an In [ ]:/Out[ ]: prompt is shown')
    if e['page'] == 'index':
        driver.save_screenshot(str(artefacts(folder.parent)/'docs_home.png'))
    assert not problems, f"{e['html']} ({nb.name}):\n" + '\n'.join(problems)

def test_navigation_in_notebook_order(driver, site, server):
    "The sidebar lists every notebook, index first then the chapters in file-name order, each by its title."
    folder, entries = site
    assert [e['notebook'] for e in entries] == ['index.ipynb'] + sorted(p.name for p in (ROOT/'nbs').glob('[!_.]*.ipynb') if p.name != 'index.ipynb')
    open_page(driver, f"{server}/{entries[-1]['html']}")
    nav = driver.execute_script("""return [...document.querySelectorAll('.md-sidebar--primary .md-nav--primary > .md-nav__list > .md-nav__item')]
        .map(li => { const a = li.querySelector(':scope > a.md-nav__link, :scope > label.md-nav__link, :scope > a');
                     const t = li.querySelector('.md-ellipsis');
                     return [t ? t.textContent.trim() : li.innerText.trim(), a && a.href ? a.href.split('/').pop() : null]; })""")
    assert [t for t, _ in nav] == [e['title'] for e in entries]
    assert [h for t, h in nav if h] == [e['html'] for e in entries if e is not entries[-1]]   # the current page is a label
    titles = [e['title'] for e in entries]
    assert not any(re.match(r'^\d+[a-z]? ', t) for t in titles), f'titled from file names: {titles}'

def test_search(driver, site, server):
    "The theme's search box finds a chapter, over http, without console errors."
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    folder, entries = site
    logs = open_page(driver, f'{server}/index.html')
    box = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, 'input.md-search__input'))
    box.click()
    box.send_keys('alternating least squares')
    WebDriverWait(driver, 30, poll_frequency=0.2).until(lambda d: d.find_elements(By.CSS_SELECTOR, '.md-search-result__item'))
    hits = [urlsplit(a.get_attribute('href')).path.split('/')[-1] for a in driver.find_elements(By.CSS_SELECTOR, '.md-search-result__item a')]
    assert set(hits) & {e['html'] for e in entries}, hits
    errors = [l for l in logs + driver.get_log('browser') if l['level'] == 'SEVERE']
    assert not errors, errors

def test_screenshot_embeddings(driver, site, server):
    "The embeddings chapter as a reader sees it (skipped until nbs/34_embeddings.ipynb exists)."
    folder, entries = site
    e = next((e for e in entries if e['notebook'] == '34_embeddings.ipynb'), None)
    if e is None: pytest.skip('nbs/34_embeddings.ipynb does not exist yet')
    open_page(driver, f"{server}/{e['html']}")
    driver.save_screenshot(str(artefacts(folder.parent)/'docs_embeddings.png'))
    figure = driver.execute_script("const i = document.querySelector('article .jp-OutputArea img'); if (i) i.scrollIntoView(); return !!i")
    if figure: driver.save_screenshot(str(artefacts(folder.parent)/'docs_embeddings_figure.png'))

def test_readme_command(tmp_path):
    "`--readme` writes GitHub markdown from the processed index.ipynb, figures beside it, without Quarto leftovers."
    out = tmp_path/'README.md'
    r = subprocess.run([sys.executable, 'tools/build_docs.py', '--readme', '--out', str(out)], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, r.stderr[-3000:]
    md = out.read_text()
    title = bd.pages(nbs=NBS)[0]['title']
    assert md.startswith(f'# {title}\n\n> '), md[:200]
    assert not re.search(r'^#\||\{target=|^---\s*$\ndescription:', md, re.M)
    assert bd.settings()['doc_host'].rstrip('/') not in md, 'the README links to the docs site, which is built locally, not published'
    for nb in re.findall(r'\]\(([^)\s#]*\.ipynb)', md):   # notebook links lead to the notebooks in the repository
        assert (ROOT/nb).is_file(), nb
    for fig in re.findall(r'!\[[^\]]*\]\(([^)\s]+)\)', md):
        if not re.match(r'\w+:', fig): assert (out.parent/fig).is_file(), fig

def test_readme_is_generated_from_index():
    "README.md is what `python tools/build_docs.py --readme` writes from nbs/index.ipynb (regenerate it after editing index)."
    md, figs = bd.readme_markdown()
    assert (ROOT/'README.md').read_text() == md, 'README.md is not generated from nbs/index.ipynb: run python tools/build_docs.py --readme'
    for rel, data in figs.items():
        assert (ROOT/rel).is_file() and (ROOT/rel).read_bytes() == data, f'{rel}: run python tools/build_docs.py --readme'
