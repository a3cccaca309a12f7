"""How much the initialisation seed moves ImplicitALS's top-10 quality: NDCG@10 with its defaults on ml-latest-small (random
10%, seed 42) and ml-100k u1, for random_state 0..N-1 and 42 (the CLI's default seed), beside EASE's on the same split.

    python benchmarks/implicit_seeds.py             # seeds 0..7 and 42: about a minute on 2 cores
"""
import argparse
import numpy as np
from harness import split, Ranker, ease, write_results
from apply_ml_as import ImplicitALS, ranking_report

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0]); ap.add_argument('--seeds', type=int, default=8); a = ap.parse_args()
    seeds = list(range(a.seeds)) + [42]
    out = {}
    for name, lam in (('small', 200.0), ('u1', 500.0)):
        train, test, scale = split(name)
        nd = {k: ranking_report(ImplicitALS(rating_scale=scale, random_state=k).fit(train), train, test)['ndcg@10'] for k in seeds}
        rk = Ranker(train, test); e = rk.score(ease(rk, lam))['ndcg@10']
        v = np.array(list(nd.values()))
        out[name] = dict(ndcg_by_seed={str(k): float(x) for k, x in nd.items()}, mean=float(v.mean()), min=float(v.min()), max=float(v.max()),
                         ease=float(e), ease_lam=lam, ratio_min=float(v.min() / e), ratio_mean=float(v.mean() / e))
        print(f"{name}: NDCG@10 {v.min():.4f}-{v.max():.4f} (mean {v.mean():.4f}) over seeds {seeds}; EASE {e:.4f}: "
              f"{v.min() / e:.3f}x-{v.max() / e:.3f}x", flush=True)
    print(f"wrote {write_results('implicit_seeds', out)}")

if __name__ == '__main__': main()
