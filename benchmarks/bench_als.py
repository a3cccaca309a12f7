"""Seconds per epoch, peak memory and train RMSE of our latent ALS against LensKit's BiasedMF (and cmfrec), measured in one run.

The data: the project's synthetic generator at MovieLens-25M's shape (25M ratings, 162,541 users, 59,047 items,
power-law activity), generated once and cached in benchmarks/_data as three arrays (user, item, rating).

    pip install -r benchmarks/requirements.txt        # LensKit; 2026.x needs Python >= 3.12.5, so perhaps another venv
    python benchmarks/bench_als.py                    # full size: about 10 minutes on 2 cores
    python benchmarks/bench_als.py --ratings 2000000  # a quicker look
    python benchmarks/bench_als.py --python .venv-bench313/bin/python   # LensKit's worker runs under that interpreter
    python benchmarks/bench_als.py --k 10 32 64 128 --epochs 3 --cg --cmfrec --python ...   # every K, both solvers, cmfrec too

With --cg our solver='cg' (three warm-started conjugate-gradient steps per row instead of the exact solve) runs beside the
exact solver and the ratio of their epochs is printed, with the train RMSE each reaches. With --cmfrec, cmfrec 3.5 (C, BLAS and
LAPACK, OpenMP; ALS with biases, float32) runs too: exact, and with --cg its own CG (3 steps). cmfrec fits all its iterations in
one call, so its s/epoch is (a fit of n iterations - a fit of one) / (n - 1).

Each library and K runs in a fresh subprocess (this file, run as a worker; ours under this interpreter, LensKit's
under --python), which does, in order:

  1. import what the library needs (ours: numpy, pandas, numba, apply_ml_as; LensKit: numpy, pandas, torch, lenskit);
  2. record the after-import baseline: resident memory now (VmRSS), and the high-water mark so far (VmHWM);
  3. load the same arrays from the .npz;
  4. warm up on the first 1,000 ratings (one untimed tiny fit: our numba kernels load from their on-disk cache, or
     compile on the first run ever; LensKit's lazy imports and thread pools start);
  5. setup, timed: ours builds `Interactions` (CSR by user and CSC by item); LensKit wraps the arrays in a DataFrame
     without copying them (checked with np.shares_memory), then `from_interactions_df` and `create_trainer`
     (its CSR matrices, the bias model and initial embeddings);
  6. the epochs, each timed.

Peak is the worker's resident high-water mark (VmHWM) at the end, shown raw and above the baseline of step 2. So
"above baseline" counts the arrays, the warm-up, setup and training, and not the interpreter or the imports (torch
alone is a few hundred MiB). It is not ru_maxrss: a child's ru_maxrss starts at its parent's high-water mark
(on Linux it is carried across fork/exec), so it would count this runner, which may just have generated the data.
The two workers may run under different Python versions; the baseline absorbs that too.

The two libraries do not minimise the same objective: LensKit's BiasedMF fixes its biases first (damped means)
and regularises each vector by `regularization * n` (n = that row's ratings); ours learns biases and vectors
jointly with fixed precisions. Regularisation is matched roughly (LensKit's default 0.1 and damping 5; ours
tau = 15, about 0.1 times the median row's ratings, gamma = 5); train RMSE after the same epochs shows the fits are
alike, not equal, so s/epoch compares sweeps of two related algorithms rather than one algorithm's two codes.
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path
import numpy as np
from memory import status_mib   # benchmarks/memory.py: this script's folder is on sys.path when it runs

DATA = Path(__file__).resolve().parent / '_data'
WARM = 1000   # ratings in the untimed warm-up fit

def data_path(n_ratings, n_users, n_items):
    p = DATA / f'synthetic-{n_ratings}-{n_users}-{n_items}.npz'
    if not p.exists():
        from apply_ml_as.data.synthetic import synthetic_movielens
        t = time.perf_counter()
        r = synthetic_movielens(n_ratings, n_users=n_users, n_items=n_items, seed=0).ratings
        DATA.mkdir(exist_ok=True)
        tmp = p.with_suffix('.tmp.npz')
        np.savez(tmp, user=r.user_id.to_numpy(), item=r.item_id.to_numpy(), rating=r.rating.to_numpy())
        os.replace(tmp, p)
        print(f'generated {n_ratings:,} synthetic ratings in {time.perf_counter() - t:.0f} s -> {p}', file=sys.stderr)
    return p

def load(path):
    "The baseline (after the caller's imports), then the arrays."
    base_mib, base_hwm_mib = status_mib('VmRSS', 'VmHWM')
    with np.load(path) as z: d = {k: z[k] for k in ('user', 'item', 'rating')}
    return dict(base_mib=base_mib, base_hwm_mib=base_hwm_mib, loaded_mib=status_mib('VmRSS')[0]), d

def run_ours(path, k, epochs, sampler=False, solver='cholesky', priors=False, one_noise=False):
    """Our LatentALS (each epoch one exact sweep; then each half-sweep timed alone; with solver='cg' three warm-started CG steps per row
    instead), or with `sampler` BayesALS (chapter 25: each epoch one Gibbs sweep, every sweep kept, running sums included): without side
    data, or with `priors` its default priors, the rated-items prior for people and the rated-by prior for movies (both with its default
    noise precision per person, or with `one_noise` one for everyone). With `priors` and
    no sampler: the point model with the same two priors, FeatureALS (chapter 24), each epoch one sweep."""
    import numba, pandas  # noqa: F401 -- imported by apply_ml_as anyway; named here so the baseline plainly includes them
    from apply_ml_as.data.interactions import Interactions
    from apply_ml_as.models.latent import LatentALS
    from apply_ml_as.models.bayes import BayesALS
    from apply_ml_as.models.feature import FeatureALS
    make = (lambda n: BayesALS(n_factors=k, burn_in=0, n_samples=n, keep_draws=1, rated_items_prior=priors, rated_by_prior=priors,
                                       **(dict(user_noise=None) if one_noise else {}))) if sampler else \
           (lambda n: FeatureALS(n_factors=k, lam=1.0, gamma=5.0, tau=15.0, n_epochs=n, tol=0, rated_items_prior=True, rated_by_prior=True)) if priors else \
           (lambda n: LatentALS(n_factors=k, lam=1.0, gamma=5.0, tau=15.0, n_epochs=n, tol=0, solver=solver))
    out, d = load(path)
    t = time.perf_counter()
    make(1).fit(Interactions(d['user'][:WARM], d['item'][:WARM], d['rating'][:WARM]))
    out['warm_s'], out['warm_mib'] = time.perf_counter() - t, status_mib('VmRSS')[0] - out['loaded_mib']
    t = time.perf_counter()
    X = Interactions(d['user'], d['item'], d['rating']); X.by_item
    out['setup_s'] = time.perf_counter() - t
    m = make(epochs).fit(X)
    h = m.history_
    out['peak_mib'], = status_mib('VmHWM')
    out.update(epoch_s=h.seconds.tolist(), train_rmse=float(h.train_rmse.iloc[-1]))
    if sampler or priors or solver != 'cholesky': return out
    # each half-sweep alone (after the peak is read): the kernel on the trained state, best of two
    from apply_ml_as.kernels.als import ridge_rows
    half = {}
    for side, (M, ob, of, n) in dict(users=(X.by_user, m.item_bias_, m.item_factors_, X.n_users), items=(X.by_item, m.user_bias_, m.user_factors_, X.n_items)).items():
        b, f = np.empty(n, of.dtype), np.empty((n, k), of.dtype); ts = []
        for _ in range(2):
            t = time.perf_counter(); ridge_rows(M.indptr, M.indices, M.data, m.global_mean_, ob, of, 5.0, 15.0, b, f); ts.append(time.perf_counter() - t)
        half[side] = dict(s=min(ts), rows=int(n), nnz=int(M.nnz))
    return dict(out, half=half)

def half_sweep_gflop(rows, nnz, k):
    """The work of one exact half-sweep, in GFLOP: per rating the Gram matrix's upper triangle (K1(K1+1) flops, multiply and add)
    and the right-hand side (2 K1); per row the Cholesky factorisation (K1^3/3) and two triangular solves (2 K1^2); K1 = K + 1."""
    k1 = k + 1
    return (nnz * (k1 * (k1 + 1) + 2 * k1) + rows * (k1 ** 3 / 3 + 2 * k1 ** 2)) / 1e9

def matmul_gflops(n=3000, reps=3):
    "This machine's float32 matrix-multiply rate (numpy's BLAS, all threads), GFLOP/s: the best of a few n x n products."
    a = np.random.default_rng(0).random((n, n), dtype=np.float32); b = a.copy(); a @ b
    best = min(_timed(lambda: a @ b) for _ in range(reps))
    return 2 * n ** 3 / best / 1e9

def _timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

def run_lenskit(path, k, epochs):
    import pandas as pd, torch, lenskit  # noqa: F401 -- lenskit imports torch; named so the baseline plainly includes it
    from lenskit.als import BiasedMFScorer, BiasedMFConfig
    from lenskit.data import from_interactions_df
    from lenskit.training import TrainingOptions
    out, d = load(path)
    config = BiasedMFConfig(embedding_size=k, epochs=epochs, regularization=0.1, damping=5.0)

    def setup(n):   # the first n ratings, as a DataFrame over the same arrays (no copy), then LensKit's own structures
        df = pd.DataFrame({'user_id': d['user'][:n], 'item_id': d['item'][:n], 'rating': d['rating'][:n]}, copy=False)
        assert all(np.shares_memory(df[c].to_numpy(), d[a]) for c, a in (('user_id', 'user'), ('item_id', 'item'), ('rating', 'rating')))
        data = from_interactions_df(df)
        scorer = BiasedMFScorer(config)
        return data, scorer, scorer.create_trainer(data, TrainingOptions(rng=0))

    t = time.perf_counter()
    setup(WARM)[2].train_epoch()
    out['warm_s'], out['warm_mib'] = time.perf_counter() - t, status_mib('VmRSS')[0] - out['loaded_mib']
    t = time.perf_counter()
    data, scorer, trainer = setup(len(d['rating']))
    out['setup_s'] = time.perf_counter() - t
    times = []
    for _ in range(epochs):
        t = time.perf_counter(); trainer.train_epoch(); times.append(time.perf_counter() - t)
    out['peak_mib'], = status_mib('VmHWM')   # before the RMSE below, which builds a few arrays of its own
    # train RMSE of LensKit's own model: its biases plus P Q^T on the training cells
    m = data.interactions().matrix().scipy(attribute='rating', layout='coo')
    b = scorer.bias
    pred = b.global_bias + (b.user_biases[m.row] if b.user_biases is not None else 0) + (b.item_biases[m.col] if b.item_biases is not None else 0)
    pred = pred + np.einsum('nk,nk->n', scorer.user_embeddings[m.row], scorer.item_embeddings[m.col])
    return dict(out, epoch_s=times, train_rmse=float(np.sqrt(np.mean((pred - m.data) ** 2))))

def run_cmfrec(path, k, epochs, cg=False):
    """cmfrec 3.5's CMF, explicit ALS with biases, float32, both threads: exact Cholesky solves, or with `cg` its conjugate gradient
    (3 steps per row, no final Cholesky sweep). It fits all its iterations in one call, so s/epoch is (fit with `epochs` iterations - fit with
    one) / (epochs - 1), which leaves out its setup (CSR and CSC copies, initialisation); setup is the one-iteration fit less one epoch."""
    import pandas as pd, cmfrec  # noqa: F401
    out, d = load(path)
    df = pd.DataFrame({'UserId': d['user'], 'ItemId': d['item'], 'Rating': d['rating']}, copy=False)
    make = lambda n: cmfrec.CMF(k=k, lambda_=15.0, method='als', use_cg=cg, finalize_chol=False, user_bias=True, item_bias=True, niter=n,
                                use_float=True, precompute_for_predictions=False, nthreads=os.cpu_count(), random_state=0, verbose=False)
    t = time.perf_counter()
    make(1).fit(df.iloc[:WARM])
    out['warm_s'], out['warm_mib'] = time.perf_counter() - t, status_mib('VmRSS')[0] - out['loaded_mib']
    t = time.perf_counter(); make(1).fit(df); one = time.perf_counter() - t
    t = time.perf_counter(); m = make(epochs).fit(df); many = time.perf_counter() - t
    per = (many - one) / max(epochs - 1, 1)
    out['peak_mib'], = status_mib('VmHWM')
    out['setup_s'] = one - per
    pred = m.predict(d['user'], d['item'])
    return dict(out, epoch_s=[per], train_rmse=float(np.sqrt(np.mean((pred - d['rating']) ** 2))))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ratings', type=int, default=25_000_000); ap.add_argument('--users', type=int, default=162_541)
    ap.add_argument('--items', type=int, default=59_047); ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--k', type=int, nargs='+', default=[10, 32]); ap.add_argument('--no-lenskit', action='store_true')
    ap.add_argument('--gibbs', action='store_true', help='also time one Gibbs sweep of BayesALS per epoch, without side data and with its default priors (and those with one noise precision for everyone), and the point model with those priors')
    ap.add_argument('--cg', action='store_true', help="also time our solver='cg' (3 CG steps per row) against the exact solver")
    ap.add_argument('--cmfrec', action='store_true', help='also time cmfrec 3.5 (exact, and with --cg its CG too); pip install cython, then pip install --no-build-isolation cmfrec')
    ap.add_argument('--repeat', type=int, default=1, help='run every worker this many times, interleaved; report the median s/epoch')
    ap.add_argument('--python', default=sys.executable, help='interpreter for the LensKit worker (default: this one)')
    ap.add_argument('--worker', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        lib, path, k = a.worker
        run = dict(ours=run_ours, gibbs=lambda *x: run_ours(*x, sampler=True), lenskit=run_lenskit, cmfrec=run_cmfrec,
                   **{'gibbs-priors': lambda *x: run_ours(*x, sampler=True, priors=True), 'feature-priors': lambda *x: run_ours(*x, priors=True),
                      'gibbs-priors-1noise': lambda *x: run_ours(*x, sampler=True, priors=True, one_noise=True)},
                   **{'ours-cg': lambda *x: run_ours(*x, solver='cg'), 'cmfrec-cg': lambda *x: run_cmfrec(*x, cg=True)})[lib]
        print(json.dumps(run(path, int(k), a.epochs))); return
    users, items = (a.users, a.items) if a.ratings == 25_000_000 else (max(10, a.ratings * a.users // 25_000_000), max(10, round(a.items * (a.ratings / 25e6) ** 0.5)))
    path = data_path(a.ratings, users, items)
    libs = ['ours'] + (['ours-cg'] if a.cg else []) + (['gibbs', 'gibbs-priors', 'gibbs-priors-1noise', 'feature-priors'] if a.gibbs else []) + ([] if a.no_lenskit else ['lenskit']) + \
           (['cmfrec'] + (['cmfrec-cg'] if a.cg else []) if a.cmfrec else [])
    python = {lib: a.python if lib == 'lenskit' else sys.executable for lib in libs}
    print(f'{a.ratings:,} synthetic ratings, {users:,} users, {items:,} items; {a.epochs} epochs; {os.cpu_count()} cores')
    for lib in libs: print(f'  {lib} worker: {python[lib]}')
    print(f"\n{'library':12s} {'K':>3s} {'setup s':>8s} {'warm s':>7s} {'warm MiB':>8s} {'s/epoch':>8s} {'peak MiB':>9s} {'baseline':>9s} {'above base':>10s} {'train RMSE':>10s}")
    res, runs = {}, {}
    for k, rep, lib in ((k, rep, lib) for k in a.k for rep in range(a.repeat) for lib in libs):
        out = subprocess.run([python[lib], __file__, '--epochs', str(a.epochs), '--worker', lib, str(path), str(k)],
                             capture_output=True, text=True)
        if out.returncode:   # reported, and the run goes on: a peer that cannot run a K is a result too
            why = 'killed by signal 9: out of memory?' if out.returncode == -9 else f'exit status {out.returncode}'
            print(f"{lib:12s} {k:3d}   failed ({why}){': ' + out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ''}", flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r['per_epoch'] = float(np.median(r['epoch_s'][1:] if len(r['epoch_s']) > 1 else r['epoch_s']))
        r['above'] = r['peak_mib'] - r['base_mib']
        runs.setdefault((lib, k), []).append(r['per_epoch'])
        res[lib, k] = dict(r, per_epoch=float(np.median(runs[lib, k])))
        print(f"{lib:12s} {k:3d} {r['setup_s']:8.2f} {r['warm_s']:7.2f} {r['warm_mib']:8.0f} {r['per_epoch']:8.3f} {r['peak_mib']:9.0f} {r['base_mib']:9.0f} "
              f"{r['above']:10.0f} {r['train_rmse']:10.4f}", flush=True)
    peak = matmul_gflops()
    print(f'\nhalf-sweeps of our exact solver (the kernel alone on the trained state, best of two), against this machine\'s float32 matrix multiply, {peak:.0f} GFLOP/s:')
    for k in (k for k in a.k if ('ours', k) in res):
        for side, hs in res['ours', k]['half'].items():
            g = half_sweep_gflop(hs['rows'], hs['nnz'], k)
            print(f"  K={k:<3d} {side:5s} {hs['rows']:>8,} rows  {hs['s']:6.3f} s  {g:7.2f} GFLOP  {g / hs['s']:6.1f} GFLOP/s  ({g / hs['s'] / peak:.0%} of the matrix multiply)")
    if 'gibbs' in libs:
        print('\nratio, one Gibbs sweep (BayesALS, no side data) / one ALS epoch (LatentALS) (target: <= 1.25):')
        for k in a.k:
            if ('gibbs', k) in res and ('ours', k) in res: print(f"  K={k:<3d} {res['gibbs', k]['per_epoch'] / res['ours', k]['per_epoch']:.2f}")
        print('ratio, one Gibbs sweep with the rated-items and rated-by priors (BayesALS defaults) / one ALS epoch (LatentALS) (target: <= 1.5):')
        for k in a.k:
            if ('gibbs-priors', k) in res and ('ours', k) in res: print(f"  K={k:<3d} {res['gibbs-priors', k]['per_epoch'] / res['ours', k]['per_epoch']:.2f}")
        print('ratio, the same Gibbs sweep with one noise precision for everyone (user_noise=None) / one ALS epoch (LatentALS):')
        for k in a.k:
            if ('gibbs-priors-1noise', k) in res and ('ours', k) in res: print(f"  K={k:<3d} {res['gibbs-priors-1noise', k]['per_epoch'] / res['ours', k]['per_epoch']:.2f}")
        print('ratio, the Gibbs sweep with the priors (defaults) / one epoch of the point model with the same priors (FeatureALS):')
        for k in a.k:
            if ('gibbs-priors', k) in res and ('feature-priors', k) in res: print(f"  K={k:<3d} {res['gibbs-priors', k]['per_epoch'] / res['feature-priors', k]['per_epoch']:.2f}")
    if a.cg:
        print("\nratio, one epoch of our solver='cg' (3 steps per row) / one exact epoch (target: below 1.0 from K=32, <= 0.5 at K=64); train RMSE after the same epochs:")
        for k in (k for k in a.k if ('ours-cg', k) in res and ('ours', k) in res): print(f"  K={k:<3d} {res['ours-cg', k]['per_epoch'] / res['ours', k]['per_epoch']:.2f}   train RMSE {res['ours-cg', k]['train_rmse']:.4f} against {res['ours', k]['train_rmse']:.4f}")
    if a.cmfrec:
        print('\nratios, ours / cmfrec (exact against exact' + (', CG against CG' if a.cg else '') + '):')
        for k in (k for k in a.k if ('cmfrec', k) in res and ('ours', k) in res):
            print(f"  K={k:<3d} s/epoch {res['ours', k]['per_epoch'] / res['cmfrec', k]['per_epoch']:.2f}" +
                  (f"   CG {res['ours-cg', k]['per_epoch'] / res['cmfrec-cg', k]['per_epoch']:.2f}" if ('cmfrec-cg', k) in res and ('ours-cg', k) in res else ''))
    if 'lenskit' in libs:
        print('\nratios, ours / LensKit (targets: s/epoch <= 0.35 at K=10 and K=32; peak memory <= 1.0):')
        for k in (k for k in a.k if ('lenskit', k) in res and ('ours', k) in res):
            o, l = res['ours', k], res['lenskit', k]
            print(f"  K={k:<3d} s/epoch {o['per_epoch'] / l['per_epoch']:.2f}   peak above baseline {o['above'] / l['above']:.2f}"
                  f"   raw peak {o['peak_mib'] / l['peak_mib']:.2f}   setup {o['setup_s'] / l['setup_s']:.2f}")
    if a.repeat > 1: print(f'\n(each worker ran {a.repeat} times, interleaved; the ratios use the median of its runs)')
    print('\n(s/epoch: median of epochs 2..n, each one full sweep, users then items; ours also computes the objective and train RMSE every epoch.'
          '\n peak: the worker\'s VmHWM after training; baseline: its VmRSS after importing the library (interpreter, numpy, pandas and'
          ' numba + apply_ml_as, or torch + lenskit), before loading the arrays; above base = peak - baseline, which counts the arrays,'
          f' the untimed warm-up fit on {WARM:,} ratings (warm s: our kernels from the numba cache, LensKit\'s lazy imports; warm MiB: the resident memory it added and kept), setup and training.)')
    if any(r['peak_mib'] <= r['base_hwm_mib'] for r in res.values()):
        print('(note: some worker never rose above the high-water mark its imports left, so its above-base figure is an upper bound)')
    if not a.worker and a.ratings == 25_000_000:   # the full-size runs are the ones the docs show
        from harness import write_results
        keep = ('per_epoch', 'setup_s', 'warm_s', 'peak_mib', 'base_mib', 'above', 'train_rmse')
        rows = [dict(library=lib, K=k, runs=runs[lib, k], **{x: r[x] for x in keep}) for (lib, k), r in res.items()]
        name = 'bench_als' if 'lenskit' in libs else 'bench_gibbs' if a.gibbs else 'bench_cg' if a.cg else None   # a run without the peer does not replace the one with it
        if name: print(f"wrote {write_results(name, dict(rows=rows, epochs=a.epochs, repeat=a.repeat, matmul_gflops=peak))}")

if __name__ == '__main__': main()
