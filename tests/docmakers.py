"""Documents the input tests make themselves (never downloaded): a saved news page and small PDFs."""

from __future__ import annotations

import io
from html import escape

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

JETS = [
    "Russia has sent 28 combat aircraft to an air base near Latakia, US officials said on Monday, in the "
    "clearest sign yet of Moscow\u2019s growing military role in Syria.",
    "\u201cWe are watching closely,\u201d a Pentagon spokesman said. The deployment includes Su-24 and Su-25 jets, "
    "according to the officials, who spoke on condition of anonymity.",
    "The Kremlin denied that it was preparing combat operations, saying the aircraft were there to protect its "
    "personnel and the naval facility at Tartus.",
]


def news_page(
    title: str = "Russia sends jets to Syria",
    paragraphs: list[str] = JETS,
    *,
    site: str = "Example News",
    author: str = "Jane Doe",
    published: str = "2015-09-21T08:30:00Z",
    canonical: str = "https://news.example.org/world/russia-jets",
) -> str:
    """A page as a browser's "Save page" gives it: head metadata, scripts, a menu, the article, a footer.
    Typographic characters are written as HTML entities, as news sites do."""

    def entities(text: str) -> str:
        return escape(text, quote=False).encode("ascii", "xmlcharrefreplace").decode()

    body = "\n".join(f"<p>{entities(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {escape(site)}</title>
<meta property="og:site_name" content="{escape(site)}"><meta name="author" content="{escape(author)}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{canonical}">
<script>window.dataLayer = [{{"event": "<p>tracking pixel</p>"}}];</script>
<style>p {{ color: #222 }}</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{escape(title)}</h1>
{body}
</article>
<footer><p>Copyright 2015 {escape(site)}. All rights reserved.</p></footer></body></html>
"""


def make_pdf(pages: list[str | None], *, title: str | None = None, password: str | None = None) -> bytes:
    """A PDF whose pages carry `pages` as a real text layer (Helvetica, one line per `\\n`); None makes a
    page with no text (as a scan has). `password` encrypts it (RC4, no extra library needed)."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = writer._add_object(font)
    for text in pages:
        page = writer.add_blank_page(612, 792)
        if text is None:
            continue
        ops = ["BT", "/F1 11 Tf", "72 720 Td", "14 TL"]
        for line in text.split("\n"):
            ops.append("({}) Tj T*".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")))
        ops.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    if title:
        writer.add_metadata({"/Title": title})
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
