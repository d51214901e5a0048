"""Run zhen on the WMT 2025 terminology task's zh→en documents and report the term success rate.

    python eval/wmt25_terms.py --model PATH [--years 2016 2018 ...] [--beam 1]

Each document is translated with its own ``proper`` dictionary as the glossary (shipped glossaries
off, nested terms on: the task counts every dictionary entry found in the source). Prints the task's
term success rate, and zhen's own placement counts with and without last resort.
"""

from __future__ import annotations

import argparse
import time

from zhen.evaluate import translate_units
from zhen.glossary import Glossary
from zhen.metrics.terms import term_success_rate
from zhen.settings import Settings
from zhen.requirements import placement_stats
from zhen.wmt25 import ZH_EN_YEARS, load_year


def run(model: str, years: list[int], beam: int = 1, data: str | None = None, limit: int | None = None) -> dict:
    started = time.monotonic()
    docs = [(year, doc) for year in years for doc in load_year(year, data)[:limit]]
    sources, refs, dicts = [d.zh for _, d in docs], [d.en for _, d in docs], [d.proper for _, d in docs]
    # each document's own dictionary is its glossary, nested terms required, as the task counts them
    pipe = Settings(model=model, beam_size=beam, batch_size=32, nested_terms=True,
                    shipped_glossaries=False).pipeline()
    glossaries = [Glossary.from_mapping(d.proper, f"wmt25-{year}-{d.index}") for year, d in docs]
    hyps, releases = translate_units(pipe, sources, glossaries=glossaries)
    t = placement_stats([s for r in releases for s in r.segments()])["terms"]
    stats_terms = [t.total, t.placed, t.without_last_resort]
    segments = sum(len(r.segments()) for r in releases)
    score = term_success_rate(sources, hyps, refs, dicts)
    return {
        "years": years,
        "documents": len(sources),
        "segments": segments,
        "seconds": round(time.monotonic() - started, 1),
        "term_success_rate": score.rate,
        "entries": score.entries,
        "zhen_terms": stats_terms[0],
        "zhen_placed": stats_terms[1],
        "zhen_placed_without_last_resort": stats_terms[2],
        "misses": score.misses,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--years", type=int, nargs="+", default=list(ZH_EN_YEARS))
    ap.add_argument("--beam", type=int, default=1)
    ap.add_argument("--data")
    args = ap.parse_args()
    r = run(args.model, args.years, args.beam, args.data)
    print(f"documents {r['documents']}, segments {r['segments']}, {r['seconds']} s")
    print(f"WMT25 term success rate (proper): {r['term_success_rate']:.4f} over {r['entries']} entries")
    print(f"zhen audit: {r['zhen_placed']}/{r['zhen_terms']} terms placed, "
          f"{r['zhen_placed_without_last_resort']}/{r['zhen_terms']} without last resort "
          f"({r['zhen_placed_without_last_resort'] / max(1, r['zhen_terms']):.4f})")
    for doc, term, targets, src_count, hyp_count in r["misses"][:20]:
        print(f"  miss: doc {doc} {term} → {targets[0]} ({hyp_count}/{src_count})")


if __name__ == "__main__":
    main()
