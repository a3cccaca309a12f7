"""Load time and peak memory of `read_ratings` against `pandas.read_csv` (default settings), measured in one run.

A synthetic ratings.csv in the ml-25m layout (userId,movieId,rating,timestamp; 25M rows by default) is written
once by the project's generator into benchmarks/_data. Each reader runs in a fresh subprocess, --repeat times,
alternating with the other, so peak memory (ru_maxrss) is its own; the memory after `import pandas, pyarrow` is
reported too. Times vary a lot from run to run on a shared machine (mostly page-fault time), so the median is the
headline and the best and worst runs are shown beside it. Our time includes numba loading its compiled kernels
from the on-disk cache (about 0.3 s in a fresh process).

    python benchmarks/bench_load.py                 # 25M rows
    python benchmarks/bench_load.py --ratings 32000000
"""
import argparse, json, resource, subprocess, sys, time
import numpy as np
from pathlib import Path

DATA = Path(__file__).resolve().parent / '_data'

def worker(which, path):
    import pandas as pd, pyarrow  # noqa: F401 -- both readers pay for both imports
    from apply_ml_as.data import read_ratings
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    df = read_ratings(path) if which == 'apply_ml_as' else pd.read_csv(path)
    secs = time.perf_counter() - t
    return dict(seconds=secs, peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, base_mib=base,
                rows=len(df), frame_mib=df.memory_usage(deep=True).sum() / 2**20, dtypes=[str(d) for d in df.dtypes])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ratings', type=int, default=25_000_000); ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--worker', nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker: print(json.dumps(worker(*a.worker))); return
    folder = DATA / f'ml-synthetic-{a.ratings}'
    if not (folder / 'ratings.csv').exists():
        from apply_ml_as.synthetic import write_synthetic_release
        t = time.perf_counter(); write_synthetic_release(folder, a.ratings, seed=0)
        print(f'wrote {folder / "ratings.csv"} in {time.perf_counter() - t:.0f} s', file=sys.stderr)
    path = folder / 'ratings.csv'
    print(f'{path} ({path.stat().st_size / 2**20:,.0f} MiB, {a.ratings:,} ratings); {a.repeat} fresh-process runs each, alternating\n')
    runs = {'pandas.read_csv': [], 'apply_ml_as': []}
    for _ in range(a.repeat):
        for which in runs:
            out = subprocess.run([sys.executable, __file__, '--worker', which, str(path)], capture_output=True, text=True)
            if out.returncode: print(out.stderr[-2000:]); raise SystemExit(f'{which} failed')
            r = json.loads(out.stdout.strip().splitlines()[-1]); assert r['rows'] == a.ratings, r
            runs[which].append(r)
    print(f"{'reader':16s} {'median s':>8s} {'best s':>7s} {'worst s':>8s} {'peak MiB':>9s} {'after imports':>14s} {'frame MiB':>10s}  dtypes")
    med = {}
    for which, rs in runs.items():
        secs = sorted(r['seconds'] for r in rs); med[which] = float(np.median(secs))
        peak = max(r['peak_mib'] for r in rs); r = rs[0]
        print(f"{which:16s} {med[which]:8.2f} {secs[0]:7.2f} {secs[-1]:8.2f} {peak:9.0f} {r['base_mib']:14.0f} {r['frame_mib']:10.0f}  {','.join(r['dtypes'])}")
        med[which, 'peak'] = peak
    p, o = 'pandas.read_csv', 'apply_ml_as'
    print(f"\nspeed-up (median) {med[p] / med[o]:.2f}x (target >= 2), peak memory ratio {med[o, 'peak'] / med[p, 'peak']:.2f} (target < 1)")

if __name__ == '__main__': main()
