"""A user's whole path at MovieLens-32M scale, stage by stage, against the same path in LensKit, measured in one run.

The data: `write_synthetic_release` writes a `ratings.csv` (and `movies.csv`) in the ml-32m layout, 32M ratings by
200,948 users of 87,585 movies by default (ml-32m's shape), once, into benchmarks/_data/pipeline-<n>/ml-32m.

Each library runs in a fresh subprocess (this file, run as a worker) and times, stage by stage, with the process's
resident high-water mark (VmHWM) after each stage:

    stage       ours (apply_ml_as, public API)                      LensKit (2025.8 measured)
    load        load_movielens('ml-32m', data_dir=...): the fast    pandas.read_csv with int32/int32/float32/int64
                parser, ratings and movies                          dtypes, then from_interactions_df
    split       random_split(ratings, 0.1): 90/10 by rating         sample_records(data, 10% of the ratings)
    fit         LatentALS(K=32, 10 epochs), the test set scored     BiasedMFScorer(K=32, 10 epochs) in topn_pipeline,
                every epoch (eval_set)                              pipeline.train
    rmse        predict on the test ratings, RMSE                   batch.predict on the test ratings (the pipeline is
                                                                    built with predicts_ratings=True: its rating predictor
                                                                    over the same scorer, with its bias fallback)
    recommend   recommend(model, every user, n=10, exclude=train)   batch.recommend(topn pipeline, every user, n=10),
                                                                    which excludes each user's training items too

Stage boundaries are each library's natural ones, so compare the totals: LensKit's load includes building its dataset
(from_interactions_df: ids, CSR), which for ours happens at the start of fit (Interactions.from_frame, about 1 s at this
size). Both workers get an untimed warm-up first (ours: a fit on 3 ratings, which loads the numba cache; LensKit: a pipeline
trained and asked on 100 ratings).

The two models are not the same objective (see bench_als.py: LensKit fixes damped biases first and scales its
regularisation by each row's count; ours learns biases and vectors jointly), so test RMSE is shown beside the times,
not as part of the ratio. LensKit's batch recommend runs one pipeline per user; with --lenskit-users N it ranks only a
random N of the users and the full time is extrapolated (N / users of the time), which the table says.

    python benchmarks/pipeline.py --python .venv-bench313/bin/python     # ours and LensKit: about 15 minutes
    python benchmarks/pipeline.py --no-lenskit                           # ours alone (target: under 3 minutes)
    python benchmarks/pipeline.py --ratings 1000000 --python ...        # a smoke run
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path
import numpy as np
from memory import status_mib   # benchmarks/memory.py: this script's folder is on sys.path when it runs

DATA = Path(__file__).resolve().parent / '_data'
SHAPE = dict(n_users=200_948, n_items=87_585)   # ml-32m
K, EPOCHS, N = 32, 10, 10

def release(n_ratings):
    "The synthetic ml-32m folder for n_ratings (written once); its parent is the data_dir."
    scale = n_ratings / 32_000_000
    users, items = max(10, round(SHAPE['n_users'] * scale)), max(10, round(SHAPE['n_items'] * scale ** 0.5))
    root = DATA / f'pipeline-{n_ratings}'
    if not (root / 'ml-32m' / 'ratings.csv').exists():
        from apply_ml_as.data.synthetic import write_synthetic_release
        t = time.perf_counter()
        write_synthetic_release(root / 'ml-32m', n_ratings, n_users=users, n_items=items, seed=0)
        print(f'wrote {n_ratings:,} synthetic ratings in {time.perf_counter() - t:.0f} s -> {root / "ml-32m"}', file=sys.stderr)
    return root

class Stages:
    "Times and peak memory of consecutive stages."
    def __init__(self): self.rows, self.base = [], status_mib('VmRSS')[0]
    def __call__(self, name, f):
        t = time.perf_counter(); out = f(); s = time.perf_counter() - t
        self.rows.append(dict(stage=name, s=s, peak_mib=status_mib('VmHWM')[0]))
        print(f'  {name}: {s:.1f} s', file=sys.stderr, flush=True)
        return out

def run_ours(root, lenskit_users):
    import pandas  # noqa: F401 -- imported by apply_ml_as anyway; named so the baseline plainly includes it
    from apply_ml_as.data.movielens import load_movielens
    from apply_ml_as.data.splits import random_split
    from apply_ml_as.data.interactions import Interactions
    from apply_ml_as.models.latent import LatentALS
    from apply_ml_as.use.recommend import recommend
    from apply_ml_as.use.evaluate import rmse
    LatentALS(n_factors=K, n_epochs=1).fit(pandas.DataFrame(dict(user_id=[1, 1, 2], item_id=[1, 2, 1], rating=[4.0, 3.0, 5.0])))  # numba's cache
    st = Stages()
    ml = st('load', lambda: load_movielens('ml-32m', data_dir=root, download=False))
    split = st('split', lambda: random_split(ml.ratings, 0.1, seed=42))
    def fit():
        train = Interactions.from_frame(split.train)
        return train, LatentALS(n_factors=K, n_epochs=EPOCHS, tol=0, lam=1.0, gamma=5.0, tau=15.0).fit(train, eval_set=split.test)
    train, m = st('fit', fit)
    err = st('rmse', lambda: rmse(split.test.rating.to_numpy(), m.predict(split.test.user_id.to_numpy(), split.test.item_id.to_numpy())))
    recs = st('recommend', lambda: recommend(m, m.user_ids_, n=N, exclude=train))
    assert recs.user_id.nunique() == len(m.user_ids_)
    return dict(stages=st.rows, base_mib=st.base, test_rmse=err, epoch_test_rmse=m.history_.eval_rmse.tolist(),
                n_ratings=len(ml.ratings), n_users=len(m.user_ids_), recommended_users=len(m.user_ids_))

def run_lenskit(root, lenskit_users):
    import pandas as pd, torch, lenskit  # noqa: F401 -- lenskit imports torch; named so the baseline plainly includes it
    from lenskit.data import from_interactions_df
    from lenskit.splitting import sample_records
    from lenskit.als import BiasedMFScorer, BiasedMFConfig
    from lenskit.pipeline import topn_pipeline
    from lenskit.batch import predict, recommend
    # untimed warm-up, as ours gets one: a tiny pipeline trained and asked once, so lazy imports and first-use costs are not timed
    tiny = from_interactions_df(pd.DataFrame({'user_id': np.repeat(np.arange(20), 5), 'item_id': np.tile(np.arange(5), 20), 'rating': 3.0}))
    warm = topn_pipeline(BiasedMFScorer(BiasedMFConfig(embedding_size=K, epochs=1)), predicts_ratings=True, n=N)
    warm.train(tiny); recommend(warm, tiny.users.ids()[:2], n=N)
    st = Stages()
    def load():
        df = pd.read_csv(root / 'ml-32m' / 'ratings.csv', dtype={'userId': 'int32', 'movieId': 'int32', 'rating': 'float32', 'timestamp': 'int64'})
        return from_interactions_df(df, user_col='userId', item_col='movieId', rating_col='rating', timestamp_col='timestamp')
    data = st('load', load)
    split = st('split', lambda: sample_records(data, round(0.1 * data.interaction_count), rng=42))
    scorer = BiasedMFScorer(BiasedMFConfig(embedding_size=K, epochs=EPOCHS, regularization=0.1, damping=5.0))
    pipe = topn_pipeline(scorer, predicts_ratings=True, n=N)   # one pipeline, trained once: top-N and a rating predictor over the same scorer
    st('fit', lambda: pipe.train(split.train))
    def test_rmse():
        preds = predict(pipe, split.test).to_df()
        return float(np.sqrt(np.mean((preds['score'].to_numpy() - preds['rating'].to_numpy()) ** 2)))
    err = st('rmse', test_rmse)
    users = split.train.users.ids()
    if lenskit_users and lenskit_users < len(users): users = np.random.default_rng(0).choice(users, lenskit_users, replace=False)
    recs = st('recommend', lambda: recommend(pipe, users, n=N))
    assert len(recs) == len(users)
    return dict(stages=st.rows, base_mib=st.base, test_rmse=err, n_ratings=data.interaction_count, n_users=len(split.train.users),
                recommended_users=len(users), version=lenskit.__version__)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ratings', type=int, default=32_000_000)
    ap.add_argument('--no-lenskit', action='store_true')
    ap.add_argument('--lenskit-users', type=int, default=0, help="rank only this many random users in LensKit's recommend stage and extrapolate (0: all)")
    ap.add_argument('--python', default=sys.executable, help='interpreter for the LensKit worker (default: this one)')
    ap.add_argument('--worker', nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        lib, root = a.worker
        print(json.dumps(dict(ours=run_ours, lenskit=run_lenskit)[lib](Path(root), a.lenskit_users))); return
    root = release(a.ratings)
    libs = ['ours'] + ([] if a.no_lenskit else ['lenskit'])
    python = dict(ours=sys.executable, lenskit=a.python)
    print(f'{a.ratings:,} synthetic ratings in the ml-32m layout ({root / "ml-32m" / "ratings.csv"}); K={K}, {EPOCHS} epochs, top-{N}; {os.cpu_count()} cores')
    res = {}
    for lib in libs:
        print(f'{lib} worker: {python[lib]}', file=sys.stderr)
        out = subprocess.run([python[lib], __file__, '--lenskit-users', str(a.lenskit_users), '--worker', lib, str(root)], stdout=subprocess.PIPE, text=True)
        if out.returncode: raise SystemExit(f'{lib} failed')
        res[lib] = json.loads(out.stdout.strip().splitlines()[-1])
    for lib, r in res.items():   # an extrapolated stage is scaled to every user, and marked
        r['total_s'] = 0.0
        for row in r['stages']:
            row['scaled'] = row['stage'] == 'recommend' and r['recommended_users'] < r['n_users']
            if row['scaled']: row['s'] *= r['n_users'] / r['recommended_users']
            r['total_s'] += row['s']
    print(f"\n{'stage':10s}" + ''.join(f"{lib + ' s':>14s}{'peak MiB':>10s}" for lib in libs) + ('     ratio' if 'lenskit' in res else ''))
    for i, row in enumerate(res['ours']['stages']):
        line = f"{row['stage']:10s}"
        for lib in libs:
            rr = res[lib]['stages'][i]
            line += f"{rr['s']:13.1f}{'*' if rr['scaled'] else ' '}{rr['peak_mib']:10.0f}"
        if 'lenskit' in res: line += f"{row['s'] / res['lenskit']['stages'][i]['s']:10.2f}"
        print(line)
    line = f"{'total':10s}" + ''.join(f"{res[lib]['total_s']:13.1f} {'':10s}" for lib in libs)
    if 'lenskit' in res: line += f"{res['ours']['total_s'] / res['lenskit']['total_s']:10.2f}"
    print(line)
    for lib in libs: print(f"{lib}: test RMSE {res[lib]['test_rmse']:.4f}; {res[lib]['n_users']:,} users; baseline (after imports) {res[lib]['base_mib']:.0f} MiB")
    print('ours, test RMSE by epoch: ' + ' '.join(f'{x:.4f}' for x in res['ours']['epoch_test_rmse']))
    if any(row['scaled'] for r in res.values() for row in r['stages']):
        print(f"* extrapolated: LensKit ranked {res['lenskit']['recommended_users']:,} random users of {res['lenskit']['n_users']:,}; time scaled by users")
    print(f"\nours in all: {res['ours']['total_s']:.0f} s (target: under 180 s)")
    if a.ratings == 32_000_000:   # the full-size run is the one the docs show
        from harness import write_results
        print(f"wrote {write_results('pipeline', dict(libs=res, K=K, epochs=EPOCHS, n=N))}")

if __name__ == '__main__': main()
