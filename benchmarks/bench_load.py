"""Load time and peak memory of `read_ratings` against pandas and pyarrow CSV readers, measured in one run.

A synthetic ratings.csv in the ml-25m layout (userId,movieId,rating,timestamp; 25M rows by default) is written
once by the project's generator into benchmarks/_data. The readers, each a row of the table:

    pandas defaults       pd.read_csv(path): C engine, int64/int64/float64/int64 (what a user gets without options)
    pandas dtypes         pd.read_csv(path, dtype=...): C engine, int32/int32/float32/int64, the types we return
    pandas pyarrow        pd.read_csv(path, engine='pyarrow', dtype=...): same dtypes. pandas accepts dtype= with this
                          engine, but (pandas 3.x) parses numeric columns at pyarrow's inferred types (int64/double)
                          and casts afterwards, so the wide columns exist for a while
    pyarrow.csv           pyarrow.csv.read_csv with column_types int32/int32/float32/int64: an Arrow Table, not a
                          DataFrame; result memory is Table.nbytes
    pyarrow.csv+pandas    the same, then Table.to_pandas(split_blocks=True, self_destruct=True) (the cheapest
                          conversion: Arrow buffers are freed as columns move); time and peak count read + convert
    apply_ml_as           apply_ml_as.data.movielens.read_ratings(path): int32/int32/float32/int64 DataFrame

Each reader runs in a fresh subprocess, --repeat times, the readers alternating. A worker imports only what its
reader needs (pandas; pandas + pyarrow; pyarrow; apply_ml_as.data.movielens, which brings numpy, pandas, pyarrow and numba),
then records its after-import baseline: current resident memory (VmRSS). Peak is the process's resident high-water
mark (VmHWM) at the end, shown raw and above that baseline. (Not ru_maxrss: a child's ru_maxrss starts at its parent's
resident size when it was spawned, so it would report the runner's memory, not the reader's.) The raw peak includes the interpreter and the imports, which differ between
readers; peak above baseline isolates the reading itself. Times vary a lot from run to run on a
shared machine (mostly page-fault time), so the median is the headline and the best and worst runs are shown
beside it. Our time includes numba loading its compiled kernels from the on-disk cache (about 0.3 s in a fresh
process). pyarrow and our reader use all cores; pandas' C engine uses one.

    python benchmarks/bench_load.py                 # 25M rows
    python benchmarks/bench_load.py --ratings 300000 --repeat 2   # a smoke run
"""
import argparse, json, subprocess, sys, time
import numpy as np
from memory import status_mib   # benchmarks/memory.py: this script's folder is on sys.path when it runs
from pathlib import Path
from harness import write_results

DATA = Path(__file__).resolve().parent / '_data'
READERS = ['pandas defaults', 'pandas dtypes', 'pandas pyarrow', 'pyarrow.csv', 'pyarrow.csv+pandas', 'apply_ml_as']
OURS = 'apply_ml_as'
DTYPES = {'userId': 'int32', 'movieId': 'int32', 'rating': 'float32', 'timestamp': 'int64'}

def reader(which):
    "Import what `which` needs and return a function path -> result."
    if which.startswith('pandas'):
        import pandas as pd
        if which == 'pandas pyarrow': import pyarrow  # noqa: F401 -- loaded by the engine anyway; import it before the baseline
        kw = {'pandas defaults': {}, 'pandas dtypes': dict(dtype=DTYPES), 'pandas pyarrow': dict(engine='pyarrow', dtype=DTYPES)}[which]
        return lambda p: pd.read_csv(p, **kw)
    if which.startswith('pyarrow'):
        import pyarrow as pa, pyarrow.csv as pacsv
        if which.endswith('pandas'): import pandas  # noqa: F401 -- to_pandas needs it
        conv = pacsv.ConvertOptions(column_types={k: pa.from_numpy_dtype(np.dtype(v)) for k, v in DTYPES.items()})
        read = lambda p: pacsv.read_csv(p, convert_options=conv)
        return (lambda p: read(p).to_pandas(split_blocks=True, self_destruct=True)) if which.endswith('pandas') else read
    from apply_ml_as.data.movielens import read_ratings
    return read_ratings

