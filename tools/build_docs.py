"""Build the docs site into `_docs/` without Quarto, or write README.md from `nbs/index.ipynb`.

    python tools/build_docs.py                  # the site, into _docs/ (git-ignored)
    python tools/build_docs.py --out DIR        # the site, into DIR
    python tools/build_docs.py --readme         # README.md from the processed index.ipynb (what nbdev_readme does with Quarto)
    python tools/build_docs.py --readme --out F # ... written to F instead (its figures beside it, in index_files/)

Two steps. First nbdev's own processing of the notebooks, what `nbdev_proc_nbs` runs without its Quarto install step:
`nbdev.serve.proc_nbs` writes them to `_proc/` (git-ignored) with directives handled, `show_doc` cells rendered as
markdown, hidden cells dropped, and a raw front-matter cell (title, description, output file). Then the processed
notebooks are finished off for a renderer that is not Quarto (what Quarto itself would do with what nbdev leaves it):

- the front matter becomes the page's one H1 (the title) and a `> description` line;
- the Quarto cell options nbdev leaves (`#| echo: false`, `#| output: asis` on `show_doc` cells, and `include`,
  `output`) are applied and removed: an `asis` markdown output becomes a markdown cell;
- Quarto attributes (`{target="_blank" ...}` after show_doc's source links, `{#id .class}` after headings) are removed;
- links to notebooks (`23_latent_als.ipynb`) and nbdev's doc links (`https://<doc_host><doc_baseurl>/latent_als.html#...`)
  point to the built pages (named by nbdev's `output-file`, as Quarto names them);
- maths (`$...$`, `$$...$$`) becomes MathML at build time (latex2mathml), which the browser renders with no script
  and no network.

The site itself is rendered by mkdocs with the material theme and mkdocs-jupyter (nbconvert underneath). Its
configuration is generated here from settings.ini (title, description, urls) and the notebooks (their order and
titles), so a new notebook appears in the navigation without anything else to edit.

For the README the same finished notebook goes through nbconvert's markdown exporter instead, with maths left as
`$...$` (GitHub renders it), notebook links pointing to the notebooks (`nbs/23_latent_als.ipynb`, which GitHub shows)
and figures written beside it (`index_files/`).
"""

from __future__ import annotations
import argparse, copy, html, json, os, re, shutil, subprocess, sys, tempfile, time
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
PROC = ROOT/'_proc'
EXTRA_CSS = """\
/* notebooks as chapters: a wider text column, figures scale with the page, display maths scrolls when too wide */
.md-grid { max-width: 80rem; }
.jupyter-wrapper .jp-OutputArea-output img { max-width: 100%; height: auto; }
.md-typeset math[display="block"] { display: block math; overflow-x: auto; overflow-y: hidden; margin: 1em 0; }
.md-typeset math { font-size: 1.1em; }
"""

# ---------------------------------------------------------------------------------------------------------------------
# settings and the notebooks

def settings() -> dict:
    "settings.ini's [DEFAULT] section, interpolated."
    cp = ConfigParser(delimiters=['='])
    cp.read(ROOT/'settings.ini', encoding='utf-8')
    return dict(cp['DEFAULT'])

