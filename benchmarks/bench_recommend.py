"""Top-10 for every user: `apply_ml_as.use.recommend.recommend` against implicit's batched `recommend`, on the same vectors.

The data: the project's synthetic ratings at MovieLens-25M's shape (cached in benchmarks/_data by bench_als.py, or made
here), a LatentALS model (K=32, 3 epochs: the vectors' values do not change the cost). implicit ranks by a dot product,
so it gets the same model with the biases folded into two extra dimensions, user [u, 1, mu + b_u] and item [v, b_i, 1]:
both libraries then rank every item by exactly mu + b_u + b_i + u.v, with each user's training items excluded.

Each call is timed end to end as a user makes it: ours from the model and the training `Interactions` to a table of
original ids (user_id, rank, item_id, score), building its exclusion matrix inside; implicit from its factors and the
training CSR (built beforehand, not timed) to arrays of internal indices. Both use all cores. The script also checks
that the two agree: the same top-10 items for (almost) every user; float32 sums in another order can swap near-ties.

    pip install implicit                                   # into the venv that has apply_ml_as
    python benchmarks/bench_recommend.py                   # 25M ratings, all 162,541 users
    python benchmarks/bench_recommend.py --ratings 2000000
"""
import argparse, os, sys, time
from pathlib import Path
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_als import data_path   # the same cached synthetic data
from harness import write_results

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ratings', type=int, default=25_000_000); ap.add_argument('--k', type=int, default=32)
    ap.add_argument('--n', type=int, default=10); ap.add_argument('--repeat', type=int, default=3)
    a = ap.parse_args()
    users, items = (162_541, 59_047) if a.ratings == 25_000_000 else (max(10, a.ratings * 162_541 // 25_000_000), max(10, round(59_047 * (a.ratings / 25e6) ** 0.5)))
    d = np.load(data_path(a.ratings, users, items))
    from apply_ml_as.data.interactions import Interactions
    from apply_ml_as.models.latent import LatentALS
    from apply_ml_as.use.recommend import recommend
    from implicit.cpu.als import AlternatingLeastSquares
    X = Interactions(d['user'], d['item'], d['rating'])
    t = time.perf_counter()
    m = LatentALS(n_factors=a.k, gamma=5.0, tau=15.0, n_epochs=3, tol=0).fit(X)
    print(f'{len(X):,} ratings, {X.n_users:,} users, {X.n_items:,} items; LatentALS K={a.k} fitted in {time.perf_counter() - t:.1f} s; '
          f'top-{a.n} for all {X.n_users:,} users; {os.cpu_count()} cores\n')
    # implicit: the same model, biases folded in
    imp = AlternatingLeastSquares(factors=a.k + 2, num_threads=0)
    imp.user_factors = np.hstack([m.user_factors_, np.ones((X.n_users, 1), np.float32), (m.global_mean_ + m.user_bias_)[:, None]]).astype(np.float32)
    imp.item_factors = np.hstack([m.item_factors_, m.item_bias_[:, None], np.ones((X.n_items, 1), np.float32)]).astype(np.float32)
    seen = X.by_user.tocsr().astype(np.float32)
    all_users = np.arange(X.n_users)
    recommend(m, m.user_ids_[:100], n=a.n, exclude=X); imp.recommend(all_users[:100], seen[:100], N=a.n)   # warm up both
    times = {'apply_ml_as': [], 'implicit': []}
    for _ in range(a.repeat):
        t = time.perf_counter(); ours = recommend(m, m.user_ids_, n=a.n, exclude=X); times['apply_ml_as'].append(time.perf_counter() - t)
        t = time.perf_counter(); ids, scores = imp.recommend(all_users, seen, N=a.n); times['implicit'].append(time.perf_counter() - t)
    med = {k: float(np.median(v)) for k, v in times.items()}
    for k, v in times.items(): print(f'{k:12s} median {med[k]:6.2f} s   runs {", ".join(f"{x:.2f}" for x in v)}')
    print(f'\nratio apply_ml_as / implicit: {med["apply_ml_as"] / med["implicit"]:.2f} (target <= 1.0; all users under 30 s: {med["apply_ml_as"] < 30})')
    ours_items = X.item_index_of(ours.item_id.to_numpy()).reshape(X.n_users, a.n)
    same = (np.sort(ours_items, 1) == np.sort(ids, 1)).all(1).mean()
    diff = float(np.abs(ours.score.to_numpy().reshape(X.n_users, a.n) - scores).max())
    print(f'same top-{a.n} set for {same:.2%} of users; largest score difference {diff:.2e}')
    print(f"wrote {write_results('bench_recommend', dict(seconds=times, median=med, ratio=med['apply_ml_as'] / med['implicit'], same_top_n=float(same), max_score_diff=diff, ratings=len(X), users=X.n_users, items=X.n_items, k=a.k, n=a.n))}")

if __name__ == '__main__': main()
