"""Top-10 recommendation quality, side by side: NDCG@10, recall@10, MAP@10 and catalogue coverage for popularity, each of
this library's models, EASE and PureSVD (written in benchmarks/harness.py), and implicit's ALS and LensKit's ImplicitMF
where installed (benchmarks/requirements.txt), on ml-latest-small (random 10%, seed 42) and ml-100k's folds u1..u5.

Protocol (chapter 31's `ranking_report`): the top 10 of every test user with a held-out rating of 4 or more, the user's
training items excluded; a held-out item is relevant when rated 4 or more. Every peer's hyperparameters are chosen on a
validation split cut from that split's training ratings (random 10%, seed 7; never the test ratings), then it is refitted
on the whole training part. ImplicitALS runs with its defaults (chosen once for both data sets by implicit_defaults.py);
the rating models run with the settings their chapters use. --part personas runs chapter 30's persona test on every model
trained on a whole release. Results go to benchmarks/results/ranking.json.

    python benchmarks/ranking.py                          # everything (about 30 minutes on 2 cores)
    python benchmarks/ranking.py --splits small u1 --quick  # smaller grids for the peers
"""
import argparse, itertools, json, sys, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as H
from apply_ml_as.models.bias import BiasALS
from apply_ml_as.models.latent import LatentALS
from apply_ml_as.models.feature import FeatureALS
from apply_ml_as.models.bayes import BayesALS
from apply_ml_as.models.implicit import ImplicitALS
from apply_ml_as.data.interactions import item_genre_matrix
from apply_ml_as.use.recommend import recommend, genre_personas, persona_report, personas, PERSONA_GENRES
from apply_ml_as.data.movielens import load_movielens

def ours(make, features=False):
    "A peer adapter for one of our models: fit on the split's training part, recommend with the library's own `recommend`."
    def run(rk, name):
        side = {}
        if features:
            items = H.items_table(name); side['item_features'] = item_genre_matrix(items, items.item_id.to_numpy())
        m = make(rk.scale).fit(rk.train, **side)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return recommend(m, rk.users, n=10, exclude=rk.train)[['user_id', 'rank', 'item_id']]
    return run

OURS = {
    'ImplicitALS (defaults)': ours(lambda s: ImplicitALS(rating_scale=s)),
    'ImplicitALS, no blend': ours(lambda s: ImplicitALS(rating_scale=s, blend=0.0)),
    'LatentALS (K=50, tau 12)': ours(lambda s: LatentALS(n_factors=50, tau=12.0, gamma=3.0, rating_scale=s)),
    'FeatureALS (genres, rated-items prior)': ours(lambda s: FeatureALS(n_factors=50, tau=12.0, gamma=3.0, tau_f=100.0, gamma_f=100.0,
                                                                        rated_items_prior=True, rating_scale=s), features=True),
    'BayesALS (defaults, genres)': ours(lambda s: BayesALS(n_factors=10, rating_scale=s), features=True),
    'BiasALS': ours(lambda s: BiasALS(gamma=3.0, rating_scale=s)),
}
GRIDS = {   # the peers' hyperparameters, chosen per split on its validation split
    'EASE': (H.ease, dict(lam=[50, 100, 200, 500, 1000])),
    'PureSVD': (H.puresvd, dict(k=[10, 20, 50, 100])),
    'implicit ALS': (H.implicit_als, dict(factors=[64, 128], regularization=[1.0, 10.0, 50.0, 200.0, 500.0], alpha=[0.5, 1.0, 2.0, 5.0])),
    'LensKit ImplicitMF': (H.lenskit_implicit_mf, dict(embedding_size=[64, 128], regularization=[1.0, 10.0, 50.0, 200.0, 1000.0], weight=[0.5, 1.0, 2.0, 5.0])),
}
QUICK = {'EASE': dict(lam=[200, 500]), 'PureSVD': dict(k=[20, 50]), 'implicit ALS': dict(factors=[64], regularization=[1.0, 10.0], alpha=[1.0, 2.0]),
         'LensKit ImplicitMF': dict(embedding_size=[64], regularization=[0.1], weight=[20.0, 40.0])}
NEEDS = {'implicit ALS': 'implicit', 'LensKit ImplicitMF': 'lenskit'}

def tune(fn, grid, train, scale):
    "The setting with the best validation NDCG@10, and the table of all of them."
    tr, va = H.validation(train)
    rk = H.Ranker(tr, va); rk.scale = scale
    rows = []
    for combo in itertools.product(*grid.values()):
        p = dict(zip(grid, combo))
        rows.append(dict(**p, ndcg=rk.score(fn(rk, **p))['ndcg@10']))
    best = max(rows, key=lambda r: r['ndcg'])
    return {k: best[k] for k in grid}, rows

