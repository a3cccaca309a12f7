"""Where an exact half-sweep spends its time: the kernel's stages timed apart, on the 25M synthetic set (bench_als.py's data).

For each K and each side (users: 162,541 rows solved against the item vectors; items: 59,047 rows against the user vectors),
on random vectors of a trained model's size (N(0, 0.1) vectors, N(0, 0.3) biases):

    gather        one pass over each row's ratings, as the kernel makes it: y = r - mu - b_other, and the sums the system
                  needs besides the Gram matrix (Z'y, the sum of the vectors, y'y) -- the random reads of the other side's vectors
    gather+Gram   the same pass copying the vectors into a block Z, then Z'Z's upper triangle by the kernel's register tiles
    Cholesky      the lane-wise factorisation and solves (`cholesky_solve_lanes`) alone, on as many (K+1)x(K+1) systems
    half-sweep    `ridge_rows`, everything (the float64 re-solve of lost rows included, which random data never needs)
    CG, 3 steps   `ridge_rows_cg`, 3 steps from zero: LatentALS(solver='cg')'s half-sweep (its first epoch's start)

Each time is the best of --repeat runs. GFLOP/s counts the work bench_als.py counts (the Gram's upper triangle, the
right-hand side, the factorisation and the two triangular solves) over the whole half-sweep; the Gram stage's rate is the
next column: the upper triangle's K(K+1) flops per rating over (+Gram - gather) (the tiles compute some entries below the
diagonal too, which this does not count). Both passes prefetch the vector 12 ratings ahead (_PREFETCH_AHEAD), as the kernel does.

    python benchmarks/profile_kernel.py                  # K = 10, 32, 64, 128: about 4 minutes on 2 cores
    python benchmarks/profile_kernel.py --k 32 --repeat 5
    python benchmarks/profile_kernel.py --spmm           # instead: the rated-items prior's sparse products, ours against SciPy's

--spmm times the two products each conjugate-gradient step of chapter 24's rated-items prior needs, N W and N'U, where N
holds 1/sqrt(n_u) at each rating of user u: SciPy's (float64, one thread) against `sparse_dense` (rows in parallel, float64
sums) reading float64 or float32 vectors.
"""
import argparse, time, sys
from harness import write_results
from pathlib import Path
import numpy as np
import numba
from numba import njit, prange
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_als import data_path, half_sweep_gflop
from apply_ml_as.data.interactions import Interactions
from apply_ml_as.kernels.als import (ridge_rows, ridge_rows_cg, balanced_chunks, LANES, cholesky_solve_lanes, sparse_dense,
                                 gram_upper, prefetch_ahead, padded_width)
from apply_ml_as.models.feature import normalise_rows

@njit(parallel=True, fastmath={'contract'})   # not cached: it inlines the kernel's gram_upper, and numba's cache does not notice when another file changes
def _gather(indptr, indices, ratings, mu, ob, F, chunks, out, gram):
    K = F.shape[1]; Kp = padded_width(K, F.itemsize)
    for c in prange(len(chunks) - 1):
        r0, r1 = chunks[c], chunks[c + 1]
        m = 1
        for r in range(r0, r1): m = max(m, indptr[r + 1] - indptr[r])
        Z = np.zeros((m, Kp), F.dtype); A = np.zeros((Kp, Kp), F.dtype); b = np.empty(K, F.dtype); zs = np.empty(K, F.dtype)
        acc = 0.0
        for r in range(r0, r1):
            s = indptr[r]; n = indptr[r + 1] - s
            b[:] = 0; zs[:] = 0
            for j in range(n):
                prefetch_ahead(F, indices, s + j)
                o = indices[s + j]; yj = ratings[s + j] - mu - ob[o]
                acc += np.float64(yj) * yj
                for k in range(K):
                    v = F[o, k]; Z[j, k] = v; b[k] += yj * v; zs[k] += v
            if gram: gram_upper(Z, n, K, A)
            acc += b[0] + zs[0] + A[0, 0]
        out[c] = acc   # keeps the work from being optimised away

