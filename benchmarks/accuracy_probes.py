"""Ideas for rating accuracy, probed before building them into the models (chapter 25 says what came of them).

    python benchmarks/accuracy_probes.py        # about 4 minutes on 2 cores

1. A mean vector per side (what myFM's Normal-Gamma hyperprior adds to a precision): BayesALS with its defaults, with and
   without its side means (`side_means`: an always-on feature for every person and every movie), seeds 0-2, on ml-100k u1 and
   ml-latest-small 90/10; and the same two on brand-new movies (`cold_item_split`, 10% of the movies held out entirely,
   seeds 0 and 1, the genres given), beside the point model at the cold-start settings chapter 24 uses (tau_f 100, gamma_f 1000).
2. Time (Koren 2009's day-specific user bias): the point model with both rated priors is fitted; then each (person, day)
   gets the shrunk mean of its training residuals, sum / (count + 5), added to that person's test ratings on that day.
   Fitted after the model rather than with it, so it is a lower bound on what a joint fit would give.
3. Three more things myFM's prior has and ours does not, each as a small subclass of BayesALS below (seeds 0-2, u1 and small,
   against probe 1's "without", which is BayesALS with its defaults and the same seeds):
   - a precision per dimension of the people's and the movies' vectors (myFM's lambda per group and factor), drawn from the same
     Gamma hyperprior; the rows are drawn by the same kernel, with the dimensions rescaled so that its one precision serves;
   - a precision of their own for the genres' vectors, apart from the raters' (myFM gives every feature group its own);
   - a bias for every rated movie and every rater too (myFM gives every feature a linear weight): the biases' prior means come from
     the same inputs as the vectors', not from the genres only.
Every BayesALS here keeps one noise precision for everyone (`user_noise=None`, ONE_NOISE below): these probes were measured against
that model, before the noise precision per person became the default; `benchmarks/bayes_als.py` measures the two side by side.
Test RMSE with `apply_ml_as.use.evaluate.rmse`, clipped to the rating scale.
"""
import time, warnings
import numpy as np, pandas as pd
from harness import split, items_table, write_results
from apply_ml_as.data.interactions import item_genre_matrix
import scipy.linalg as sl
from apply_ml_as.models.bayes import BayesALS, FeatureSampler, _gamma
from apply_ml_as.kernels.als import draw_rows
from apply_ml_as.models.feature import FeatureALS
from apply_ml_as.use.evaluate import rmse, rating_metrics
from apply_ml_as.data.splits import cold_item_split
from apply_ml_as.data.movielens import load_movielens

ONE_NOISE = dict(user_noise=None)

class PerDimension(BayesALS):
    "A precision per dimension for the people's vectors and for the movies'."
    def _init_params(self, X, item_features=None, user_features=None):
        super()._init_params(X, item_features, user_features)
        self._dims = dict(u=np.full(self.n_factors, float(self.tau)), i=np.full(self.n_factors, float(self.tau)))
    def _sweep(self, X):   # BayesALS._sweep with each half-sweep's dimensions rescaled: u = s u', v' = s v, one precision 1 for u'
        P, rng, n = self._prec, self._rng, len(X)
        lam, seeds, (ub, uf, ib, itf) = P['lam'], rng.integers(0, 2**62, 2), self._priors()
        by_user, by_item = self._day_adjusted(X)
        def half(ratings, R, other_b, other_f, reg_b, out_b, mine, prior_b, prior_f, seed):
            s = np.sqrt(1.0 / mine).astype(other_f.dtype); out = np.empty((len(R.indptr) - 1, self.n_factors), other_f.dtype)
            r = draw_rows(R.indptr, R.indices, ratings, self.global_mean_, other_b, other_f * s, reg_b, 1.0 / lam, lam, int(seed), out_b, out,
                          prior_bias=prior_b, prior_factors=None if prior_f is None else prior_f / s)
            return out * s, r
        self.user_factors_, _ = half(by_user, X.by_user, self.item_bias_, self.item_factors_, P['gamma_u'] / lam, self.user_bias_, self._dims['u'], ub, uf, seeds[0])
        self.item_factors_, (sse, resid) = half(by_item, X.by_item, self.user_bias_, self.user_factors_, P['gamma_i'] / lam, self.item_bias_, self._dims['i'], ib, itf, seeds[1])
        if self.use_mean:
            d = resid / n + rng.normal() / np.sqrt(lam * n)
            self.global_mean_ = float(self.global_mean_ + d); sse += n * d * d - 2 * d * resid
        if self.day_bias: raise NotImplementedError('this probe has no day biases')
        self._draw_features(P, rng)
        energy = self._draw_precisions(X, sse)
        self._t += 1
        if self._t > self.burn_in: self._keep()
        return energy, sse
    def _draw_features(self, P, rng):   # the features' vectors one dimension at a time, each with its rows' precision
        super()._draw_features(P, rng)
        for s, sampler, T, dims, prec, F_name, R_name in ((self._items, self._fs['item'], self.item_factors_, self._dims['i'], P['tau_fi'], 'item_feature_factors_', 'rater_factors_'),
                                                          (self._users, self._fs['user'], self.user_factors_, self._dims['u'], P['tau_fu'], 'user_feature_factors_', 'rated_item_factors_')):
            W0 = np.vstack([getattr(self, F_name), getattr(self, R_name)])
            W = np.column_stack([sampler.draw(T[:, k], dims[k], prec, rng, W0[:, k:k + 1])[0][:, 0] for k in range(self.n_factors)])
            for name, w in zip((F_name, R_name), s.split(W)): setattr(self, name, w.astype(T.dtype))
    def _draw_precisions(self, X, sse):
        energy = super()._draw_precisions(X, sse)
        ub, uf, ib, itf = self._priors()
        for side, V, M in (('u', self.user_factors_, uf), ('i', self.item_factors_, itf)):
            D = np.square(V.astype(np.float64) - (0.0 if M is None else M)).sum(0)
            self._dims[side] = np.array([_gamma(self._rng, self.prior_shape, self.prior_rate, len(V), d) for d in D])
        return energy

