"""Bayesian ALS (BayesALS, chapter 25) against myFM's Bayesian factorisation machine, on the same splits, with the same metric code.

    pip install -r benchmarks/requirements.txt     # myfm
    python benchmarks/bayes_als.py                 # ml-100k u1..u5 and ml-latest-small 90/10 (seed 42): about 10 minutes on 2 cores
    python benchmarks/bayes_als.py --quick         # u1 only, fewer sweeps

Settings are fixed once, for every fold (no per-fold search, no tuning on test ratings):
  - ours: `BayesALS(n_factors=10)` with its defaults (50 sweeps of burn-in, 200 kept, the rated-items prior for people and
    the rated-by prior for movies, a noise precision per person) and the genres as item features; the precisions are sampled.
    Beside it the same with one noise precision for everyone (`user_noise=None`), and the point model
    with the same priors, `FeatureALS` (K = 50, tau 12, gamma 3, tau_f = gamma_f = 100, side means, 25 sweeps; the side means help it on rated movies).
  - myFM 0.4 (Gibbs), rank 10, 250 iterations of which the last 200 are kept, in three designs: user and item one-hot
    (the plain Bayesian MF); one-hot plus the item's genres and the movies the user rated in training (myFM's "implicit
    feedback" design); and the same side data as ours: that plus the people who rated the movie in training (the
    "flipped" implicit design). Each group of features has its own prior; all as myFM's relation blocks (one row per
    user and per movie, which is how myFM makes such designs fast). Every feature is normalised as ours is.
  - ours again with a bias per person and day (`day_bias=True`, chapter 24), predicting each test rating with its time; and
    myFM with the same side data plus the same days: a one-hot feature per (person, day) seen in training, in its own group
    (myFM gives it a weight, as ours is a bias, and a vector too); a test rating on a day unseen in training has none.
ml-latest-small has a single test set of 10,000 ratings, on which one chain's seed moves the RMSE by about 0.003, so there both
samplers (ours and myFM, with the same side data, with and without days) and the point model run with seeds 0, 1 and 2 and the
table gives their mean; the other myFM designs run once. On ml-100k each of the five folds runs once, seed 0.
Test RMSE comes from `apply_ml_as.use.evaluate.rmse` on clipped predictions for everyone. Calibration: the share of test ratings
within one (and two) predictive standard deviations of our unclipped prediction.
"""
import argparse, sys, time
import numpy as np, pandas as pd, scipy.sparse as sp
from apply_ml_as.data.movielens import load_movielens
from apply_ml_as.data.interactions import item_genre_matrix, index_of
from apply_ml_as.data.splits import official_split, random_split
from apply_ml_as.models.bayes import BayesALS
from apply_ml_as.models.feature import FeatureALS, day_numbers
from apply_ml_as.use.evaluate import rmse
from harness import write_results

def ours(train, test, genres, scale, quick, days=False, seed=0, **extra):
    kw = dict(burn_in=20, n_samples=60) if quick else {}
    m = BayesALS(n_factors=10, rating_scale=scale, day_bias=days, random_state=seed, **kw, **extra).fit(train, item_features=genres)
    p = m.predict(test.user_id, test.item_id, timestamps=test.timestamp if days else None)
    if days: return rmse(test.rating, p)
    raw, sd = m.predict(test.user_id, test.item_id, clip=False), m.predict_std(test.user_id, test.item_id)
    z = np.abs(test.rating.to_numpy() - raw) / sd
    return rmse(test.rating, p), dict(within1=float((z < 1).mean()), within2=float((z < 2).mean()))

def point(train, test, genres, scale, days=False, seed=0):
    m = FeatureALS(n_factors=50, tau=12.0, gamma=3.0, tau_f=100.0, gamma_f=100.0, rated_items_prior=True, rated_by_prior=True, side_means=True,
                   day_bias=days, n_epochs=25, rating_scale=scale, random_state=seed).fit(train, item_features=genres)
    return rmse(test.rating, m.predict(test.user_id, test.item_id, timestamps=test.timestamp if days else None))

def myfm_blocks(train, d, items, side, flipped=False):
    """myFM's relation blocks for the pairs of `d`: a user block (one-hot user, and with `side` the movies the user rated
    in training, normalised) and an item block (one-hot movie, and with `side` its genres, normalised; with `flipped` also
    the people who rated it in training, normalised), with group sizes."""
    import myfm
    users, movies = np.unique(train.user_id), np.unique(np.r_[train.item_id, items.item_id])
    nu, ni = len(users), len(movies)
    eye = lambda n: sp.vstack([sp.identity(n, format='csr'), sp.csr_matrix((1, n))]).tocsr()   # a last, empty row for unknown ids
    R = sp.csr_matrix((np.ones(len(train)), (index_of(users, train.user_id.to_numpy()), index_of(movies, train.item_id.to_numpy()))), shape=(nu, ni))
    R = sp.diags(1 / np.sqrt(np.maximum(R.sum(1).A1, 1))) @ R
    G = item_genre_matrix(items, movies).matrix.astype(np.float64)
    G = sp.diags(1 / np.sqrt(np.maximum(G.sum(1).A1, 1))) @ G
    ub = sp.hstack([eye(nu)] + ([sp.vstack([R, sp.csr_matrix((1, ni))])] if side else [])).tocsr()
    Rt = sp.diags(1 / np.sqrt(np.maximum((R.T != 0).sum(1).A1, 1))) @ (R.T != 0).astype(np.float64)
    ib = sp.hstack([eye(ni)] + ([sp.vstack([G, sp.csr_matrix((1, G.shape[1]))])] if side else [])
                   + ([sp.vstack([Rt, sp.csr_matrix((1, nu))])] if flipped else [])).tocsr()
    up, ip = index_of(users, d.user_id.to_numpy()), index_of(movies, d.item_id.to_numpy())
    up, ip = np.where(up >= 0, up, nu), np.where(ip >= 0, ip, ni)
    blocks = [myfm.RelationBlock(up.tolist(), ub), myfm.RelationBlock(ip.tolist(), ib)]
    shapes = [nu] + ([ni] if side else []) + [ni] + ([G.shape[1]] if side else []) + ([nu] if flipped else [])
    return blocks, shapes

