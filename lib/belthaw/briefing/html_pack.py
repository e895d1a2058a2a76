"""The pack as one HTML page (figure files copied beside it), laid out from a :class:`Pack`."""

from __future__ import annotations

from html import escape

from .record import Figure, Pack, Table

_CSS = """
body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:17cm;margin:2em auto;color:#222;
 line-height:1.45;font-size:10.5pt}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin:1.8em 0 .5em;
 border-top:1px solid #ccc;padding-top:.6em}
.meta{color:#555;font-size:.9em}figure{margin:0 0 .6em}
img{display:block;max-width:100%;border:1px solid #ddd}
figcaption{font-size:.92em;margin-top:.4em}figcaption b{font-weight:bold}
.small{font-size:.85em;color:#444}.cite{font-size:.85em;background:#f4f4f4;padding:.3em .5em}
table{border-collapse:collapse;font-size:.8em;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #ccc;padding:.2em .35em;vertical-align:top;text-align:left}
th{background:#eee}td.num{text-align:right;white-space:nowrap}
caption{caption-side:top;text-align:left;font-size:.92em;margin-bottom:.3em}
ol.refs{font-size:.85em;padding-left:2.8em}ol.refs li{margin-bottom:.25em}
@media print{h2{break-after:avoid}figure,table{break-inside:avoid}body{margin:0}}
"""


def _fig_id(f: Figure) -> str:
    return f"figure-{f.number}"


def _refs_links(f: Figure) -> str:
    return ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in f.ref_numbers)


def _table(t: Table) -> list[str]:
    out = [f'<table id="table-{t.number}"><caption><b>Table {t.number}.</b> '
           f"{escape(t.spec.caption)}</caption>"]  # fmt: skip
    out.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in t.header) + "</tr></thead>")
    out.append("<tbody>")
    for row in t.rows:
        cells = "".join(
            f'<td class="num">{escape(c)}</td>' if num else f"<td>{escape(c)}</td>"
            for c, num in zip(row, t.numeric, strict=True)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return out


def _figure(f: Figure) -> list[str]:
    r = f.record
    links = " · ".join(
        f'<a href="{escape(f.name)}.{ext}">{ext.upper()}</a>' for ext in r["formats"]
    )
    out = [
        f'<section id="{_fig_id(f)}">',
        f"<h2>{escape(f.heading)}</h2>",
        "<figure>",
        f'<img src="{escape(f.name)}.png" alt="{escape(f.alt)}" style="width:{f.width_cm:g}cm">',
        f"<figcaption><b>{escape(f.label)}.</b> {escape(f.caption_text)}</figcaption>",
        "</figure>",
    ]
    if f.notes:
        out.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in f.notes) + "</ul>")
    out.append(f'<p class="small"><b>Sources:</b> {escape(f.source_line)}. '
               f"<b>References:</b> {_refs_links(f)}.</p>")  # fmt: skip
    out.append(f'<p class="cite"><b>Cite this figure:</b> {escape(f.citation)}</p>')
    out.append(f'<p class="small">{escape(f.provenance)} Download: {links}</p>')
    for t in f.tables:
        out += _table(t)
    out.append("</section>")
    return out


def render_html(pack: Pack) -> str:
    """The whole pack as one self-contained HTML page (figures referenced beside it)."""
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(pack.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(pack.title)}</h1>",
        f'<p class="meta">{escape(pack.subtitle)}</p>',
        '<h2 id="findings">Key findings</h2>',
        "<ol>",
    ]
    out += [
        f'<li>{escape(f.title)} (<a href="#{_fig_id(f)}">{escape(f.label)}</a>)</li>'
        for f in pack.figures
    ]
    out += ["</ol>", f'<p class="small">{escape(pack.how_to_use)}</p>']
    out += ['<h2 id="contents">Contents</h2>', "<ol>"]
    for f in pack.figures:
        tabs = "".join(f' · <a href="#table-{t.number}">Table {t.number}</a>' for t in f.tables)
        out.append(f'<li><a href="#{_fig_id(f)}">{escape(f.topic)}</a>{tabs}</li>')
    out += ['<li><a href="#references">References</a></li>', "</ol>"]
    for f in pack.figures:
        out += _figure(f)
    out += ['<section id="references">', "<h2>References</h2>"]
    out.append(f'<p class="small">{escape(pack.licence_line)}</p>')
    out.append('<ol class="refs">')
    for r in pack.references:
        text = escape(r.text)
        url = r.ref.get("url", "")
        if url and url.startswith(("http://", "https://")):
            text = text.replace(escape(url), f'<a href="{escape(url)}">{escape(url)}</a>')
        out.append(f'<li id="ref-{r.number}">{text} <span class="small">'
                   f"({escape(r.cited_in)})</span></li>")  # fmt: skip
    out += ["</ol>", "</section>", "</body></html>"]
    return "\n".join(out) + "\n"
