"""The whole release as JSON, exactly the dataclasses: source, segments with offsets, English,
metadata and signature. ``Release.from_dict(json.loads(...))`` reads it back."""

from __future__ import annotations

import json

from ..release import Release


def render(release: Release) -> str:
    return json.dumps(release.to_dict(), ensure_ascii=False, indent=2) + "\n"
