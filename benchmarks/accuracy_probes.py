"""Two ideas for rating accuracy, probed before building them into the models (chapter 25 says what came of them).

    python benchmarks/accuracy_probes.py        # about 3 minutes on 2 cores

1. A mean vector per side (what myFM's Normal-Gamma hyperprior adds to a precision): BayesALS with its defaults, with and
   without its side means (`side_means`: an always-on feature for every person and every movie), seeds 0-2, on ml-100k u1 and
   ml-latest-small 90/10; and the same two on brand-new movies (`cold_item_split`, 10% of the movies held out entirely,
   seeds 0 and 1, the genres given), beside the point model at the cold-start settings chapter 24 uses (tau_f 100, gamma_f 1000).
2. Time (Koren 2009's day-specific user bias): the point model with both rated priors is fitted; then each (person, day)
   gets the shrunk mean of its training residuals, sum / (count + 5), added to that person's test ratings on that day.
   Fitted after the model rather than with it, so it is a lower bound on what a joint fit would give.
Test RMSE with `apply_ml_as.use.evaluate.rmse`, clipped to the rating scale.
"""
import time, warnings
import numpy as np, pandas as pd
from harness import split, items_table, write_results
from apply_ml_as.data.interactions import item_genre_matrix
from apply_ml_as.models.bayes import BayesALS
from apply_ml_as.models.feature import FeatureALS
from apply_ml_as.use.evaluate import rmse, rating_metrics
from apply_ml_as.data.splits import cold_item_split
from apply_ml_as.data.movielens import load_movielens

def main():
    t0, rows = time.time(), []
    for name in ('u1', 'small'):
        train, test, scale = split(name)
        items = items_table(name)
        genres = item_genre_matrix(items, items.item_id.to_numpy())
        for seed in (0, 1, 2):
            for variant, means in (('without', False), ('a mean vector per side', True)):
                m = BayesALS(n_factors=10, rating_scale=scale, random_state=seed, side_means=means).fit(train, item_features=genres)
                rows.append(dict(split=name, probe='mean vector', variant=variant, seed=seed, rmse=rmse(test.rating, m.predict(test.user_id, test.item_id))))
        ml = load_movielens('ml-latest-small' if name == 'small' else 'ml-100k')
        for seed in (0, 1):   # brand-new movies
            cs = cold_item_split(ml.ratings, 0.1, seed=seed)
            for variant, make in (('BayesALS without', lambda scale=scale: BayesALS(n_factors=10, rating_scale=scale, side_means=False)),
                                  ('BayesALS with a mean vector per side', lambda scale=scale: BayesALS(n_factors=10, rating_scale=scale, side_means=True)),
                                  ('FeatureALS, cold settings', lambda scale=scale: FeatureALS(n_factors=50, tau=12.0, gamma=3.0, tau_f=100.0, gamma_f=1000.0, n_epochs=25, rating_scale=scale))):
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    r = rating_metrics(make().fit(cs.train, item_features=genres), cs.test)['rmse']
                rows.append(dict(split=name, probe='new movies', variant=variant, seed=seed, rmse=r))
        m = FeatureALS(n_factors=50, tau=12.0, gamma=3.0, tau_f=100.0, gamma_f=100.0, rated_items_prior=True, rated_by_prior=True, n_epochs=25,
                       rating_scale=scale).fit(train, item_features=genres)
        base = m.predict(test.user_id, test.item_id, clip=False)
        tr = train.assign(res=train.rating - m.predict(train.user_id, train.item_id, clip=False), day=train.timestamp // 86400)
        g = tr.groupby(['user_id', 'day']).res.agg(['sum', 'count'])
        b = (g['sum'] / (g['count'] + 5.0)).rename('b')
        day_bias = test.assign(day=test.timestamp // 86400).join(b, on=['user_id', 'day']).b.fillna(0.0).to_numpy()
        for variant, p in (('FeatureALS', base), ('+ a bias per person and day', base + day_bias)):
            rows.append(dict(split=name, probe='time', variant=variant, seed=0, rmse=rmse(test.rating, np.clip(p, *scale))))
    df = pd.DataFrame(rows)
    table = df.groupby(['probe', 'variant', 'split'], sort=False).rmse.mean().unstack('split')
    print(table.round(4).to_string())
    print(f'\n(mean vector: the mean over seeds 0-2; new movies: over cold splits 0 and 1; {time.time() - t0:.0f} s)')
    print(f"wrote {write_results('accuracy_probes', dict(rows=rows, mean={f'{p} | {v}': {s: float(x) for s, x in r.items()} for (p, v), r in table.iterrows()}))}")

if __name__ == '__main__': main()
