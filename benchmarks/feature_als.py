"""Feature ALS (chapter 24) against the bias-only and latent models: warm items, cold items, the long tail, and speed.

Every part writes benchmarks/results/feature_als_PART.json (the Results page and chapter 24 read them).

- warm: ml-100k's official u1..u5 and ml-latest-small's 90/10 split (seed 42). The feature model uses the genres, the
  rated-items and rated-by priors and the side means with K=50, tau=12, gamma=3 fixed, and its one free setting, tau_f (= gamma_f), chosen in {30, 100, 300}
  by 5-fold cross-validation inside each training split (`cross_validate`), never on the test ratings: the same honest
  way as benchmarks/accuracy.py chooses the latent model's settings (whose test RMSE it prints beside, refitted here).
- cold: `cold_item_split`, 10% of the items held out entirely, 5 seeds, both data sets: RMSE on the held-out items for the
  three models (the feature model knows their genres), mean and standard error over the seeds. Each model's settings for
  this task (COLD_GRID: the bias prior gamma for the bias-only and latent models; gamma_f and whether to use the rated
  priors and the side means for the feature model, tau_f = 100) are chosen per seed on two inner cold splits of that seed's training ratings.
- demographics: ml-100k u1..u5, the feature model (genres; with and without the rated-items prior) with and without the
  users' age bucket, gender and occupation as user features, at the warm part's settings.
- cg-steps: ml-latest-small's 90/10 split, the feature model's test RMSE by CG steps per sweep for the rated-items vectors.
- tail: RMSE on ml-100k u1..u5 by the test item's number of training ratings (0, 1-5, 6-20, 21-100, >100).
- speed: seconds per sweep on 25M synthetic ratings (the generator plants genres) for LatentALS and FeatureALS (genres;
  genres + rated-items prior with its default 2 CG steps, and with 1), K=10 and 32, in one run, the models interleaved
  three times in a rotating order (this machine's timings wander by 10-40% from one minute to the next); also each whole
  fit's median wall time, set-up included.
- cmfrec: cmfrec 3.5's CMF (ALS with its default CG, K=50) on the same splits with the same metric code: warm, with
  "which movies the user rated" as implicit features (add_implicit_features=True), lambda chosen in {5, 10, 15, 25} by
  5-fold cross-validation inside each training split as ours is; cold, with the genres as item attributes (predict_new
  for the held-out movies), lambda chosen in {1, 2.5, 5, 10, 25, 50, 100} on the same inner cold splits as ours. cmfrec
  predicts NaN for a pair it cannot score; those get its global mean (ours fall back to biases).
  cmfrec ships as source only: pip install cython, then pip install --no-build-isolation cmfrec (it links SciPy's BLAS).

    python benchmarks/feature_als.py                  # all parts but cmfrec, about 25 minutes on 2 cores
    python benchmarks/feature_als.py --part cold tail
    python benchmarks/feature_als.py --part cmfrec    # the peer, about 5 minutes (--part cmfrec-cold: its cold part only)
"""
import argparse, sys, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parent))
from apply_ml_as.models.bias import BiasALS
from apply_ml_as.models.latent import LatentALS
from apply_ml_as.models.feature import FeatureALS
from apply_ml_as.data.movielens import load_movielens
from apply_ml_as.data.splits import official_split, random_split, cold_item_split, kfold_split
from apply_ml_as.data.interactions import item_genre_matrix, user_demographic_matrix, Interactions
from apply_ml_as.use.evaluate import cross_validate, best_params, rating_metrics
from harness import write_results

SETTINGS = dict(n_factors=50, tau=12.0, gamma=3.0, n_epochs=25)
PRIORS = dict(rated_items_prior=True, rated_by_prior=True, side_means=True)   # the feature model's priors, as chapter 24 recommends
PRIORS_OFF = dict(rated_items_prior=False, rated_by_prior=False, side_means=True)
GRID = [dict(tau_f=t, gamma_f=t) for t in (30.0, 100.0, 300.0)]
LATENT = {'ml-100k': [dict(n_factors=50), dict(n_factors=5), dict(n_factors=5), dict(n_factors=5), dict(n_factors=50)], 'ml-latest-small': [dict(n_factors=50)]}