def notebooks(nbs: Path = NBS) -> list[Path]:
    "The notebooks of the book: index first, then the chapters in file-name order (names starting with _ or . skipped)."
    nbs = sorted(p for p in nbs.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    return sorted(nbs, key=lambda p: (p.stem != 'index', p.name))

def nbdev_process(nbs: list[Path] | None = None) -> Path:
    "nbdev's processing (`nbdev_proc_nbs` without installing Quarto) into `_proc/`; files not changed since are kept."
    r = subprocess.run([sys.executable, '-c', 'from nbdev.serve import proc_nbs; proc_nbs(n_workers=0)'], cwd=ROOT,
                       capture_output=True, text=True, env={**os.environ, 'MPLBACKEND': 'Agg'})
    if r.returncode: raise RuntimeError(f'nbdev processing failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}')
    missing = [p.name for p in (nbs or notebooks()) if not (PROC/p.name).exists()]
    if missing: raise RuntimeError(f'nbdev processing wrote no {missing} in {PROC}')
    return PROC

def front_matter(nb: dict) -> dict:
    "The YAML front matter of a processed notebook (its first cell, raw, between --- lines), or {}."
    import yaml
    c = nb['cells'][0] if nb['cells'] else None
    if not c or c['cell_type'] != 'raw': return {}
    m = re.match(r'\s*---\n(.*?)\n---', ''.join(c['source']), re.S)
    return (yaml.safe_load(m.group(1)) or {}) if m else {}

def pages(proc: Path = PROC, nbs: list[Path] | None = None) -> list[dict]:
    "One entry per notebook, in order: the notebook, its page (nbdev's output-file, as Quarto names it) and its title."
    out = []
    for p in nbs or notebooks():
        fm = front_matter(json.loads((proc/p.name).read_text(encoding='utf-8')))
        page = Path(fm.get('output-file') or p.with_suffix('.html').name).stem
        out.append(dict(notebook=p.name, page=page, html=f'{page}.html', title=str(fm.get('title') or p.stem),
                        description=str(fm.get('description') or '').strip()))
    dup = {e['html'] for e in out if [o['html'] for o in out].count(e['html']) > 1}
    if dup: raise RuntimeError(f'two notebooks would render to the same page: {sorted(dup)}')
    return out

# ---------------------------------------------------------------------------------------------------------------------
# markdown: prose apart from code, links, Quarto attributes, maths

_FENCE = r'^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\1[`~]*[ \t]*$'                           # fenced code blocks
_CODE = re.compile(r'(?ms)' + _FENCE + r'|(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\2(?!`)')   # and inline code spans
_ESCAPED_DOLLAR = '\x00DOLLAR\x00'

def map_prose(md: str, f) -> str:
    "Apply `f` to the parts of markdown `md` outside code blocks and code spans."
    out, i = [], 0
    for m in _CODE.finditer(md):
        out += [f(md[i:m.start()]), m.group(0)]; i = m.end()
    return ''.join(out + [f(md[i:])])

_MATH = re.compile(r'\$\$(.+?)\$\$'                                        # display: $$...$$ (may span lines)
                   r'|(?<![\w$])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\d$])', re.S)   # inline: pandoc's rules
_MD_SPECIAL = re.compile(r'[\\`*_\[\]{}|~$]')   # not & and #: latex2mathml writes symbols as &#x...; entities

def tex_to_mathml(tex: str, display: bool) -> str:
    "MathML for `tex`, on one line, with no character markdown would act on inside it."
    from latex2mathml.converter import convert
    try: xml = convert(tex.strip(), display='block' if display else 'inline')
    except Exception as e: raise ValueError(f'latex2mathml cannot read ${tex}$ ({type(e).__name__} {e})') from None
    # what it does not know it writes as text (`<mi>\foo</mi>`, a bare `&` for an environment's alignment): refuse
    bad = re.findall(r'>([^<]*(?:\\[A-Za-z]+|&(?!#?\w+;))[^<]*)<', xml)
    if bad: raise ValueError(f'latex2mathml does not support {bad[0]!r} in ${tex}$: write it with the commands it knows')
    xml = xml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', '')
    xml = re.sub(r'>([^<]+)<', lambda m: '>' + _MD_SPECIAL.sub(lambda c: f'&#{ord(c.group())};', m.group(1)) + '<', xml)
    return xml.replace('\n', ' ')

def maths_to_mathml(text: str) -> str:
    "Every `$$...$$` and `$...$` in prose `text` as MathML (an escaped dollar stays a dollar)."
    text = text.replace('\\$', _ESCAPED_DOLLAR)
    text = _MATH.sub(lambda m: tex_to_mathml(m.group(1), True) if m.group(1) is not None else tex_to_mathml(m.group(2), False), text)
    return text.replace(_ESCAPED_DOLLAR, '\\$')

_ATTR_AFTER_LINK = re.compile(r'(\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+"[^"]*")?\))\{[^{}\n]*\}')
_LINK_WITH_ATTRS = re.compile(r'(?<!!)\[([^\[\]\n]*)\]\(([^()\s"]+)\)\{((?:\s*[\w-]+="[^"\n]*")+)\s*\}')
_ATTR_HEADING = re.compile(r'(?m)^(#{1,6}\s.*?)\s*\{[#.][^{}\n]*\}[ \t]*$')
_DIV_FENCE = re.compile(r'(?m)^:::+[ \t]*(\{[^}\n]*\}|[\w-]+)?[ \t]*\n?')

def strip_quarto(text: str) -> str:
    "Remove Quarto/pandoc syntax markdown renderers show as text: attributes after links and headings, ::: div fences."
    # a link whose attributes are all key="value" (show_doc's `[source](url){target="_blank" style="float:right; ...}`)
    # becomes the HTML link pandoc would write; other attributes are dropped
    text = _LINK_WITH_ATTRS.sub(lambda m: f'<a href="{html.escape(m.group(2))}" {m.group(3).strip()}>{m.group(1)}</a>', text)
    return _DIV_FENCE.sub('', _ATTR_HEADING.sub(r'\1', _ATTR_AFTER_LINK.sub(r'\1', text)))

_LINK = re.compile(r'(\]\(\s*<?|\bhref\s*=\s*["\'])([^)\s"\'>#]+)(#[^)\s"\'>]*)?')

def link_rewriter(entries: list[dict], doc_url: str, readme: bool = False, anchors: dict | None = None):
    """A function that points links to notebooks, and nbdev's links to the published docs, at the built pages.

    For the README (`readme`), notebook links and nbdev's doc links point to the notebooks in the repository instead
    (GitHub shows them; the docs site is built locally, not published)."""
    by_nb = {e['notebook']: e for e in entries}
    by_html = {e['html']: e for e in entries}
    base = doc_url.rstrip('/') + '/'
    def target(url):
        name = url[len(base):] if url.startswith(base) else url
        name = name.removeprefix('./').removeprefix('nbs/')
        if readme:
            e = by_html.get(name) if url.startswith(base) else by_nb.get(name)
            return e and f"nbs/{e['notebook']}"
        e = by_nb.get(name) or by_html.get(name) or (by_html.get('index.html') if url.rstrip('/') + '/' == base else None)
        return e and e['html']
    def fix(m):
        t = target(m.group(2))
        if not t: return m.group(0)
        frag = '' if readme and m.group(2).startswith(base) else m.group(3) or ''   # a symbol's anchor on a page GitHub does not have
        # nbdev's doc links use the symbol (`#biasals.fit`); headings' ids drop what is not a word character (`#biasalsfit`)
        if frag and not readme:
            frag = '#' + slug(frag[1:])
            # nbdev links every exported symbol; one with no documentation heading on its page gets the page
            if anchors is not None and frag[1:] not in anchors.get(t, set()): frag = ''
        return m.group(1) + t + frag
    return lambda text: _LINK.sub(fix, text)

def slug(text: str) -> str:
    "A heading's id as mkdocs-jupyter makes it: lowercase, word characters and hyphens."
    from mkdocs_jupyter.utils import slugify
    from nbconvert.filters.strings import _convert_header_id
    return _convert_header_id(slugify(text))

def heading_ids(nb: dict) -> set:
    "The ids the headings of a finished notebook get on its page (what mkdocs-jupyter's renderer gives them)."
    import importlib; importlib.import_module('mkdocs_jupyter.convert')   # it patches nbconvert's heading ids to lowercase
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    lines = [l for c in nb['cells'] if c['cell_type'] == 'markdown'
             for l in re.sub('(?ms)' + _FENCE, '', ''.join(c['source'])).splitlines() if re.match(r'#{1,6}\s', l)]
    html_ = markdown2html_mistune('\n\n'.join(lines))
    return set(re.findall(r'<h[1-6] id="([^"]*)"', html_))

# ---------------------------------------------------------------------------------------------------------------------
# notebooks: what Quarto would do with what nbdev leaves

def _cell_options(src: str) -> tuple[dict, str]:
    "The leading `#| key: value` options of a code cell, and the source without them."
    lines, opts = src.splitlines(), {}
    while lines and re.match(r'\s*#\|', lines[0]):
        k, _, v = lines.pop(0).strip()[2:].partition(':')
        v = v.strip().lower()
        opts[k.strip()] = {'true': True, 'false': False, '': True}.get(v, v)
    return opts, '\n'.join(lines)

def _markdown_of(outputs: list) -> str | None:
    "The text of outputs that are all markdown (or plain text), to show as is; None if any is something else."
    parts = []
    for o in outputs:
        d = o.get('data', {})
        if 'text/markdown' in d: parts.append(''.join(d['text/markdown']))
        elif o.get('output_type') == 'stream': parts.append(''.join(o.get('text', '')))
        else: return None
    return '\n\n'.join(parts)

def _md(src: str) -> dict: return {'cell_type': 'markdown', 'metadata': {}, 'source': src}

def title_cell(entry: dict, html_title: bool) -> str:
    "The title and description, as Quarto shows them above a page."
    # On the site the title is an <h1> with no id: a heading's id would take the anchor nbdev's doc links use for a
    # symbol of the same name (the `Interactions` class in the chapter "Interactions"), and the table of contents skips it.
    title = f"<h1>{html.escape(entry['title'])}</h1>" if html_title else f"# {entry['title']}"
    return title + (f"\n\n> {' '.join(entry['description'].split())}" if entry['description'] else '')

def finish(nb: dict, entry: dict, prose, html_title: bool = True) -> dict:
    "The processed notebook `nb` with front matter as title, cell options applied and `prose` applied to all markdown."
    nb = copy.deepcopy(nb)
    widgets = nb['metadata'].get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state')
    if not widgets: nb['metadata'].pop('widgets', None)   # execnb leaves an empty widget state; it would load widgets from a CDN
    cells = nb['cells'][1:] if front_matter(nb) else nb['cells']
    out = [_md(title_cell(entry, html_title))]
    for c in cells:
        if c['cell_type'] == 'raw': continue   # Quarto passes raw cells through; for a page or a README they are noise
        if c['cell_type'] == 'markdown':
            out.append(c); continue
        opts, src = _cell_options(''.join(c['source']))
        if opts.get('include') is False: continue
        c = {**c, 'source': src}
        if opts.get('output') is False: c['outputs'] = []
        if opts.get('echo') is False: c['metadata'] = {**c.get('metadata', {}), 'transient': {'remove_source': True}}
        asis = _markdown_of(c.get('outputs', [])) if opts.get('output') == 'asis' else None
        if asis is not None:
            if opts.get('echo') is not False and src.strip(): out.append({**c, 'outputs': []})
            if asis.strip(): out.append(_md(asis))
            continue
        if not src.strip() and not c.get('outputs'): continue
        out.append(c)
    for i, c in enumerate(out):
        if 'id' not in c and nb.get('nbformat_minor', 0) >= 5: c['id'] = f'docs-{i}'
        if c['cell_type'] == 'markdown': c['source'] = map_prose(''.join(c['source']), lambda t: prose(strip_quarto(t)))
    nb['cells'] = out
    return nb

# ---------------------------------------------------------------------------------------------------------------------
# the site

_HEADING = re.compile(r'<h([1-6])\b([^>]*)>(.*?)</h\1>', re.S)

def on_page_content(content: str, page, config, files) -> str:
    """mkdocs hook (the generated config names this file): the page's table of contents from its headings as rendered.

    mkdocs-jupyter takes the contents from a markdown rendering of the notebook whose ids differ from the page's for a
    heading with code in it (`### Accuracy: `python ...``), so those entries led nowhere; ids made unique on the way."""
    from mkdocs.structure.toc import get_toc
    seen, tokens, stack = {}, [], []
    def fix(m):
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        idm = re.search(r'\bid="([^"]*)"', attrs)
        if not idm: return m.group(0)
        hid = idm.group(1); n = seen.get(hid, 0); seen[hid] = n + 1
        if n:
            new = f'{hid}_{n}'
            attrs, inner, hid = attrs.replace(idm.group(0), f'id="{new}"'), inner.replace(f'href="#{hid}"', f'href="#{new}"'), new
        if 2 <= level <= 3:
            name = re.sub(r'<[^>]+>', '', re.sub(r'<a class="anchor-link".*?</a>', '', inner, flags=re.S)).strip()
            tok = {'level': level, 'id': hid, 'name': name, 'children': []}
            while stack and stack[-1]['level'] >= level: stack.pop()
            (stack[-1]['children'] if stack else tokens).append(tok); stack.append(tok)
        return f'<h{level}{attrs}>{inner}</h{level}>'
    content = _HEADING.sub(fix, content)
    page.toc = get_toc(tokens)
    return content

def mkdocs_config(entries: list[dict], cfg: dict, docs_dir: Path, site_dir: Path) -> dict:
    "The mkdocs configuration: from settings.ini, and the notebooks in order with their titles."
    doc_url = cfg['doc_host'].rstrip('/') + '/' + cfg.get('doc_baseurl', '').strip('/')
    return {
        'site_name': cfg['title'], 'site_description': cfg['description'], 'site_url': doc_url.rstrip('/') + '/',
        'copyright': f"Copyright {cfg['copyright']}" if cfg.get('copyright') else None,
        'docs_dir': str(docs_dir), 'site_dir': str(site_dir), 'use_directory_urls': False, 'strict': True,
        'nav': [{e['title']: f"{e['page']}.ipynb"} for e in entries],
        'theme': {'name': 'material', 'font': False, 'language': 'en',
                  'features': ['navigation.top', 'navigation.footer', 'search.highlight', 'toc.follow']},
        # no repo_url: material would fetch the repository's stars from GitHub's API, which fails offline
        'extra': {'generator': False, 'social': [{'icon': 'fontawesome/brands/github', 'link': cfg['git_url'], 'name': 'Source on GitHub'}]},
        'extra_css': ['assets/notebooks.css'],
        'hooks': [str(Path(__file__).resolve())],   # on_page_content above
        'plugins': ['search', {'mkdocs-jupyter': {'no_prompt': True, 'include_requirejs': False, 'cache': False,
                                                  'include': ['*.ipynb'], 'toc_depth': 3}}],
    }

def stage(entries: list[dict], docs: Path, prose_for) -> None:
    "Finished notebooks, named by their pages, and the other files of nbs/ (figures) into `docs`."
    docs.mkdir(parents=True, exist_ok=True)
    for e in entries:
        try: nb = finish(json.loads((PROC/e['notebook']).read_text(encoding='utf-8')), e, prose_for)
        except ValueError as err: raise SystemExit(f"nbs/{e['notebook']}: {err}") from None
        (docs/f"{e['page']}.ipynb").write_text(json.dumps(nb, indent=1), encoding='utf-8')
    skip = {'_quarto.yml', 'nbdev.yml', 'sidebar.yml', 'styles.css'}
    for p in NBS.rglob('*'):   # images and other files the notebooks refer to
        rel = p.relative_to(NBS)
        if p.is_file() and p.suffix != '.ipynb' and p.name not in skip and not any(s.startswith(('.', '_')) for s in rel.parts):
            (docs/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(p, docs/rel)
    (docs/'assets').mkdir(exist_ok=True)
    (docs/'assets'/'notebooks.css').write_text(EXTRA_CSS, encoding='utf-8')

def build_site(out: Path = ROOT/'_docs', keep: Path | None = None, quiet: bool = False) -> list[dict]:
    "Build the site into `out`; `keep` keeps the staged notebooks and mkdocs.yml there (for `mkdocs serve -f`)."
    import yaml
    t0 = time.time()
    nbs = notebooks(); nbdev_process(nbs); entries = pages(nbs=nbs)
    t1 = time.time()
    cfg = settings()
    doc_url = cfg['doc_host'].rstrip('/') + '/' + cfg.get('doc_baseurl', '').strip('/')
    anchors = {e['html']: heading_ids(finish(json.loads((PROC/e['notebook']).read_text(encoding='utf-8')), e, lambda t: t))
               for e in entries}
    links = link_rewriter(entries, doc_url, anchors=anchors)
    prose = lambda t: maths_to_mathml(links(t))
    with tempfile.TemporaryDirectory(prefix='apply_ml_as_docs_') as tmp:
        src = Path(keep).resolve() if keep else Path(tmp)
        if keep and src.exists(): shutil.rmtree(src)
        stage(entries, src/'docs', prose)
        conf = mkdocs_config(entries, cfg, src/'docs', Path(out).resolve())
        (src/'mkdocs.yml').write_text(yaml.safe_dump(conf, sort_keys=False, allow_unicode=True), encoding='utf-8')
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        build(load_config(str(src/'mkdocs.yml')))
    if not quiet: print(f'built {len(entries)} pages into {out} (nbdev processing {t1 - t0:.1f} s, rendering {time.time() - t1:.1f} s)')
    return entries

# ---------------------------------------------------------------------------------------------------------------------
# the README

def readme_markdown(figures_dir: str = 'index_files') -> tuple[str, dict]:
    "README.md's text from the processed index.ipynb, as GitHub markdown, and its figures ({relative path: bytes})."
    import nbformat
    from nbconvert import MarkdownExporter
    nbs = notebooks(); nbdev_process(nbs); entries = pages(nbs=nbs)
    cfg = settings()
    doc_url = cfg['doc_host'].rstrip('/') + '/' + cfg.get('doc_baseurl', '').strip('/')
    index = next(e for e in entries if e['page'] == 'index')
    nb = finish(json.loads((PROC/index['notebook']).read_text(encoding='utf-8')), index, link_rewriter(entries, doc_url, readme=True), html_title=False)
    lang = nb['metadata'].get('kernelspec', {}).get('language', 'python')
    nb['metadata'].setdefault('language_info', {}).setdefault('name', lang)   # the code fences' language
    nb = nbformat.reads(json.dumps(nb), as_version=4)   # reads joins the sources and outputs stored as lists of lines
    body, res = MarkdownExporter(exclude_input_prompt=True, exclude_output_prompt=True).from_notebook_node(
        nb, resources={'output_files_dir': figures_dir, 'unique_key': 'index'})
    body = re.sub(r'\n{3,}', '\n\n', re.sub(r'(?m)^[ \t]+$', '', body)).strip() + '\n'
    return body, dict(res.get('outputs', {}))

def write_readme(out: Path = ROOT/'README.md') -> Path:
    "Write README.md (to `out`) and its figures beside it."
    out = Path(out).resolve()
    body, figs = readme_markdown()
    for old in (out.parent/'index_files').glob('index_*'):   # figures of an earlier README
        if old.relative_to(out.parent).as_posix() not in figs: old.unlink()
    for rel, data in figs.items():
        (out.parent/rel).parent.mkdir(parents=True, exist_ok=True); (out.parent/rel).write_bytes(data)
    out.write_text(body, encoding='utf-8')
    return out

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--readme', action='store_true', help='write README.md from nbs/index.ipynb instead of building the site')
    ap.add_argument('--out', help='where to write: the site folder (default _docs/) or, with --readme, the README file (default README.md)')
    ap.add_argument('--keep', help='keep the staged notebooks and the generated mkdocs.yml in this folder')
    a = ap.parse_args(argv)
    import logging
    logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(name)s: %(message)s')   # mkdocs' warnings
    logging.getLogger('traitlets').setLevel(logging.ERROR)   # nbconvert: "Alternative text is missing" on every figure
    from mkdocs.exceptions import Abort
    try:
        if a.readme: print(f'wrote {write_readme(Path(a.out) if a.out else ROOT/"README.md")}')
        else: build_site(Path(a.out) if a.out else ROOT/'_docs', keep=Path(a.keep) if a.keep else None)
    except Abort as e: sys.exit(f'mkdocs: {e}')

if __name__ == '__main__': main()
