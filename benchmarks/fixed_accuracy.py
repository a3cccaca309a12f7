"""Mean test RMSE over ml-100k's official u1..u5 folds at fixed settings, to six decimals: a kernel change must leave it unchanged.

Nothing is tuned here (accuracy.py tunes); the settings are fixed so that two versions of the code can be compared number for
number, and so that the conjugate-gradient solver's accuracy cost against the exact solver is visible:

    bias-only        BiasALS() (defaults)
    latent K=10      LatentALS(n_factors=10, tau=15, 20 epochs), exact solves
    latent K=32      LatentALS(n_factors=32, tau=20, 20 epochs), exact solves
    latent K=32 cg   the same with solver='cg' (3 steps per row and sweep)

    python benchmarks/fixed_accuracy.py      # MOVIELENS_DIR or the cache must hold ml-100k; about a minute
    git stash; python benchmarks/fixed_accuracy.py; git stash pop     # the same numbers before a change, to compare
"""
import warnings
import numpy as np
from apply_ml_as.models.bias import BiasALS
from apply_ml_as.models.latent import LatentALS
from apply_ml_as.use.evaluate import rmse
from apply_ml_as.data.splits import official_split
from apply_ml_as.models.base import UnknownIdWarning
from harness import write_results

warnings.filterwarnings('ignore', category=UnknownIdWarning)   # a few test pairs per fold have a movie unseen in training; they get its biases' fallback

MODELS = {'bias-only': lambda: BiasALS(),
          'latent K=10': lambda: LatentALS(n_factors=10, tau=15.0, n_epochs=20),
          'latent K=32': lambda: LatentALS(n_factors=32, tau=20.0, n_epochs=20),
          'latent K=32 cg': lambda: LatentALS(n_factors=32, tau=20.0, n_epochs=20, solver='cg')}

def main():
    folds = [official_split(f) for f in ('u1', 'u2', 'u3', 'u4', 'u5')]
    out = {}
    for name, make in MODELS.items():
        r = [rmse(s.test.rating.to_numpy(), make().fit(s.train).predict(s.test.user_id.to_numpy(), s.test.item_id.to_numpy())) for s in folds]
        print(f'{name:16s} {np.mean(r):.6f}', flush=True)
        out[name] = dict(mean_test_rmse=float(np.mean(r)), per_fold=[float(x) for x in r])
    print(f"wrote {write_results('fixed_accuracy', out)}")

if __name__ == '__main__': main()