def data():
    out = {}
    for name in ('ml-100k', 'ml-latest-small'):
        ml = load_movielens(name)
        out[name] = (ml, item_genre_matrix(ml.items, ml.items.item_id.to_numpy()))
    return out

def feature_model(genres, scale, **kw):
    class WithGenres(FeatureALS):   # cross_validate fits make(**params).fit(train): the genres ride along
        def fit(self, ratings, **k): return super().fit(ratings, item_features=genres, **k)
    return FeatureALS(**SETTINGS, **PRIORS, rating_scale=scale, **kw), WithGenres

def warm(D):
    rows = []
    for name, (ml, genres) in D.items():
        splits = [official_split(f) for f in ('u1', 'u2', 'u3', 'u4', 'u5')] if name == 'ml-100k' else [random_split(ml.ratings, 0.1, seed=42)]
        for j, s in enumerate(splits):
            _, Wrapped = feature_model(genres, ml.rating_scale)
            cv = cross_validate(Wrapped, GRID, kfold_split(s.train, 5, seed=0), fixed=dict(SETTINGS, **PRIORS, rating_scale=ml.rating_scale))
            best = best_params(cv)
            f = FeatureALS(**SETTINGS, **PRIORS, rating_scale=ml.rating_scale, **best).fit(s.train, item_features=genres)
            lat = LatentALS(**{**SETTINGS, **LATENT[name][j]}, rating_scale=ml.rating_scale).fit(s.train)
            rows.append(dict(data=name, split=s.name, latent=rating_metrics(lat, s.test)['rmse'], feature=rating_metrics(f, s.test)['rmse'], chosen=best['tau_f']))
            print(f"{name:16s} {s.name:32s} latent {rows[-1]['latent']:.4f}  feature {rows[-1]['feature']:.4f}  chosen {best}", flush=True)
    t = pd.DataFrame(rows).groupby('data')[['latent', 'feature']].mean()
    print('\nmean test RMSE (targets: feature below cmfrec with implicit features, 0.9075 on ml-100k u1..u5 and 0.8408 on ml-latest-small;')
    print('feature no worse than latent by more than 0.002):'); print(t.round(4).to_string())
    return dict(rows=rows, mean={d: {c: float(v) for c, v in r.items()} for d, r in t.iterrows()})

COLD_GRID = {   # each model's settings for cold items, chosen on inner cold splits of the training ratings (never the test items)
    'bias-only': [dict(gamma=g) for g in (1.0, 3.0, 10.0, 30.0)],
    'latent': [dict(SETTINGS, gamma=g) for g in (1.0, 3.0, 10.0, 30.0)],
    'feature': [{**SETTINGS, **(PRIORS if r else PRIORS_OFF), 'side_means': m, 'tau_f': 100.0, 'gamma_f': g} for r in (False, True) for m in (False, True) for g in (100.0, 1000.0)]}
INNER = 2   # inner cold splits per outer split

def cold_models(name, genres, scale):
    "name -> (settings -> a fitting function of a ratings table)."
    fit = {'bias-only': lambda kw: lambda tr: BiasALS(**kw, rating_scale=scale).fit(tr),
           'latent': lambda kw: lambda tr: LatentALS(**kw, rating_scale=scale).fit(tr),
           'feature': lambda kw: lambda tr: FeatureALS(**kw, rating_scale=scale).fit(tr, item_features=genres)}
    return fit[name]