class GenrePrecision(BayesALS):
    "The genres' vectors with a precision of their own, apart from the raters' (an exact dense draw: ml-100k and ml-latest-small are small)."
    def _init_params(self, X, item_features=None, user_features=None):
        super()._init_params(X, item_features, user_features)
        F = self._items.inputs; self._gram, self._n_genres, self._tau_g = (F.T @ F).toarray(), self._items.features.shape[1], float(self.tau_f)
    def _draw_features(self, P, rng):
        super()._draw_features(P, rng)
        F, T = self._items.inputs, self.item_factors_.astype(np.float64)
        d = np.full(F.shape[1], P['tau_fi']); d[:self._n_genres] = self._tau_g
        L = np.linalg.cholesky(P['tau_i'] * self._gram + np.diag(d))
        mean = sl.cho_solve((L, True), P['tau_i'] * (F.T @ T))
        W = mean + sl.solve_triangular(L.T, rng.standard_normal(mean.shape), lower=False)
        self.item_feature_factors_, self.rater_factors_ = (w.astype(T.dtype) for w in self._items.split(W))
    def _draw_precisions(self, X, sse):
        energy = super()._draw_precisions(X, sse)
        G, Z = self.item_feature_factors_.astype(np.float64), self.rater_factors_.astype(np.float64)
        self._tau_g = _gamma(self._rng, self.prior_shape, self.prior_rate, G.size, float(np.square(G).sum()))
        self._prec['tau_fi'] = _gamma(self._rng, self.prior_shape, self.prior_rate, Z.size, float(np.square(Z).sum()))
        return energy

class RatedBiases(BayesALS):
    "A bias for every rated movie (people's side) and every rater (movies' side) too: the biases' prior means come from the vectors' inputs."
    def _init_params(self, X, item_features=None, user_features=None):
        super()._init_params(X, item_features, user_features)
        self._bias_fs = {k: FeatureSampler(s.inputs, F_transpose=s.inputs_t) for k, s in (('u', self._users), ('i', self._items))}
        self._g = {k: np.zeros(s.inputs.shape[1]) for k, s in (('u', self._users), ('i', self._items))}
    def _priors(self):
        ub, uf, ib, itf = super()._priors()
        if self._users.any: ub = (self._users.inputs @ self._g['u']).astype(self.dtype)
        if self._items.any: ib = (self._items.inputs @ self._g['i']).astype(self.dtype)
        return ub, uf, ib, itf
    def _draw_features(self, P, rng):
        super()._draw_features(P, rng)
        self._g['i'] = self._bias_fs['i'].draw(self.item_bias_, P['gamma_i'], P['gamma_fi'], rng)[0][:, 0]
        self._g['u'] = self._bias_fs['u'].draw(self.user_bias_, P['gamma_u'], P['gamma_fu'], rng)[0][:, 0]
        self.item_feature_bias_ = self._g['i'][:self._items.features.shape[1]].astype(self.dtype)
        self.user_feature_bias_ = self._g['u'][:self._users.features.shape[1]].astype(self.dtype)
    def _draw_precisions(self, X, sse):
        energy = super()._draw_precisions(X, sse)
        for k, s in (('gamma_fi', 'i'), ('gamma_fu', 'u')):
            if len(self._g[s]): self._prec[k] = _gamma(self._rng, self.prior_shape, self.prior_rate, len(self._g[s]), float(np.square(self._g[s]).sum()))
        return energy

def main():
    t0, rows = time.time(), []
    for name in ('u1', 'small'):
        train, test, scale = split(name)
        items = items_table(name)
        genres = item_genre_matrix(items, items.item_id.to_numpy())
        for seed in (0, 1, 2):
            for variant, means in (('without', False), ('a mean vector per side', True)):
                m = BayesALS(n_factors=10, rating_scale=scale, random_state=seed, side_means=means, **ONE_NOISE).fit(train, item_features=genres)
                rows.append(dict(split=name, probe='mean vector', variant=variant, seed=seed, rmse=rmse(test.rating, m.predict(test.user_id, test.item_id))))
            for variant, cls in (('a precision per dimension', PerDimension), ('a precision for the genres', GenrePrecision), ('biases for rated movies and raters', RatedBiases)):
                m = cls(n_factors=10, rating_scale=scale, random_state=seed, **ONE_NOISE).fit(train, item_features=genres)
                rows.append(dict(split=name, probe="myFM's prior", variant=variant, seed=seed, rmse=rmse(test.rating, m.predict(test.user_id, test.item_id))))
        ml = load_movielens('ml-latest-small' if name == 'small' else 'ml-100k')
        for seed in (0, 1):   # brand-new movies
            cs = cold_item_split(ml.ratings, 0.1, seed=seed)
            for variant, make in (('BayesALS without', lambda scale=scale: BayesALS(n_factors=10, rating_scale=scale, side_means=False, **ONE_NOISE)),
                                  ('BayesALS with a mean vector per side', lambda scale=scale: BayesALS(n_factors=10, rating_scale=scale, side_means=True, **ONE_NOISE)),
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
    print(f'\n(mean vector and myFM prior: the mean over seeds 0-2; new movies: over cold splits 0 and 1; {time.time() - t0:.0f} s)')
    print(f"wrote {write_results('accuracy_probes', dict(rows=rows, mean={f'{p} | {v}': {s: float(x) for s, x in r.items()} for (p, v), r in table.iterrows()}))}")

if __name__ == '__main__': main()
