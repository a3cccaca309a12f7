"""Test RMSE of the bias-only and latent ALS models on ml-100k's official u1..u5 folds and ml-latest-small's 90/10 split.

Hyperparameters are chosen per split by a grid search scored by 5-fold cross-validation inside that split's
training ratings (`kfold_split`, seed 0, through `apply_ml_as.use.evaluate.cross_validate`); the best setting is refitted
on all the training ratings and scored once on the test ratings, which the search never sees.

    python benchmarks/accuracy.py            # MOVIELENS_DIR or the cache must hold ml-100k and ml-latest-small
"""
import argparse, itertools, time
import pandas as pd
from apply_ml_as.models.bias import BiasALS
from apply_ml_as.models.latent import LatentALS
from apply_ml_as.data.movielens import load_movielens
from apply_ml_as.use.evaluate import cross_validate, best_params, rating_metrics
from apply_ml_as.data.splits import kfold_split, official_split, random_split
from harness import write_results

BIAS_GRID = [dict(gamma=g) for g in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 8.0)]
LATENT_GRID = [dict(n_factors=k, tau=t, gamma=3.0) for k, t in itertools.product((5, 10, 20, 50), (8.0, 12.0, 15.0, 20.0))]
EPOCHS = {'bias-only': dict(n_epochs=100, tol=1e-6), 'latent': dict(n_epochs=25, tol=1e-5)}   # the bias model's defaults; latent: 25 sweeps

def select_and_score(cls, grid, train, test, scale, epochs):
    fixed = dict(epochs, rating_scale=scale)
    best = best_params(cross_validate(cls, grid, kfold_split(train, 5, seed=0), fixed=fixed), 'rmse')
    return best, rating_metrics(cls(**best, **fixed).fit(train), test)['rmse']

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0]); ap.add_argument('--data-dir', default=None); args = ap.parse_args()
    rows, t0 = [], time.time()
    splits = [(f'ml-100k {f}', official_split(f, args.data_dir), (1.0, 5.0)) for f in ('u1', 'u2', 'u3', 'u4', 'u5')]
    small = load_movielens('ml-latest-small', data_dir=args.data_dir)
    splits.append(('ml-latest-small 90/10 seed=42', random_split(small.ratings, 0.1, seed=42), small.rating_scale))
    for name, split, scale in splits:
        for model, cls, grid in (('bias-only', BiasALS, BIAS_GRID), ('latent', LatentALS, LATENT_GRID)):
            best, score = select_and_score(cls, grid, split.train, split.test, scale, EPOCHS[model])
            rows.append(dict(split=name, model=model, test_rmse=score, chosen=best))
            print(f'{name:32s} {model:10s} test RMSE {score:.4f}  chosen {best}', flush=True)
    df = pd.DataFrame(rows)
    folds = df[df.split.str.startswith('ml-100k')].groupby('model').test_rmse.mean()
    print('\nmean test RMSE over ml-100k u1..u5 (targets: bias-only <= 0.941, latent <= 0.912):')
    for m, v in folds.items(): print(f'  {m:10s} {v:.4f}')
    s = df[df.split.str.startswith('ml-latest-small')].set_index('model').test_rmse
    print('ml-latest-small 90/10 (target: latent <= 0.850):')
    for m, v in s.items(): print(f'  {m:10s} {v:.4f}')
    print(f'\n({time.time() - t0:.0f} s; grids: bias {BIAS_GRID}; latent n_factors x tau in {sorted({p["n_factors"] for p in LATENT_GRID})} x '
          f'{sorted({p["tau"] for p in LATENT_GRID})}, gamma=3, lam=1; epochs {EPOCHS})')
    print(f"wrote {write_results('accuracy', dict(per_split=rows, mean_100k={m: float(v) for m, v in folds.items()}, small={m: float(v) for m, v in s.items()}, seconds=time.time() - t0))}")

if __name__ == '__main__': main()
