"""What every benchmark shares: the MovieLens splits, validation splits cut from training ratings, the peers written in a
few lines of numpy (popularity, EASE, PureSVD) or adapted from installed libraries (implicit, LensKit), top-N scoring with
the training items excluded, timing, memory, and results written as JSON to benchmarks/results/ (which the chapters and the
README read, so that every number shown is the last one measured)."""
from __future__ import annotations
import json, os, platform, shlex, subprocess, sys, time, warnings
from datetime import datetime, timezone
from pathlib import Path
import numpy as np, pandas as pd, scipy.sparse as sp

HERE = Path(__file__).resolve().parent
RESULTS = HERE/'results'
if 'MOVIELENS_DIR' not in os.environ and (HERE.parent.parent/'shared'/'data'/'movielens').is_dir():
    os.environ['MOVIELENS_DIR'] = str(HERE.parent.parent/'shared'/'data'/'movielens')

from apply_ml_as.data.movielens import load_movielens
from apply_ml_as.data.splits import random_split, official_split
from apply_ml_as.data.interactions import encode_ids
from apply_ml_as.kernels.als import score_top_n
from apply_ml_as.models.metrics import ranking_metrics, recommendation_table

# ---- data
def split(name:str):
    "(train, test, rating scale) of a named split: 'small' (ml-latest-small, random 10%, seed 42) or 'u1'..'u5' (ml-100k's official folds)."
    if name == 'small':
        ml = load_movielens('ml-latest-small'); s = random_split(ml.ratings, 0.1, seed=42)
        return s.train, s.test, ml.rating_scale
    s = official_split(name)
    return s.train, s.test, (1.0, 5.0)

def validation(train:pd.DataFrame, seed:int=7, frac:float=0.1):
    "A validation split cut from the training ratings (never the test ratings): (train part, validation part)."
    s = random_split(train, frac, seed=seed)
    return s.train, s.test

def items_table(name:str) -> pd.DataFrame:
    return load_movielens('ml-latest-small' if name == 'small' else 'ml-100k').items

# ---- ranking with the training items excluded, for any score matrix or factor pair
class Ranker:
    "The training matrix of a split, and top-N tables from scores or factors for the users that have relevant test ratings."
    def __init__(self, train:pd.DataFrame, test:pd.DataFrame, threshold:float=4.0):
        self.train, self.test = train, test
        uc, self.user_ids = encode_ids(train.user_id.to_numpy()); ic, self.item_ids = encode_ids(train.item_id.to_numpy())
        self.R = sp.csr_matrix((train.rating.to_numpy(np.float64), (uc, ic)), shape=(len(self.user_ids), len(self.item_ids)))
        self.B = self.R.copy(); self.B.data[:] = 1.0
        users = test.user_id[test.rating >= threshold].unique()
        self.users = users[np.isin(users, self.user_ids)]   # every peer ranks only users it has training ratings for
        self.rows = np.searchsorted(self.user_ids, self.users)
    def top(self, U, V, n=10):
        "Top-n by U[row] . V[item], training items excluded, as a recommendation table."
        idx, scores = score_top_n(np.ascontiguousarray(U, np.float32), np.ascontiguousarray(V, np.float32), self.rows, n, self.B.astype(np.int8))
        return recommendation_table(self.users, idx, scores, self.item_ids)
    def top_scores(self, S, n=10):
        "Top-n of a dense score matrix whose rows are self.rows."
        S = np.array(S, np.float64); S[self.B[self.rows].nonzero()] = -np.inf
        idx = np.argsort(-S, axis=1, kind='stable')[:, :n]
        return recommendation_table(self.users, idx, np.take_along_axis(S, idx, axis=1), self.item_ids)
    def score(self, recs, k=10):
        m = ranking_metrics(recs, self.test, k=k, n_catalogue=len(self.item_ids))
        return {key: m[key] for key in (f'ndcg@{k}', f'recall@{k}', f'map@{k}', 'coverage')}

