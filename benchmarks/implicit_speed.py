"""Seconds per epoch of ImplicitALS's preference model against implicit's CPU ALS, side by side in one run, on the project's
synthetic ratings at MovieLens-25M's shape (benchmarks/bench_als.py's cached arrays), at K = 64 and 128, with the same threads;
and top-10 for every user against the explicit latent model's.

What is timed is the same work on both sides: one epoch of implicit-feedback ALS (every user's vector, then every item's, with
the zeros through a shared Gram matrix), conjugate gradient with 3 steps per row (implicit's default solver) and our exact
Cholesky solve too. BLAS runs at one thread inside both (implicit warns otherwise; ImplicitALS.fit does the same). implicit gets the confidences 1 + alpha * rating in a CSR matrix built beforehand (untimed) and fits one
call with its iterations; its per-epoch time is (a fit of 3 iterations - a fit of 1) / 2, so its setup cancels; ours runs its preference sweep (`implicit_rows[_cg]` on both sides, the sweep
ImplicitALS.fit calls each epoch) on arrays prepared the same way. The rating model ImplicitALS also trains each epoch (a
LatentALS sweep) is timed apart. --part top10 times top-10 for every user against the explicit latent model's.

    pip install implicit==0.7.3           # into the venv that has apply_ml_as
    python benchmarks/implicit_speed.py                      # 25M ratings, K = 64 and 128, 3 repeats
    python benchmarks/implicit_speed.py --ratings 2000000 --k 64 --repeat 1
    python benchmarks/implicit_speed.py --part top10          # top-10 for all users, ImplicitALS against LatentALS
"""
import argparse, os, sys, time
from pathlib import Path
import numpy as np, scipy.sparse as sp
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as H
from bench_als import data_path

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ratings', type=int, default=25_000_000); ap.add_argument('--k', type=int, nargs='+', default=[64, 128])
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--exact-k', type=int, nargs='*', default=[64], help="the K at which the exact solvers run too (implicit's takes minutes per epoch at K=128)")
    ap.add_argument('--part', choices=['all', 'top10'], default='all', help='top10: only top-10 for every user, ImplicitALS at K = 64 and 50 against LatentALS at K = 50')
    a = ap.parse_args()
    users, items = (162_541, 59_047) if a.ratings == 25_000_000 else (max(10, a.ratings * 162_541 // 25_000_000), max(10, round(59_047 * (a.ratings / 25e6) ** 0.5)))
    d = np.load(data_path(a.ratings, users, items))
    import numba
    from threadpoolctl import threadpool_limits
    from apply_ml_as.data.interactions import Interactions
    from apply_ml_as.models.implicit import ImplicitALS, unrated_weights, rating_confidence
    from apply_ml_as.kernels.implicit import implicit_rows, implicit_rows_cg
    from apply_ml_as.models.latent import LatentALS
    from apply_ml_as.use.recommend import recommend
    from implicit.cpu.als import AlternatingLeastSquares
    X = Interactions(d['user'], d['item'], d['rating'])
    threads = numba.get_num_threads()
    print(f'{len(X):,} ratings, {X.n_users:,} users, {X.n_items:,} items; {threads} threads for both libraries; {os.cpu_count()} cores', flush=True)
    alpha, top, reg = 10.0, 5.0, 10.0
    csr, csc = X.by_user, X.by_item
    du, di = rating_confidence(csr.data, alpha, top).astype(np.float32), rating_confidence(csc.data, alpha, top).astype(np.float32)
    w = unrated_weights(X.item_counts, 0.35).astype(np.float32); ones = np.ones(X.n_users, np.float32)
    C = sp.csr_matrix((1 + alpha * csr.data / top, csr.indices, csr.indptr), shape=csr.shape).astype(np.float32)   # implicit: c = 1 + alpha r / top
    results = {}
    if a.part == 'top10': return top10_part(X, a)
    for K in a.k:
        rng = np.random.default_rng(0)
        U, V = np.zeros((X.n_users, K), np.float32), rng.normal(0, 0.01, (X.n_items, K)).astype(np.float32)
        def ours(solver):
            def sweep():
                if solver == 'cg':
                    implicit_rows_cg(csr.indptr, csr.indices, du, V, ones, w, reg, U, reg_exponent=0.5, steps=3)
                    implicit_rows_cg(csc.indptr, csc.indices, di, U, w, ones, reg, V, reg_exponent=0.5, steps=3)
                else:
                    implicit_rows(csr.indptr, csr.indices, du, V, ones, w, reg, U, reg_exponent=0.5)
                    implicit_rows(csc.indptr, csc.indices, di, U, w, ones, reg, V, reg_exponent=0.5)
            return sweep
        def theirs(use_cg):
            def sweep():   # implicit fits all its iterations in one call (its setup included): an epoch is (fit of 1 + E) - (fit of 1), over E
                E = 2
                fits = []
                for n in (1, 1 + E):
                    m = AlternatingLeastSquares(factors=K, regularization=1.0, alpha=1.0, iterations=n, use_cg=use_cg, num_threads=threads, random_state=0)
                    t = time.perf_counter(); m.fit(C, show_progress=False); fits.append(time.perf_counter() - t)
                return (fits[1] - fits[0]) / E
            return sweep
        runs = {'ours CG': ours('cg'), 'implicit CG': theirs(True)}
        if K in a.exact_k: runs.update({'ours exact': ours('cholesky'), 'implicit exact': theirs(False)})
        times = {k: [] for k in runs}
        with threadpool_limits(1, 'blas'):   # as implicit asks (its threads are its own), and as ImplicitALS.fit runs
            for f in runs.values(): f()   # warm-up: compilation (ours from the on-disk cache), thread pools, implicit's first allocation
            for _ in range(a.repeat):
                for k, f in runs.items():   # interleaved, so that the machine's drift falls on both alike
                    t = time.perf_counter(); got = f(); times[k].append(got if got is not None else time.perf_counter() - t)
        med = {k: float(np.median(v)) for k, v in times.items()}
        for k, v in times.items(): print(f'K={K:4d} {k:15s} median {med[k]:7.2f} s/epoch   runs {", ".join(f"{x:.2f}" for x in v)}', flush=True)
        ratio = {k: med[f'ours {k}'] / med[f'implicit {k}'] for k in ('CG', 'exact') if f'ours {k}' in med}
        print(f'K={K:4d} ours/implicit: ' + ', '.join(f'{k} {v:.2f}' for k, v in ratio.items()), flush=True)
        results[f'K={K}'] = dict(seconds=times, median=med, ratio_cg=ratio['CG'], ratio_exact=ratio.get('exact'))
    # the rating model's sweep that ImplicitALS adds (top-10 for every user: --part top10)
    t = time.perf_counter(); LatentALS(n_factors=50, tau=12.0, gamma=3.0, n_epochs=2, tol=0).fit(X); rating_epoch = (time.perf_counter() - t) / 2
    print(f'rating model (LatentALS K=50) epoch, part of every ImplicitALS epoch: {rating_epoch:.2f} s (fit of 2 epochs / 2, setup included)')
    results.update(rating_epoch_s=rating_epoch)
    if a.ratings == 25_000_000: print(f'written: {H.write_results("implicit_speed", results)}')

def top10_part(X, a):
    "Top-10 for every user: ImplicitALS (the blend: a product for the preference scores, the rating model weighed for the best candidates) at its K = 64 and at the latent model's K = 50, against LatentALS K = 50; medians of interleaved repeats."
    from apply_ml_as.models.implicit import ImplicitALS
    from apply_ml_as.models.latent import LatentALS
    from apply_ml_as.use.recommend import recommend
    models = {'ImplicitALS K=64': ImplicitALS(n_factors=64, n_epochs=1, tol=0).fit(X), 'ImplicitALS K=50': ImplicitALS(n_factors=50, n_epochs=1, tol=0).fit(X),
              'LatentALS K=50': LatentALS(n_factors=50, tau=12.0, gamma=3.0, n_epochs=1, tol=0).fit(X)}
    for m in models.values(): recommend(m, m.user_ids_[:100], exclude=X)   # warm-up
    times = {k: [] for k in models}
    for _ in range(a.repeat):
        for k, m in models.items():
            t = time.perf_counter(); recommend(m, m.user_ids_, n=10, exclude=X); times[k].append(time.perf_counter() - t)
    med = {k: float(np.median(v)) for k, v in times.items()}
    for k, v in times.items(): print(f'top-10 for all {X.n_users:,} users, {k:18s} median {med[k]:6.1f} s   runs {", ".join(f"{x:.1f}" for x in v)}')
    print(f'ImplicitALS / LatentALS: {med["ImplicitALS K=64"] / med["LatentALS K=50"]:.2f} at K = 64, {med["ImplicitALS K=50"] / med["LatentALS K=50"]:.2f} at the same K')
    if a.ratings == 25_000_000: print(f'written: {H.write_results("implicit_speed-top10", dict(seconds=times, median=med))}')

if __name__ == '__main__': main()
