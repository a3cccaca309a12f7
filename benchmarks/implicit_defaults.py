"""How ImplicitALS's defaults were chosen: a grid over its hyperparameters, scored by NDCG@10 on validation splits cut from
the training ratings of ml-latest-small (random 10%, seed 42) and of ml-100k's folds (never their test ratings), each score
divided by EASE's on the same validation split (EASE's lambda chosen there too). The setting with the best worst-case ratio
over the splits is the default; the persona test of chapter 30 is checked separately.

How the defaults came about, in three runs (their results files in benchmarks/results/):

    python benchmarks/implicit_defaults.py                                        # 1. the grid below, on small and u1
    python benchmarks/implicit_defaults.py --name fine --grid '{"alpha": [10.0, 15.0], "reg": [8.0, 10.0, 12.0],
        "unrated_exponent": [0.35, 0.45], "reg_exponent": [0.45, 0.5, 0.55]}'      # 2. finer, around the best of 1
    python benchmarks/implicit_defaults.py --name candidates --splits small u1 u2 u3 u4 u5 --candidates '[...]'
                                                                                  # 3. the best of 1 and 2 on six validation splits

The default is the candidate with the best mean ratio among those whose worst ratio stays above 1.03 and whose persona
test passes on both data sets (chapter 30; `benchmarks/ranking.py --part personas`): alpha 15, reg 10, unrated_exponent
0.35, reg_exponent 0.5, blend 0.5.
"""
import argparse, itertools, json, sys, warnings
from pathlib import Path
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as H
from apply_ml_as.models.implicit import ImplicitALS
from apply_ml_as.use.evaluate import ranking_report

GRID = dict(alpha=[10.0, 20.0, 40.0], reg=[5.0, 10.0, 20.0], unrated_exponent=[0.3, 0.4, 0.5], reg_exponent=[0.25, 0.5, 0.75])
BLENDS = [0.0, 0.5, 1.0, 1.5, 2.0]   # the blend only changes the ranking: scored on each fit without refitting

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--splits', nargs='+', default=['small', 'u1']); ap.add_argument('--top', type=int, default=15)
    ap.add_argument('--grid', type=json.loads, default=None, help='a JSON dict of lists replacing the grid')
    ap.add_argument('--candidates', type=json.loads, default=None, help='a JSON list of settings (dicts) to score instead of a grid')
    ap.add_argument('--name', default='', help='results/implicit_defaults-NAME.json (default: results/implicit_defaults.json)')
    a = ap.parse_args()
    grid = a.grid or GRID
    warnings.simplefilter('ignore')
    vals, ease_best = {}, {}
    for s in a.splits:
        train, _, scale = H.split(s)
        tr, va = H.validation(train)
        rk = H.Ranker(tr, va)
        ease = {lam: rk.score(H.ease(rk, lam))['ndcg@10'] for lam in (50, 100, 200, 500, 1000)}
        ease_best[s] = max(ease.values())
        vals[s] = (tr, va, scale)
        print(f'{s}: EASE on validation, NDCG@10 by lambda {ease}', flush=True)
    rows = []
    settings = a.candidates or [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())]
    for p in settings:
        got = {b: {} for b in BLENDS}
        for s, (tr, va, scale) in vals.items():
            m = ImplicitALS(rating_scale=scale, **p).fit(tr)
            for b in BLENDS:
                m.set_params(blend=b)
                got[b][s] = ranking_report(m, tr, va)
        for b in BLENDS:
            ratio = {s: got[b][s]['ndcg@10'] / ease_best[s] for s in vals}
            rows.append(dict(**p, blend=b, worst=min(ratio.values()), mean=float(np.mean(list(ratio.values()))),
                             **{f'{s}_ndcg': got[b][s]['ndcg@10'] for s in vals}, **{f'{s}_cov': got[b][s]['coverage'] for s in vals}))
        print(p, ' '.join(f'b={b}:{min(got[b][s]["ndcg@10"] / ease_best[s] for s in vals):.3f}' for b in BLENDS), flush=True)
    t = pd.DataFrame(rows).sort_values(['worst', 'mean'], ascending=False)
    print(f'\nbest {a.top} by the worst NDCG@10 ratio to EASE over {a.splits} (validation splits):')
    print(t.head(a.top).round(4).to_string(index=False))
    H.write_results('implicit_defaults' + (f'-{a.name}' if a.name else ''), dict(splits=a.splits, ease_validation_ndcg=ease_best, grid=a.candidates or grid, blends=BLENDS,
                                              table=t.round(5).to_dict(orient='records')))

if __name__ == '__main__': main()