def worker(which, path):
    read = reader(which)
    base, base_peak = status_mib('VmRSS', 'VmHWM')
    t = time.perf_counter()
    res = read(path)
    secs = time.perf_counter() - t
    peak, = status_mib('VmHWM')
    if hasattr(res, 'memory_usage'): mib, dtypes = res.memory_usage(deep=True).sum() / 2**20, [str(d) for d in res.dtypes]
    else: mib, dtypes = res.nbytes / 2**20, [str(t) for t in res.schema.types]
    return dict(seconds=secs, peak_mib=peak, base_mib=base, base_peak_mib=base_peak, rows=len(res), result_mib=mib, dtypes=dtypes)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ratings', type=int, default=25_000_000); ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--worker', nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker: print(json.dumps(worker(*a.worker))); return
    folder = DATA / f'ml-synthetic-{a.ratings}'
    if not (folder / 'ratings.csv').exists():
        from apply_ml_as.data.synthetic import write_synthetic_release
        t = time.perf_counter(); write_synthetic_release(folder, a.ratings, seed=0)
        print(f'wrote {folder / "ratings.csv"} in {time.perf_counter() - t:.0f} s', file=sys.stderr)
    path = folder / 'ratings.csv'
    import pandas, pyarrow
    print(f'{path} ({path.stat().st_size / 2**20:,.0f} MiB, {a.ratings:,} ratings); {a.repeat} fresh-process runs each, alternating; '
          f'pandas {pandas.__version__}, pyarrow {pyarrow.__version__}\n')
    runs = {w: [] for w in READERS}
    for _ in range(a.repeat):
        for which in READERS:
            out = subprocess.run([sys.executable, __file__, '--worker', which, str(path)], capture_output=True, text=True)
            if out.returncode: print(out.stderr[-2000:]); raise SystemExit(f'{which} failed')
            r = json.loads(out.stdout.strip().splitlines()[-1]); assert r['rows'] == a.ratings, r
            runs[which].append(r)
    print(f"{'reader':18s} {'median s':>8s} {'best s':>7s} {'worst s':>8s} {'peak MiB':>9s} {'baseline':>9s} {'above base':>10s} {'result MiB':>10s}  dtypes")
    s = {}
    for which, rs in runs.items():
        secs = sorted(r['seconds'] for r in rs)
        s[which] = dict(median=float(np.median(secs)), peak=max(r['peak_mib'] for r in rs), base=float(np.median([r['base_mib'] for r in rs])),
                        above=max(r['peak_mib'] - r['base_mib'] for r in rs), best=secs[0], worst=secs[-1], result_mib=rs[0]['result_mib'],
                        dtypes=list(rs[0]['dtypes']), upper_bound=any(r['peak_mib'] <= r['base_peak_mib'] for r in rs))
        x, flag = s[which], '*' if any(r['peak_mib'] <= r['base_peak_mib'] for r in rs) else ' '
        print(f"{which:18s} {x['median']:8.2f} {secs[0]:7.2f} {secs[-1]:8.2f} {x['peak']:9.0f} {x['base']:9.0f} {x['above']:10.0f}{flag}"
              f"{rs[0]['result_mib']:10.0f}  {','.join(rs[0]['dtypes'])}")
    print(f'\n{OURS} against each reader: speed-up = their median s / ours (target >= 2 against pandas defaults);'
          ' memory = our peak / theirs, above baseline (target < 1) and raw')
    o = s[OURS]
    for which in READERS[:-1]:
        x = s[which]
        print(f"  vs {which:18s} speed-up {x['median'] / o['median']:5.2f}x   peak above baseline {o['above'] / x['above']:5.2f}   raw peak {o['peak'] / x['peak']:5.2f}")
    print('\n(peak: largest VmHWM over the runs; baseline: median VmRSS after the worker\'s imports, before reading;'
          ' above base: largest peak minus that run\'s baseline. result MiB: DataFrame.memory_usage(deep=True), or Table.nbytes for pyarrow.csv;'
          ' * marks a reader whose read never rose above the high-water mark the imports had left, so its above-base figure is an upper bound.)')
    print(f"wrote {write_results('bench_load', dict(readers=s, ratings=a.ratings, repeat=a.repeat, file_mib=path.stat().st_size / 2**20, pandas=pandas.__version__, pyarrow=pyarrow.__version__))}")

if __name__ == '__main__': main()