def run_split(name, quick, only):
    train, test, scale = H.split(name)
    rk = H.Ranker(train, test); rk.scale = scale
    out = {}
    out['popularity'] = rk.score(H.popularity(rk))
    for label, fn in OURS.items():
        if only and label not in only: continue
        t0 = time.perf_counter(); out[label] = dict(rk.score(fn(rk, name)), seconds=time.perf_counter() - t0)
        print(f'  {name} {label}: {out[label]}', flush=True)
    for label, (fn, grid) in GRIDS.items():
        if only and label not in only: continue
        if label in NEEDS and not H.installed(NEEDS[label]): print(f'  {label}: not installed, skipped', flush=True); continue
        g = QUICK[label] if quick else grid
        t0 = time.perf_counter(); best, rows = tune(fn, g, train, scale)
        out[label] = dict(rk.score(fn(rk, **best)), params=best, seconds=time.perf_counter() - t0)
        print(f'  {name} {label}: {out[label]}', flush=True)
    return out

def persona_part():
    "Chapter 30's persona test on models trained on a whole release; EASE's lists from its item weights."
    res = {}
    for release in ('ml-latest-small', 'ml-100k'):
        ml = load_movielens(release); res[release] = {}
        for label, m in (('ImplicitALS (defaults)', ImplicitALS(rating_scale=ml.rating_scale)),
                         ('LatentALS (K=50, tau 12)', LatentALS(n_factors=50, tau=12.0, gamma=3.0, rating_scale=ml.rating_scale))):
            r = personas(m.fit(ml.ratings), ml)
            res[release][label] = dict(max_shared=r.max_shared, mean_shared=r.mean_shared, own_genre=r.own_genre)
        rk = H.Ranker(ml.ratings, ml.ratings.iloc[:0])
        G = (rk.B.T @ rk.B).toarray(); G[np.diag_indices_from(G)] += 500.0 if release == 'ml-100k' else 200.0
        P = np.linalg.inv(G); W = -P / np.diag(P); np.fill_diagonal(W, 0.0)
        lists = {}
        for g, ids in genre_personas(ml.items, ml.ratings, PERSONA_GENRES).items():
            cols = np.searchsorted(rk.item_ids, ids); s = W[cols].sum(0); s[cols] = -np.inf
            lists[g] = rk.item_ids[np.argsort(-s, kind='stable')[:10]]
        r = persona_report(lists, ml.items)
        res[release]['EASE'] = dict(max_shared=r.max_shared, mean_shared=r.mean_shared, own_genre=r.own_genre)
        print(release, res[release], flush=True)
    return res

def summary(per_split):
    "Means over ml-100k's folds, and ml-latest-small as it is: one row per method."
    rows = []
    methods = sorted({m for s in per_split.values() for m in s})
    for m in methods:
        row = dict(method=m)
        for ds, names in (('small', ['small']), ('100k', [n for n in per_split if n.startswith('u')])):
            got = [per_split[n][m] for n in names if n in per_split and m in per_split[n]]
            if not got: continue
            for k in ('ndcg@10', 'recall@10', 'map@10', 'coverage'): row[f'{ds} {k}'] = float(np.mean([g[k] for g in got]))
        rows.append(row)
    return pd.DataFrame(rows).set_index('method')

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--splits', nargs='+', default=['small', 'u1', 'u2', 'u3', 'u4', 'u5'])
    ap.add_argument('--part', choices=['ranking', 'personas', 'all'], default='all')
    ap.add_argument('--only', nargs='*', default=None, help='run only these methods (labels as printed)')
    ap.add_argument('--quick', action='store_true', help='smaller grids for the peers')
    ap.add_argument('--merge', action='store_true', help='with --only: replace those methods in results/ranking.json, keep the rest')
    a = ap.parse_args()
    warnings.simplefilter('ignore')
    res, previous = {}, None
    if a.merge:
        if not a.only: ap.error('--merge needs --only')
        previous = json.loads((H.RESULTS/'ranking.json').read_text())
        res = previous['results']
    if a.part in ('ranking', 'all'):
        per_split = res.get('per_split', {}) if a.merge else {}
        for name in a.splits:
            print(f'{name}:', flush=True)
            got = run_split(name, a.quick, a.only)
            if a.merge: got.pop('popularity', None)
            per_split[name] = {**per_split.get(name, {}), **got}
        t = summary(per_split)
        print(t.round(4).to_string())
        res.update(per_split=per_split, summary=t.reset_index().to_dict(orient='records'))
    if a.part in ('personas', 'all') and not a.merge: res['personas'] = persona_part()
    name = 'ranking' if (a.part == 'all' and not a.quick and not a.only) or a.merge else f'ranking-{a.part}'
    path = H.write_results(name, res)
    if previous:   # the file says every command that made it
        doc = json.loads(path.read_text()); doc['command'] = previous['command'] + ' ; ' + doc['command']; path.write_text(json.dumps(doc, indent=1) + '\n')
    print(f'written: {path}')

if __name__ == '__main__': main()