# ---- peers written here, each a few lines
def popularity(rk:Ranker, **_):
    return rk.top(np.ones((len(rk.user_ids), 1)), np.asarray(rk.B.sum(0)).T)

def ease(rk:Ranker, lam:float=200.0):
    "EASE (Steck 2019): item-item weights B = I - P diag(1/diag P), P = (X'X + lam I)^-1, zero diagonal; scores X B."
    G = (rk.B.T @ rk.B).toarray(); G[np.diag_indices_from(G)] += lam
    P = np.linalg.inv(G); W = -P / np.diag(P); np.fill_diagonal(W, 0.0)
    return rk.top_scores(rk.B[rk.rows] @ W)

def puresvd(rk:Ranker, k:int=50):
    "PureSVD (Cremonesi et al. 2010): the rank-k SVD of the rating matrix, zeros for missing; scores r_u V V'."
    from scipy.sparse.linalg import svds
    _, _, Vt = svds(rk.R, k=min(k, min(rk.R.shape) - 1), random_state=0)
    return rk.top(np.asarray(rk.R @ Vt.T), Vt.T)

def implicit_als(rk:Ranker, factors:int=64, regularization:float=1.0, alpha:float=1.0, iterations:int=15):
    "implicit's CPU ALS (confidence 1 + alpha * rating), if installed."
    from implicit.cpu.als import AlternatingLeastSquares
    C = rk.R.astype(np.float32).tocsr(); C.data = 1 + alpha * C.data   # implicit reads its matrix as the confidences themselves
    m = AlternatingLeastSquares(factors=factors, regularization=regularization, alpha=1.0, iterations=iterations, random_state=0)
    m.fit(C, show_progress=False)
    return rk.top(m.user_factors, m.item_factors)

def lenskit_implicit_mf(rk:Ranker, embedding_size:int=64, regularization:float=0.1, weight:float=40.0, epochs:int=15):
    "LensKit's ImplicitMF with use_ratings (confidence from the ratings, scaled by weight), if installed."
    from lenskit.als import ImplicitMFScorer
    from lenskit.data import from_interactions_df
    ds = from_interactions_df(rk.train[['user_id', 'item_id', 'rating']])
    m = ImplicitMFScorer(embedding_size=embedding_size, regularization=regularization, weight=weight, epochs=epochs, use_ratings=True)
    m.train(ds)
    U, V = np.asarray(m.user_embeddings), np.asarray(m.item_embeddings)
    return rk.top(U[m.users.numbers(rk.user_ids)], V[m.items.numbers(rk.item_ids)])

def installed(module:str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None

# ---- results
def machine() -> dict:
    return dict(cores=os.cpu_count(), python=platform.python_version(), platform=platform.platform(), cpu=_cpu())

def _cpu():
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor()

def write_results(name:str, results:dict) -> Path:
    "Write results/NAME.json: the numbers, the command that made them, when, on what, at which commit."
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=HERE).stdout.strip()
        if subprocess.run(['git', 'status', '--porcelain', '--', '.', ':!results', '../apply_ml_as', '../nbs'], capture_output=True, text=True, cwd=HERE).stdout.strip():
            commit += ' with uncommitted changes'
    except OSError: commit = ''
    RESULTS.mkdir(exist_ok=True)
    doc = dict(command=shlex.join(['python', f'benchmarks/{Path(sys.argv[0]).name}'] + sys.argv[1:]), date=datetime.now(timezone.utc).strftime('%Y-%m-%d'),
               commit=commit, machine=machine(), results=results)
    path = RESULTS/f'{name}.json'
    path.write_text(json.dumps(doc, indent=1, default=float) + '\n')
    return path

class Timer:
    def __enter__(self): self.t = time.perf_counter(); return self
    def __exit__(self, *a): self.s = time.perf_counter() - self.t
