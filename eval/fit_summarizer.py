"""Fit the summarizer's sentence scorer and write the weights zhen ships.

    python eval/fit_summarizer.py [--lcsts DIR] [--data DIR] [--out PATH]

Fitted on all of LCSTS dev and on the HKMA reports of the tuning years (2015, 2017, 2019, 2021,
2023; the even years are the test and never seen here); see :mod:`zhen.summary_model`. Writes
``src/zhen/data/summarizer.json``: the features' names, the weights, the lexical prior and what the
fit saw. ``eval/lcsts.py`` and ``eval/hkma_highlights.py`` measure it on what it was not fitted on.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from summary_data import HKMA_WEIGHT, TUNING_YEARS, fit_model, hkma_doc, lcsts_docs, lcsts_pairs
from zhen.summary_model import FEATURES, SPAN_FEATURES

OUT = Path(__file__).resolve().parents[1] / "src/zhen/data/summarizer.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lcsts", help="the lcsts-dev-zh folder (default: ../shared/data or $ZHEN_LCSTS_DATA)")
    ap.add_argument("--data", help="the wmt25-terminology-zhen folder (default: ../shared/data or $ZHEN_WMT25_DATA)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.perf_counter()
    lcsts = [d for d in lcsts_docs(lcsts_pairs(args.lcsts)) if d is not None]
    hkma = [hkma_doc(y, args.data) for y in TUNING_YEARS]
    info = {"fitted_on": f"LCSTS dev ({len(lcsts)} posts with a candidate sentence) and the HKMA Highlights of "
                         + ", ".join(map(str, TUNING_YEARS)),
            "hkma_weight": HKMA_WEIGHT, "ridge": 10.0, "by": "eval/fit_summarizer.py"}
    model = fit_model(lcsts, hkma, info=info)
    args.out.write_text(json.dumps({"features": list(FEATURES), "span_features": list(SPAN_FEATURES),
                                    "weights": model.weights, "span_weights": model.span_weights,
                                    "info": model.info, "prior": model.prior}, ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")
    print(f"{args.out}: {len(model.weights)} weights, prior of {len(model.prior)} bigrams, "
          f"{args.out.stat().st_size / 1e6:.2f} MB, fitted in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