@njit(parallel=True)   # not cached either: it calls the kernel's cholesky_solve_lanes
def _cholesky_only(n_rows, K1, chunks_n):
    for c in prange(chunks_n):
        A0 = np.zeros((K1, K1, LANES), np.float32)
        for a in range(K1):
            for l in range(LANES): A0[a, a, l] = 2.0 + l
            for q in range(a + 1, K1):
                for l in range(LANES): A0[a, q, l] = 0.01
        A = np.empty_like(A0); b = np.ones((K1, LANES), np.float32); D = np.empty((K1, LANES), np.float32); w = np.empty(LANES, np.float32)
        noise = np.zeros((K1, LANES), np.float32); wn = np.empty(LANES)
        for g in range((n_rows + LANES - 1) // LANES // chunks_n):
            A[:] = A0; b[:] = 1
            cholesky_solve_lanes(A, b, D, w, noise, wn)

def best(f, reps):
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--k', type=int, nargs='+', default=[10, 32, 64, 128]); ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--spmm', action='store_true', help="time the rated-items prior's sparse products instead")
    a = ap.parse_args()
    with np.load(data_path(25_000_000, 162_541, 59_047)) as z: X = Interactions(z['user'], z['item'], z['rating'])
    X.by_item
    if a.spmm: return spmm(X, a.k, a.repeat)
    print(f'{len(X):,} ratings, {X.n_users:,} users, {X.n_items:,} items; {numba.get_num_threads()} threads; seconds, best of {a.repeat}')
    print(f"\n{'K':>4s} {'side':6s} {'gather':>8s} {'+Gram':>8s} {'Cholesky':>9s} {'half-sweep':>11s} {'GFLOP/s':>8s} {'Gram GFLOP/s':>13s} {'CG, 3 steps':>12s} {'CG / exact':>11s}")
    rows = []
    for K in a.k:
        rng = np.random.default_rng(0)
        ub, ib = rng.normal(0, .3, X.n_users).astype(np.float32), rng.normal(0, .3, X.n_items).astype(np.float32)
        uf, itf = rng.normal(0, .1, (X.n_users, K)).astype(np.float32), rng.normal(0, .1, (X.n_items, K)).astype(np.float32)
        mu = np.float32(X.global_mean)
        for side, M, ob, F, n in (('users', X.by_user, ib, itf, X.n_users), ('items', X.by_item, ub, uf, X.n_items)):
            ch = balanced_chunks(M.indptr, K, 32 * numba.get_num_threads()); out = np.empty(len(ch))
            _gather(M.indptr, M.indices, M.data, mu, ob, F, ch[:2], out, True); _cholesky_only(LANES, K + 1, 1)   # compiled (not cached) before timing
            b, f = np.zeros(n, np.float32), np.zeros((n, K), np.float32)
            tg = best(lambda: _gather(M.indptr, M.indices, M.data, mu, ob, F, ch, out, False), a.repeat)
            tG = best(lambda: _gather(M.indptr, M.indices, M.data, mu, ob, F, ch, out, True), a.repeat)
            tc = best(lambda: _cholesky_only(n, K + 1, 2 * numba.get_num_threads()), a.repeat)
            th = best(lambda: ridge_rows(M.indptr, M.indices, M.data, mu, ob, F, 5.0, 15.0, b, f), a.repeat)
            tcg = best(lambda: ridge_rows_cg(M.indptr, M.indices, M.data, mu, ob, F, 5.0, 15.0, np.zeros_like(b), np.zeros_like(f), steps=3), a.repeat)
            g = half_sweep_gflop(n, M.nnz, K)
            gram = M.nnz * K * (K + 1) / 1e9 / max(tG - tg, 1e-9)
            print(f'{K:4d} {side:6s} {tg:8.3f} {tG:8.3f} {tc:9.3f} {th:11.3f} {g / th:8.1f} {gram:13.0f} {tcg:12.3f} {tcg / th:11.2f}', flush=True)
            rows.append(dict(K=K, side=side, gather_s=tg, gather_gram_s=tG, cholesky_s=tc, half_sweep_s=th, gflops=g / th, gram_gflops=gram,
                             cg3_s=tcg, cg_over_exact=tcg / th))
    print('\n(gather: the pass over the ratings alone; +Gram: that pass and Z\'Z\'s upper triangle; Cholesky: the lane-wise solves alone;'
          ' half-sweep: ridge_rows, all of it; GFLOP/s: the half-sweep\'s counted work over its time; Gram GFLOP/s: the'
          ' upper triangles\' K(K+1) flops per rating over (+Gram - gather); CG: ridge_rows_cg with 3 steps from zero)')
    print(f"wrote {write_results('profile_kernel', dict(rows=rows, repeat=a.repeat, threads=numba.get_num_threads(), ratings=len(X), users=X.n_users, items=X.n_items))}")

def spmm(X, ks, reps):
    N = normalise_rows(X.by_user); Nt = N.T.tocsr()
    print(f'N: {N.shape[0]:,} x {N.shape[1]:,}, {N.nnz:,} entries; {numba.get_num_threads()} threads; seconds, best of {reps}')
    print(f"\n{'K':>4s} {'product':8s} {'SciPy':>8s} {'ours f64':>9s} {'ours f32':>9s} {'SciPy / ours f32':>17s}")
    for K in ks:
        rng = np.random.default_rng(0)
        for name, A, Xd in (('N W', N, rng.normal(size=(N.shape[1], K))), ("N'U", Nt, rng.normal(size=(N.shape[0], K)))):
            X32 = Xd.astype(np.float32)
            ref = A @ Xd
            assert np.allclose(sparse_dense(A, Xd), ref, atol=1e-9) and np.allclose(sparse_dense(A, X32), A @ X32.astype(np.float64), atol=1e-9)
            ts = best(lambda: A @ Xd, reps); t64 = best(lambda: sparse_dense(A, Xd), reps); t32 = best(lambda: sparse_dense(A, X32), reps)
            print(f'{K:4d} {name:8s} {ts:8.3f} {t64:9.3f} {t32:9.3f} {ts / t32:17.1f}', flush=True)

if __name__ == '__main__': main()
