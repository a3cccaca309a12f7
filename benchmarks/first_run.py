"""How long the README's main job takes the first time (numba compiles the kernels) and after (they load from numba's
on-disk cache): `apply_ml_as train` with its defaults, run in fresh processes, the first with an empty kernel cache.

    python benchmarks/first_run.py            # two runs after a cold cache, written to results/first_run.json
    python benchmarks/first_run.py --runs 3   # more warm runs

Each run is a new interpreter with its own empty output folder; NUMBA_CACHE_DIR points at a new, empty folder for the
first run and stays for the rest, so the difference is what compiling costs a new user. The time printed by the CLI for
training is read from its output (the line `... N epochs in S s`; on the cold run it includes the compiling).
"""
from __future__ import annotations
import argparse, os, re, statistics, subprocess, sys, tempfile, time
from pathlib import Path
from harness import write_results

def run_once(env:dict, out:Path) -> dict:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, '-c', 'import sys; from apply_ml_as.apps.cli import main; sys.exit(main())', 'train', '--out', str(out)],
                       env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode: sys.exit(f'apply_ml_as train failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}')
    m = re.search(r'epochs in ([\d.]+) s', r.stdout)
    return dict(wall_s=wall, train_s=float(m.group(1)) if m else None)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--runs', type=int, default=2, help='runs after the cold one (default 2)')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, 'NUMBA_CACHE_DIR': str(Path(work)/'numba'), 'MPLBACKEND': 'Agg'}
        runs = []
        for i in range(1 + a.runs):
            runs.append(run_once(env, Path(work)/f'out{i}'))
            print(f"{'cold' if i == 0 else 'warm'} run: {runs[-1]['wall_s']:.1f} s in all, training {runs[-1]['train_s']} s", flush=True)
    warm = statistics.median(r['wall_s'] for r in runs[1:])
    res = dict(cold=runs[0], warm=runs[1:], warm_median_s=warm, compile_s=runs[0]['wall_s'] - warm, threads=os.cpu_count())
    print(f"first run {runs[0]['wall_s']:.1f} s, later runs {warm:.1f} s (median): compiling costs {res['compile_s']:.1f} s")
    print(f"wrote {write_results('first_run', res)}")

if __name__ == '__main__': main()