def choose_cold(train, make, grid, rmse, seed):
    "The settings in `grid` with the lowest mean RMSE on the held-out items of INNER cold splits of `train` (10% of its items each)."
    inner = [cold_item_split(train, 0.1, seed=10_000 + 100 * seed + j) for j in range(INNER)]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        score = [np.mean([rmse(make(kw)(s.train), s.test) for s in inner]) for kw in grid]
    return grid[int(np.argmin(score))]

def short(kw):
    "The settings that vary in a grid, for printing."
    return {k: v for k, v in kw.items() if k not in SETTINGS or k == 'gamma'}

def cold(D, seeds=range(5)):
    "The three models' RMSE on the held-out movies by seed and data set, and the settings each chose."
    ours = {}
    for name, (ml, genres) in D.items():
        res, picks = {m: [] for m in COLD_GRID}, {m: [] for m in COLD_GRID}
        rmse = lambda m, test: rating_metrics(m, test)['rmse']
        for seed in seeds:
            s = cold_item_split(ml.ratings, 0.1, seed=seed)
            for m, grid in COLD_GRID.items():
                make = cold_models(m, genres, ml.rating_scale)
                kw = choose_cold(s.train, make, grid, rmse, seed)
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    res[m].append(rmse(make(kw)(s.train), s.test)); picks[m].append(short(kw))
            print(f'  {name} seed {seed}: ' + '  '.join(f'{m} {res[m][-1]:.4f} {picks[m][-1]}' for m in COLD_GRID), flush=True)
        print(f'\ncold items, {name}, 10% of items held out, seeds {list(seeds)}, settings chosen on {INNER} inner cold splits of each training set:')
        print('RMSE on the held-out items, mean +- standard error')
        for m, v in res.items(): print(f'  {m:10s} {np.mean(v):.4f} +- {np.std(v, ddof=1) / np.sqrt(len(v)):.4f}   by seed {np.round(v, 4).tolist()}')
        gap = np.array(res['feature']) - np.minimum(res['bias-only'], res['latent'])
        print(f'  feature minus the better of the others: {gap.mean():+.4f} +- {gap.std(ddof=1) / np.sqrt(len(gap)):.4f} (paired over seeds)', flush=True)
        ours[name] = dict(rmse=res, chosen=picks, seeds=list(seeds))
    return ours

def cg_steps(D):
    "ml-latest-small 90/10: test RMSE of the feature model (genres, rated-items prior: its 9,724 movies' vectors come from CG) by CG steps per sweep."
    ml, genres = D['ml-latest-small']
    s = random_split(ml.ratings, 0.1, seed=42)
    print('\nml-latest-small 90/10 (seed 42), feature model with its priors, tau_f = gamma_f = 30: test RMSE by feature_cg_steps')
    out = {}
    for steps in (1, 2, 3, 5, 30):
        m = FeatureALS(**SETTINGS, **PRIORS, tau_f=30.0, gamma_f=30.0, feature_cg_steps=steps, rating_scale=ml.rating_scale).fit(s.train, item_features=genres)
        out[steps] = rating_metrics(m, s.test)['rmse']
        print(f'  {steps:3d} steps: {out[steps]:.4f}', flush=True)
    return dict(rmse_by_steps=out)

