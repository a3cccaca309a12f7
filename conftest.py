"pytest setup: notebook test flags, and the local MovieLens folder beside the checkout."
import os
from pathlib import Path

def pytest_addoption(parser):
    parser.addoption('--flags', default='', help='space-separated nbdev test flags to run as well, e.g. "slow"')

_shared = Path(__file__).resolve().parent.parent/'shared'/'data'/'movielens'
if 'MOVIELENS_DIR' not in os.environ and _shared.is_dir(): os.environ['MOVIELENS_DIR'] = str(_shared)
