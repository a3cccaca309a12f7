"""Seconds per epoch, peak memory and train RMSE of our latent ALS against LensKit's BiasedMF, measured in one run.

The data: the project's synthetic generator at MovieLens-25M's shape (25M ratings, 162,541 users, 59,047 items,
power-law activity), generated once and cached in benchmarks/_data. Each library and K runs in a fresh
subprocess, so peak memory (ru_maxrss, which includes the ratings arrays both start from) is measured alone.

    pip install torch==2.13.0 && pip install -r benchmarks/requirements.txt   # LensKit, in the same venv as apply_ml_as
    python benchmarks/bench_als.py                    # full size: about 10 minutes on 2 cores
    python benchmarks/bench_als.py --ratings 2000000  # a quicker look

The two libraries do not minimise the same objective: LensKit's BiasedMF fixes its biases first (damped means)
and regularises each vector by `regularization * n` (n = that row's ratings); ours learns biases and vectors
jointly with fixed precisions. Regularisation is matched roughly (LensKit's default 0.1 and damping 5; ours
tau = 15, about 0.1 times the median row's ratings, gamma = 5); train RMSE after the same epochs shows the fits are alike.
"""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path
import numpy as np

DATA = Path(__file__).resolve().parent / '_data'

def data_path(n_ratings, n_users, n_items):
    p = DATA / f'synthetic-{n_ratings}-{n_users}-{n_items}.npz'
    if not p.exists():
        from apply_ml_as.synthetic import synthetic_movielens
        t = time.perf_counter()
        r = synthetic_movielens(n_ratings, n_users=n_users, n_items=n_items, seed=0).ratings
        DATA.mkdir(exist_ok=True)
        tmp = p.with_suffix('.tmp.npz')
        np.savez(tmp, user=r.user_id.to_numpy(), item=r.item_id.to_numpy(), rating=r.rating.to_numpy())
        os.replace(tmp, p)
        print(f'generated {n_ratings:,} synthetic ratings in {time.perf_counter() - t:.0f} s -> {p}', file=sys.stderr)
    return p

def peak_mib(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def run_ours(path, k, epochs):
    from apply_ml_as.interactions import Interactions
    from apply_ml_as.latent_als import LatentALS
    d = np.load(path)
    t = time.perf_counter()   # compile the kernels (cached on disk after the first run ever) on a tiny problem
    LatentALS(n_factors=k, n_epochs=1).fit(Interactions(d['user'][:1000], d['item'][:1000], d['rating'][:1000]))
    jit = time.perf_counter() - t
    t = time.perf_counter()
    X = Interactions(d['user'], d['item'], d['rating']); X.by_item
    setup = time.perf_counter() - t
    m = LatentALS(n_factors=k, lam=1.0, gamma=5.0, tau=15.0, n_epochs=epochs, tol=0).fit(X)
    h = m.history_
    return dict(setup_s=setup, jit_s=jit, epoch_s=h.seconds.tolist(), train_rmse=float(h.train_rmse.iloc[-1]), peak_mib=peak_mib())

def run_lenskit(path, k, epochs):
    import pandas as pd
    from lenskit.als import BiasedMFScorer, BiasedMFConfig
    from lenskit.data import from_interactions_df
    from lenskit.training import TrainingOptions
    d = np.load(path)
    df = pd.DataFrame({'user_id': d['user'], 'item_id': d['item'], 'rating': d['rating']})
    t = time.perf_counter()
    data = from_interactions_df(df)
    scorer = BiasedMFScorer(BiasedMFConfig(embedding_size=k, epochs=epochs, regularization=0.1, damping=5.0))
    trainer = scorer.create_trainer(data, TrainingOptions(rng=0))
    setup = time.perf_counter() - t
    times = []
    for _ in range(epochs):
        t = time.perf_counter(); trainer.train_epoch(); times.append(time.perf_counter() - t)
    # train RMSE of LensKit's own model: its biases plus P Q^T on the training cells
    m = data.interactions().matrix().scipy(attribute='rating', layout='coo')
    b = scorer.bias
    pred = b.global_bias + (b.user_biases[m.row] if b.user_biases is not None else 0) + (b.item_biases[m.col] if b.item_biases is not None else 0)
    pred = pred + np.einsum('nk,nk->n', scorer.user_embeddings[m.row], scorer.item_embeddings[m.col])
    return dict(setup_s=setup, epoch_s=times, train_rmse=float(np.sqrt(np.mean((pred - m.data) ** 2))), peak_mib=peak_mib())

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ratings', type=int, default=25_000_000); ap.add_argument('--users', type=int, default=162_541)
    ap.add_argument('--items', type=int, default=59_047); ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--k', type=int, nargs='+', default=[10, 32]); ap.add_argument('--no-lenskit', action='store_true')
    ap.add_argument('--worker', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        lib, path, k = a.worker
        print(json.dumps((run_ours if lib == 'ours' else run_lenskit)(path, int(k), a.epochs))); return
    users, items = (a.users, a.items) if a.ratings == 25_000_000 else (max(10, a.ratings * a.users // 25_000_000), max(10, round(a.items * (a.ratings / 25e6) ** 0.5)))
    path = data_path(a.ratings, users, items)
    libs = ['ours'] + ([] if a.no_lenskit else ['lenskit'])
    print(f'{a.ratings:,} synthetic ratings, {users:,} users, {items:,} items; {a.epochs} epochs; {os.cpu_count()} cores\n')
    print(f"{'library':8s} {'K':>3s} {'setup s':>8s} {'jit s':>6s} {'s/epoch':>8s} {'peak MiB':>9s} {'train RMSE':>10s}")
    res = {}
    for k in a.k:
        for lib in libs:
            out = subprocess.run([sys.executable, __file__, '--epochs', str(a.epochs), '--worker', lib, str(path), str(k)],
                                 capture_output=True, text=True)
            if out.returncode: print(out.stderr[-2000:]); raise SystemExit(f'{lib} K={k} failed')
            r = json.loads(out.stdout.strip().splitlines()[-1]); res[lib, k] = r
            per = float(np.median(r['epoch_s'][1:] if len(r['epoch_s']) > 1 else r['epoch_s']))
            r['per_epoch'] = per
            print(f"{lib:8s} {k:3d} {r['setup_s']:8.2f} {r.get('jit_s', float('nan')):6.1f} {per:8.3f} {r['peak_mib']:9.0f} {r['train_rmse']:10.4f}", flush=True)
    if 'lenskit' in libs:
        print('\nratios, ours / LensKit (target: s/epoch <= 1.0, peak memory <= 1.0):')
        for k in a.k:
            o, l = res['ours', k], res['lenskit', k]
            print(f"  K={k:<3d} s/epoch {o['per_epoch'] / l['per_epoch']:.2f}   peak memory {o['peak_mib'] / l['peak_mib']:.2f}   setup {o['setup_s'] / l['setup_s']:.2f}")
    print('\n(s/epoch: median of epochs 2..n, each one full sweep, users then items; ours also computes the objective and train RMSE every epoch.'
          ' jit: compiling our kernels, cached on disk after the first run.)')

if __name__ == '__main__': main()
