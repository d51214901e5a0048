"""The evaluation report as one self-contained HTML file: scores with significance marks, the
signatures that made them, a plot of quality against term success, the worst units of each system
and every missed term. No scripts, no external assets: it opens anywhere, offline."""

from __future__ import annotations

import html

from .evaluate import METRICS, SUMMARY_METRICS, EvalReport, TestSet, format_score, significance_mark


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _scatter(report: EvalReport, x: str = "terms", y: str = "chrf++") -> str:
    points = [(r.name, r.scores.get(x), r.scores.get(y)) for r in report.results]
    points = [(n, a, b) for n, a, b in points if a is not None and b is not None and a == a and b == b]
    if not points:
        return ""
    w, h, pad = 640, 360, 48
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    x0, x1 = min(xs + [0.0]), max(xs + [1.0])
    y0, y1 = min(ys) - 2, max(ys) + 2

    def px(v):
        return pad + (v - x0) / (x1 - x0 or 1) * (w - 2 * pad)

    def py(v):
        return h - pad - (v - y0) / (y1 - y0 or 1) * (h - 2 * pad)

    dots = "".join(
        f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="5" fill="{"#c0392b" if n.startswith("zhen") else "#2c3e50"}"/>'
        f'<text x="{px(a) + 7:.1f}" y="{py(b) - 6:.1f}" font-size="11">{_e(n)}</text>'
        for n, a, b in points
    )
    axes = (f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>'
            f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#999"/>'
            f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle" font-size="12">{x} ({x0:.2f}–{x1:.2f})</text>'
            f'<text x="14" y="{h / 2}" font-size="12" transform="rotate(-90 14 {h / 2})" text-anchor="middle">'
            f'{y} ({y0:.1f}–{y1:.1f})</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img">{axes}{dots}</svg>'


def render_html(report: EvalReport, testset: TestSet, hypotheses: dict[str, list[str]], *,
                zhen_signature: str | None = None, snippet: int = 700) -> str:
    present = [m for m in METRICS + SUMMARY_METRICS if any(m in r.scores for r in report.results)]
    head = "".join(f"<th>{_e(m)}</th>" for m in present)
    rows = []
    for r in report.ranked("chrf++" if "chrf++" in present else present[0]):
        cells = "".join(f"<td>{format_score(m, r.scores[m]) + significance_mark(r, m) if m in r.scores else ''}</td>"
                        for m in present)
        base = " (baseline)" if r.name == report.baseline else ""
        rows.append(f"<tr><th>{_e(r.name)}{base}</th>{cells}</tr>")
    sigs = "".join(f"<li><b>{_e(k)}</b>: <code>{_e(v)}</code></li>" for k, v in report.metric_signatures.items())
    if zhen_signature:
        sigs += f"<li><b>zhen</b>: <code>{_e(zhen_signature)}</code></li>"
    for r in report.results:
        if r.signature:
            sigs += f"<li><b>{_e(r.name)}</b>: <code>{_e(str(r.signature))}</code></li>"
    sections = []
    for r in report.results:
        worst = "".join(
            f"<tr><td>{i + 1}</td><td>{score:.1f}</td><td>{_e(testset.sources[i][:snippet])}</td>"
            f"<td>{_e(hypotheses[r.name][i][:snippet])}</td><td>{_e(testset.references[0][i][:snippet])}</td></tr>"
            for i, score in r.worst)
        misses = "".join(f"<li>unit {d + 1}: {_e(t)} → {_e(' | '.join(tg))} ({h}/{s})</li>"
                         for d, t, tg, s, h in r.missed_terms)
        sections.append(
            f"<h3>{_e(r.name)}</h3><details><summary>{len(r.worst)} worst units by chrF++</summary>"
            f"<table><tr><th>unit</th><th>chrF++</th><th>source</th><th>hypothesis</th><th>reference</th></tr>"
            f"{worst}</table></details>"
            f"<details><summary>{len(r.missed_terms)} missed terms</summary><ul>{misses}</ul></details>")
    mark = (f"<p>* p &lt; 0.05 against {_e(report.baseline)} (paired bootstrap resampling, "
            f"{report.bootstrap} samples).</p>") if report.baseline and report.bootstrap else ""
    notes = "".join(f"<p>{_e(n)}</p>" for n in report.notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zhen eval: {_e(report.testset)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;
font-size:13px}}td{{text-align:right}}details td{{text-align:left;max-width:360px}}code{{font-size:12px}}</style>
</head><body>
<h1>{_e(report.testset)}</h1><p>{report.units} units scored.</p>
<table><tr><th>system</th>{head}</tr>{''.join(rows)}</table>{mark}{notes}
<h2>Quality against term success</h2>{_scatter(report)}
<h2>Signatures</h2><ul>{sigs}</ul>
<h2>Per system</h2>{''.join(sections)}
</body></html>
"""
