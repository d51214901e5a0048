"""One JSON object per segment, one per line: the bilingual pairs with their audit, for data
pipelines (pandas, jq, a fine-tuning set). ``json`` is the whole release; this is its segments.

Each line: ``document`` (the release's origin), ``id``, ``paragraph`` and its ``kind``, the
``source`` and ``target``, ``score``, ``review``, every requirement with how it was placed, and
the run's ``signature``.
"""

from __future__ import annotations

import json

from ..release import Release
from ..signature import format_signature


def render(release: Release) -> str:
    signature = format_signature(release.signature) if release.signature else None
    lines = []
    for p in release.paragraphs:
        for s in p.segments:
            lines.append(json.dumps({
                "document": release.origin,
                "id": s.id,
                "paragraph": p.index,
                "kind": p.kind,
                "source": s.as_received.strip(),
                **({"repaired_source": s.source.strip()} if s.original is not None else {}),
                "target": s.target,
                "score": s.score,
                "review": s.review,
                "quality": s.quality,
                "retry": s.retry,
                "quality_left": s.quality_left,
                "requirements": [{"kind": h.kind, "source": h.source, "target": h.target, "placed": h.found,
                                  "method": h.method} for h in s.terms],
                "signature": signature,
            }, ensure_ascii=False))
    return "\n".join(lines) + "\n" if lines else ""
