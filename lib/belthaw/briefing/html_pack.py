"""The pack as one HTML page; the figure files (and their data) are copied beside it."""

from __future__ import annotations

from html import escape

from .record import Figure, Pack, Table

CSS = """
body{font-family:'DejaVu Sans',Arial,'Noto Sans CJK SC','Noto Color Emoji',sans-serif;
 max-width:17cm;margin:2em auto;color:#222;line-height:1.45;font-size:10.5pt}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin:1.8em 0 .5em;
 border-top:1px solid #ccc;padding-top:.6em}.meta,.small{font-size:.85em;color:#555}
img{display:block;max-width:100%;border:1px solid #ddd}figure{margin:0 0 .6em}
figcaption{font-size:.92em;margin-top:.4em}.cite{font-size:.85em;background:#f4f4f4;padding:.3em .5em}
table{border-collapse:collapse;font-size:.8em;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #ccc;padding:.2em .35em;vertical-align:top;text-align:left;hyphens:none}
th{background:#eee}td.num{text-align:right;white-space:nowrap}
caption{caption-side:top;text-align:left;font-size:.92em;margin-bottom:.3em}
ol.refs{font-size:.85em;padding-left:2.8em}
@media print{h2{break-after:avoid}figure,table{break-inside:avoid}body{margin:0}}
"""


def table(t: Table, ident: str = "") -> list[str]:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.header)
    cap = escape(t.caption).replace(f"Table {t.number}.", f"<b>Table {t.number}.</b>", 1)
    attr = f' id="{ident}"' if ident else ""
    out = [f"<table{attr}><caption>{cap}</caption>",
           f"<thead><tr>{head}</tr></thead><tbody>"]  # fmt: skip
    for row in t.rows:
        cells = "".join(f'<td class="num">{escape(c)}</td>' if n else f"<td>{escape(c)}</td>"
                        for c, n in zip(row, t.numeric, strict=True))  # fmt: skip
        out.append(f"<tr>{cells}</tr>")
    return [*out, "</tbody></table>"]


def _figure(f: Figure) -> list[str]:
    links = " · ".join(f'<a href="{escape(f.name)}.{e}">{e.upper()}</a>' for e in f.formats)
    if f.data_csv:
        links += f' · <a href="{escape(f.data_csv)}">data (CSV)</a>'
    out = [
        f'<section id="figure-{f.number}"><h2>{escape(f.heading)}</h2><figure>',
        f'<img src="{escape(f.name)}.png" alt="{escape(f.alt)}" style="width:{f.width_cm:g}cm">',
        f"<figcaption><b>{f.label}.</b> {escape(f.caption_text)}</figcaption></figure>",
    ]
    if f.notes:
        out.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in f.notes) + "</ul>")
    out += [
        f'<p class="small"><b>Sources:</b> {escape(f.source_line)}.</p>',
        f'<p class="cite"><b>Cite this figure:</b> {escape(f.citation)}</p>',
        f'<p class="small">{escape(f.provenance)} Download: {links}</p>',
    ]
    for t in f.tables:
        out += table(t, f"table-{t.number}")
    return [*out, "</section>"]


def render_html(pack: Pack) -> str:
    out = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(pack.title)}</title><style>{CSS}</style></head><body>",
        f'<h1>{escape(pack.title)}</h1><p class="meta">{escape(pack.subtitle)}</p>',
        '<h2 id="findings">Key findings</h2><ol>',
    ]
    for k in pack.findings:
        figs = ", ".join(f'<a href="#figure-{n}">Figure {n}</a>' for n in k.figures)
        out.append(f"<li>{escape(k.text)} ({figs})</li>")
    out += ["</ol>", f'<p class="small">{escape(pack.how_to_use)}</p>',
            '<h2 id="contents">Contents</h2><ol>']  # fmt: skip
    for f in pack.figures:
        tabs = "".join(f' · <a href="#table-{t.number}">Table {t.number}</a>' for t in f.tables)
        out.append(f'<li><a href="#figure-{f.number}">{escape(f.topic)}</a>{tabs}</li>')
    out += ['<li><a href="#fact-check">Fact-check sheet</a></li>',
            '<li><a href="#references">References</a></li></ol>']  # fmt: skip
    for f in pack.figures:
        out += _figure(f)
    out += ['<section id="fact-check"><h2>Fact-check sheet</h2>']
    for c in pack.checks:
        out.append(f"<h3>{c.figure.label}. {escape(c.figure.title)}</h3>")
        if c.rows is not None:
            out += table(c.rows)
            if c.more_rows:
                out.append(f'<p class="small">… and {c.more_rows} more rows in '
                           f'<a href="{escape(c.rows.file)}">{escape(c.rows.file)}</a>.</p>')  # fmt: skip
        else:
            out.append(f'<p class="small"><b>Source ids:</b> {escape(c.source_ids)}</p>')
        out.append(f'<p class="small"><b>Origins:</b> {escape(c.origins)}</p>')
    out += ['</section><section id="references"><h2>References</h2>',
            f'<p class="small">{escape(pack.licence_line)}</p><ol class="refs">']  # fmt: skip
    for r in pack.references:
        text, url = escape(r.text), r.ref.get("url", "")
        if url.startswith(("http://", "https://")):
            text = text.replace(escape(url), f'<a href="{escape(url)}">{escape(url)}</a>')
        out.append(f'<li id="ref-{r.number}">{text} <span class="small">({r.cited_in})</span></li>')
    return "\n".join([*out, "</ol></section></body></html>"]) + "\n"