def demographics(D):
    "ml-100k u1..u5: the feature model with and without the users' demographics (age bucket, gender, occupation) as user features."
    ml, genres = D['ml-100k']
    demo = user_demographic_matrix(ml.users, ml.users.user_id.to_numpy())
    rows = []
    for f in ('u1', 'u2', 'u3', 'u4', 'u5'):
        s = official_split(f)
        for rated in (False, True):
            for with_demo in (False, True):
                m = FeatureALS(**SETTINGS, **(PRIORS if rated else PRIORS_OFF), tau_f=100.0, gamma_f=100.0, rating_scale=ml.rating_scale)
                m.fit(s.train, item_features=genres, user_features=demo if with_demo else None)
                rows.append(dict(fold=f, rated_priors=rated, demographics=with_demo, rmse=rating_metrics(m, s.test)['rmse']))
    t = pd.DataFrame(rows)
    print('\nml-100k u1..u5, mean test RMSE of the feature model with the genres (tau_f = gamma_f = 100, the warm part\'s choice on every fold')
    print('without demographics; not tuned again with them),')
    print('without and with the users\' demographics as user features:')
    pt = t.pivot_table(index='rated_priors', columns='demographics', values='rmse', aggfunc='mean')
    print(pt.round(4).to_string())
    d = t[t.demographics].rmse.to_numpy() - t[~t.demographics].rmse.to_numpy()
    print(f'with minus without: {d.mean():+.4f} on average; worse with them in {(d > 0).sum()} of the {len(d)} (fold, prior) pairs; by pair {np.round(d, 4).tolist()}', flush=True)
    return dict(rows=rows, mean={('with rated priors' if r else 'without rated priors'): {('with demographics' if c else 'without demographics'): float(v) for c, v in row.items()} for r, row in pt.iterrows()},
                worse_with=int((d > 0).sum()), pairs=len(d), mean_difference=float(d.mean()))

def tail(D):
    ml, genres = D['ml-100k']
    buckets = [(0, 0), (1, 5), (6, 20), (21, 100), (101, 10**9)]
    err = {m: [] for m in ('bias-only', 'latent', 'feature')}; counts = []
    for f in ('u1', 'u2', 'u3', 'u4', 'u5'):
        s = official_split(f)
        n = s.train.item_id.value_counts().reindex(s.test.item_id).fillna(0).to_numpy(); counts.append(n)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            for m, model in (('bias-only', BiasALS(gamma=3.0, rating_scale=(1, 5)).fit(s.train)), ('latent', LatentALS(**SETTINGS, rating_scale=(1, 5)).fit(s.train)),
                             ('feature', FeatureALS(**SETTINGS, **PRIORS, tau_f=100.0, gamma_f=100.0, rating_scale=(1, 5)).fit(s.train, item_features=genres))):
                err[m].append(model.predict(s.test.user_id, s.test.item_id) - s.test.rating.to_numpy())
    n = np.concatenate(counts)
    print('\nRMSE on ml-100k u1..u5 by the test item\'s number of training ratings:')
    print(f"  {'ratings':>8s} {'test n':>7s} " + ' '.join(f'{m:>10s}' for m in err))
    rows = []
    for lo, hi in buckets:
        sel = (n >= lo) & (n <= hi)
        rows.append(dict(ratings=f'{lo}-{hi}' if hi < 10**9 else f'>{lo - 1}', n=int(sel.sum()), **{m: float(np.sqrt(np.mean(np.concatenate(e)[sel] ** 2))) for m, e in err.items()}))
        print(f"  {rows[-1]['ratings']:>8s} {sel.sum():7d} " + ' '.join(f'{rows[-1][m]:10.4f}' for m in err))
    return dict(rows=rows)