def person_days(train, d):
    "One-hot (person, day) columns for the ratings of `d`: one column per pair seen in training; a rating on another day has an empty row."
    key = lambda f: pd.MultiIndex.from_arrays([f.user_id.to_numpy(), day_numbers(f.timestamp.to_numpy())])
    known = key(train).unique()
    col = known.get_indexer(key(d))
    rows = np.flatnonzero(col >= 0)
    return sp.csr_matrix((np.ones(len(rows)), (rows, col[rows])), shape=(len(d), len(known)))

def run_myfm(train, test, items, scale, side, quick, flipped=False, days=False, seed=0):
    import myfm
    rel_tr, shapes = myfm_blocks(train, train, items, side, flipped)
    rel_te, _ = myfm_blocks(train, test, items, side, flipped)
    X_tr, X_te = (person_days(train, train), person_days(train, test)) if days else (sp.csr_matrix((len(train), 0)), sp.csr_matrix((len(test), 0)))
    shapes = ([X_tr.shape[1]] if days else []) + shapes   # myFM's columns: X's first, then the relation blocks'
    n_iter, kept = (80, 60) if quick else (250, 200)
    fm = myfm.MyFMRegressor(rank=10, random_seed=seed).fit(X_tr, train.rating.to_numpy(np.float64), X_rel=rel_tr,
                                                       n_iter=n_iter, n_kept_samples=kept, group_shapes=shapes)
    return rmse(test.rating, np.clip(fm.predict(X_te, rel_te), *scale))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true'); ap.add_argument('--no-myfm', action='store_true')
    a = ap.parse_args()
    try: import myfm  # noqa: F401
    except ImportError:
        if not a.no_myfm: sys.exit('myfm is not installed: pip install -r benchmarks/requirements.txt, or pass --no-myfm')
    t0 = time.time()
    ml = load_movielens('ml-100k')
    genres = item_genre_matrix(ml.items, ml.items.item_id.to_numpy())
    splits = [('ml-100k', f, official_split(f), ml, genres, (1.0, 5.0), 0) for f in (['u1'] if a.quick else ['u1', 'u2', 'u3', 'u4', 'u5'])]
    if not a.quick:
        small = load_movielens('ml-latest-small')
        s90 = random_split(small.ratings, test_frac=0.1, seed=42)
        splits += [('ml-latest-small', '90/10', s90, small, item_genre_matrix(small.items, small.items.item_id.to_numpy()), (0.5, 5.0), seed) for seed in (0, 1, 2)]
    rows = []
    for data, fold, s, m, g, scale, seed in splits:
        t = time.time(); r, cal = ours(s.train, s.test, g, scale, a.quick, seed=seed)
        row = dict(data=data, fold=fold, seed=seed, BayesALS=r, ours_s=time.time() - t, **cal)
        row['BayesALS (one noise)'] = ours(s.train, s.test, g, scale, a.quick, seed=seed, user_noise=None)[0]
        row['FeatureALS'] = point(s.train, s.test, g, scale, seed=seed)
        row['BayesALS + days'], row['FeatureALS + days'] = ours(s.train, s.test, g, scale, a.quick, days=True, seed=seed), point(s.train, s.test, g, scale, days=True, seed=seed)
        if not a.no_myfm:
            designs = (('myFM (one-hot)', False, False), ('myFM (genres, rated movies)', True, False)) if seed == 0 else ()
            for name, side, flipped in designs + (('myFM (same side data)', True, True),):
                t = time.time(); row[name] = run_myfm(s.train, s.test, m.items, scale, side, a.quick, flipped, seed=seed); row[name + ' s'] = time.time() - t
            t = time.time(); row['myFM (same side data + days)'] = run_myfm(s.train, s.test, m.items, scale, True, a.quick, True, days=True, seed=seed)
            row['myFM (same side data + days) s'] = time.time() - t
        rows.append(row); print(pd.DataFrame([row]).round(4).to_string(index=False), flush=True)
    df = pd.DataFrame(rows)
    print('\nmean test RMSE (and calibration of ours): ml-100k over its five folds, ml-latest-small over seeds 0-2 (the first two myFM designs: seed 0)')
    cols = [c for c in ('BayesALS', 'BayesALS (one noise)', 'FeatureALS', 'BayesALS + days', 'FeatureALS + days', 'myFM (one-hot)', 'myFM (genres, rated movies)', 'myFM (same side data)', 'myFM (same side data + days)', 'within1', 'within2') if c in df]
    print(df.groupby('data', sort=False)[cols].mean().round(4).to_string())
    print(f'\n(targets: ml-100k u1..u5 mean <= 0.888, ml-latest-small <= 0.814, ahead of myFM with the same side data, with and without days; about 68% within one sd; {time.time() - t0:.0f} s)')
    if not a.quick:
        means = {d: {c: float(v) for c, v in r.items()} for d, r in df.groupby('data', sort=False)[cols].mean().iterrows()}
        print(f"wrote {write_results('bayes_als', dict(per_split=rows, mean=means, seconds=time.time() - t0))}")

if __name__ == '__main__': main()