def speed(epochs=3, repeat=3):
    from apply_ml_as.data.synthetic import synthetic_movielens
    ml = synthetic_movielens(25_000_000, n_users=162_541, n_items=59_047, seed=0)
    X = Interactions.from_frame(ml.ratings); X.by_item
    genres = item_genre_matrix(ml.items, ml.items.item_id.to_numpy())
    print(f'\nseconds per sweep, {len(X):,} synthetic ratings: median of {epochs} sweeps x {repeat} fits, the models interleaved, after one warm-up fit:')
    out = {}
    for K in (10, 32):
        LatentALS(n_factors=K, n_epochs=1).fit(X.to_frame().iloc[:1000])
        FeatureALS(n_factors=K, n_epochs=1, rated_items_prior=True).fit(X.to_frame().iloc[:1000], item_features=genres)
        models = (('latent', lambda: LatentALS(n_factors=K, gamma=5.0, tau=15.0, n_epochs=epochs, tol=0), {}),
                  ('genres', lambda: FeatureALS(n_factors=K, gamma=5.0, tau=15.0, n_epochs=epochs, tol=0), dict(item_features=genres)),
                  ('genres + rated items', lambda: FeatureALS(n_factors=K, gamma=5.0, tau=15.0, n_epochs=epochs, tol=0, rated_items_prior=True), dict(item_features=genres)),
                  ('same, 1 CG step', lambda: FeatureALS(n_factors=K, gamma=5.0, tau=15.0, n_epochs=epochs, tol=0, rated_items_prior=True, feature_cg_steps=1), dict(item_features=genres)),
                  ('genres + every prior', lambda: FeatureALS(n_factors=K, gamma=5.0, tau=15.0, n_epochs=epochs, tol=0, **PRIORS), dict(item_features=genres)))
        secs, walls = {name: [] for name, _, _ in models}, {name: [] for name, _, _ in models}
        for r in range(repeat):
            for name, make, kw in models[r % len(models):] + models[:r % len(models)]:   # the order rotates from one round to the next
                t = time.perf_counter(); m = make().fit(X, **kw); walls[name].append(time.perf_counter() - t)
                secs[name] += m.history_.seconds.tolist()
        per, wall = {k: float(np.median(v)) for k, v in secs.items()}, {k: float(np.median(v)) for k, v in walls.items()}
        print(f'  K={K:<3d} per sweep: ' + '   '.join(f'{k} {v:.2f} s' for k, v in per.items()), flush=True)
        print(f'        ratios to latent (target <= 1.15): ' + ', '.join(f'{k} {v / per["latent"]:.2f}' for k, v in per.items() if k != 'latent'), flush=True)
        print(f'        whole fit ({epochs} sweeps and the set-up, e.g. the rated-items matrix and its transpose): '
              + ', '.join(f'{k} {v:.1f} s' for k, v in wall.items()), flush=True)
        out[f'K={K}'] = dict(per_sweep=per, whole_fit=wall)
    return dict(results=out, epochs=epochs, repeat=repeat)

CMF_LAMBDAS = (5.0, 10.0, 15.0, 25.0)
CMF_COLD_LAMBDAS = (1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0)

def cmf_fit(train, lam, genres=None, scale=None):
    "cmfrec's CMF on a ratings table; with `genres` (Features) the movies' genres are its item attributes, else rated movies are implicit features."
    from cmfrec import CMF
    X = pd.DataFrame({'UserId': train.user_id.to_numpy(), 'ItemId': train.item_id.to_numpy(), 'Rating': train.rating.to_numpy(np.float64)})
    m = CMF(k=50, lambda_=lam, add_implicit_features=genres is None, nthreads=2, random_state=0, verbose=False)
    if genres is None: return m.fit(X)
    items = np.unique(X.ItemId)
    I = pd.DataFrame(genres_for(genres, items), columns=[f'g{j}' for j in range(len(genres.names))]); I.insert(0, 'ItemId', items)
    return m.fit(X, I=I)

def genres_for(genres, item_ids):
    "The genre rows of `item_ids`, dense."
    pos = np.searchsorted(genres.ids, item_ids)
    return genres.matrix[pos].toarray()

def cmf_rmse(m, test, scale, genres=None):
    u, i = test.user_id.to_numpy(), test.item_id.to_numpy()
    p = m.predict_new(u, I=genres_for(genres, i)) if genres is not None else m.predict(u, i)
    p = np.where(np.isfinite(p), p, m.glob_mean_)
    return float(np.sqrt(np.mean((np.clip(p, *scale) - test.rating.to_numpy()) ** 2)))

def cmfrec_warm(D):
    rows = []
    for name, (ml, genres) in D.items():
        splits = [official_split(f) for f in ('u1', 'u2', 'u3', 'u4', 'u5')] if name == 'ml-100k' else [random_split(ml.ratings, 0.1, seed=42)]
        for s in splits:
            cv = {lam: np.mean([cmf_rmse(cmf_fit(f.train, lam), f.test, ml.rating_scale) for f in kfold_split(s.train, 5, seed=0)]) for lam in CMF_LAMBDAS}
            lam = min(cv, key=cv.get)
            rows.append(dict(data=name, split=s.name, cmfrec_implicit=cmf_rmse(cmf_fit(s.train, lam), s.test, ml.rating_scale), lam=lam))
            print(f"{name:16s} {s.name:32s} cmfrec, implicit features: {rows[-1]['cmfrec_implicit']:.4f} (lambda {lam})", flush=True)
    mean = pd.DataFrame(rows).groupby('data').cmfrec_implicit.mean()
    print('\nmean test RMSE of cmfrec with implicit features:'); print(mean.round(4).to_string())
    return dict(rows=rows, mean={d: float(v) for d, v in mean.items()})

def cmfrec_cold(D, seeds=range(5), ours=None):
    "cmfrec on the cold splits, its lambda chosen on the same inner splits as ours; with `ours` (cold's result, same seeds) also the paired difference."
    out = {}
    for name, (ml, genres) in D.items():
        res, lams = [], []
        make = lambda kw: lambda tr: cmf_fit(tr, kw['lam'], genres)
        rmse = lambda m, test: cmf_rmse(m, test, ml.rating_scale, genres)
        for seed in seeds:
            s = cold_item_split(ml.ratings, 0.1, seed=seed)
            lam = choose_cold(s.train, make, [dict(lam=l) for l in CMF_COLD_LAMBDAS], rmse, seed)['lam']
            res.append(rmse(make(dict(lam=lam))(s.train), s.test)); lams.append(lam)
        print(f'cold items, {name}, cmfrec with genres (lambda chosen on inner cold splits: {lams}): {np.mean(res):.4f} +- '
              f'{np.std(res, ddof=1) / np.sqrt(len(res)):.4f}; by seed {np.round(res, 4).tolist()}', flush=True)
        out[name] = dict(rmse=res, lam=lams)
        if ours:
            d = np.array(ours[name]['rmse']['feature']) - np.array(res)
            print(f'  feature minus cmfrec, paired over seeds: {d.mean():+.4f} +- {d.std(ddof=1) / np.sqrt(len(d)):.4f}', flush=True)
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--part', nargs='+', default=['warm', 'cold', 'demographics', 'tail', 'speed'], choices=['warm', 'cold', 'demographics', 'cg-steps', 'tail', 'speed', 'cmfrec', 'cmfrec-cold'])
    ap.add_argument('--seeds', type=int, nargs='+', default=list(range(5)), help='the cold parts\' outer seeds (default 0..4)')
    a = ap.parse_args()
    t0 = time.time()
    D = data() if set(a.part) - {'speed'} else None
    def part(name, run):   # each part's results file, with the command that made it
        t = time.time(); r = run()
        print(f"wrote {write_results(f'feature_als_{name}', dict(r, seconds=time.time() - t))}", flush=True)
        return r
    if 'warm' in a.part: part('warm', lambda: warm(D))
    ours = part('cold', lambda: cold(D, a.seeds)) if 'cold' in a.part else None
    if 'demographics' in a.part: part('demographics', lambda: demographics(D))
    if 'cg-steps' in a.part: part('cg_steps', lambda: cg_steps(D))
    if 'tail' in a.part: part('tail', lambda: tail(D))
    if 'speed' in a.part: part('speed', speed)
    if 'cmfrec' in a.part: part('cmfrec', lambda: cmfrec_warm(D))
    if {'cmfrec', 'cmfrec-cold'} & set(a.part): part('cmfrec_cold', lambda: dict(by_data=cmfrec_cold(D, a.seeds, ours), seeds=a.seeds))
    print(f'\n({time.time() - t0:.0f} s)')

if __name__ == '__main__': main()
