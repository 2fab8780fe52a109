"""Web pages of minutes and agendas (`.html`/`.htm`, saved from the publishing systems) as text lines.

Each block element starts a line, a table row is one line of TAB-joined cells (a row of multi-line cells keeps its
cells' lines), a list item starts with "• ". Page chrome is dropped: scripts and styles, navigation, page headers
and footers, forms and their controls, menus, dialogs, screen-reader-only text, icons and badges, and buttons
(except one wrapping a heading, as an item's expandable title does).

The parser is libxml2's (through lxml): linear in the page's size, where an HTML5 parser's time grows with the square
of the nesting depth. Its own limits (nesting deeper than 256 elements, one text over 10 MB) and a cap on elements
(MAX_ELEMENTS, counted before parsing: each costs about 400 bytes and 10 µs) refuse a hostile page (HtmlOverLimit)
rather than read part of it or exhaust the extracting process; the tree is walked without recursion.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from indexer.formats import BULLET, row_lines

_SKIPPED_TAGS = frozenset(
    {
        "head", "script", "style", "noscript", "template", "nav", "iframe", "object", "embed", "svg", "math",
        "canvas", "img", "picture", "video", "audio", "map", "input", "select", "textarea", "option", "label",
        "dialog", "menu",
    }
)  # fmt: skip
_CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "search", "menu", "menubar", "menuitem", "toolbar", "dialog", "tooltip"}
)
_CHROME_CLASSES = frozenset(
    {"sr-only", "visually-hidden", "modal", "dropdown-menu", "glyphicon", "badge", "spinner", "tooltip"}
)
"""Bootstrap's classes for interface parts, used by the publishing systems' pages."""
_SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
"""A header or footer inside one of these is the section's own (its title), not the page's."""
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "li", "main", "ol", "p", "pre", "section", "summary", "table", "ul",
    }
)  # fmt: skip
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SPACE = re.compile(r"[ \t\n\r\f]+")
_CHARSET = re.compile(rb"""<meta[^>]*charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


MAX_ELEMENTS = 1_000_000
"""Elements a page may have (a real record's page has a few thousand)."""


class HtmlOverLimit(ValueError):
    """The page passes a limit: MAX_ELEMENTS, or the parser's own (nesting depth, length of one text)."""


class _Lines:
    """Lines being written: finished lines, the inline text of the current one, a bullet waiting for its line;
    for a table row, its rendered cells."""

    def __init__(self, row: bool = False) -> None:
        self.lines: list[str] = []
        self.words: list[str] = []
        self.bullet = False
        self.cells: list[list[str]] | None = [] if row else None

    def text(self, text: str, preformatted: bool) -> None:
        if not preformatted:
            self.words.append(_SPACE.sub(" ", text))
            return
        first, *rest = text.split("\n")
        self.words.append(first)
        for line in rest:
            self.end()
            self.words.append(line)

    def end(self) -> None:
        """Finish the current line, if it holds text."""
        line = _SPACE.sub(" ", "".join(self.words)).strip()
        self.words.clear()
        if line:
            self.add(line)

    def add(self, line: str) -> None:
        self.lines.append(BULLET + line if self.bullet else line)
        self.bullet = False


def html_text(data: bytes) -> str:
    """The text of an HTML page's bytes, one line per block or table row; raises HtmlOverLimit."""
    elements = data.count(b"<") - data.count(b"</")  # start tags, comments and stray "<": at least the elements
    if elements > MAX_ELEMENTS:
        raise HtmlOverLimit(f"{elements} elements; the limit is {MAX_ELEMENTS}")
    parser = etree.HTMLParser(encoding="utf-8", huge_tree=False, no_network=True)
    try:
        root = etree.HTML(_decoded(data).encode(), parser)
    except etree.LxmlError as exc:  # in recovery mode the parser fails only when it runs out of memory
        raise HtmlOverLimit(f"the parser failed ({exc})") from exc
    if limits := [error.message.strip() for error in parser.error_log if error.type_name == "ERR_RESOURCE_LIMIT"]:
        raise HtmlOverLimit(limits[0])
    body = root.find("body") if root is not None else None
    return "\n".join(_Walker().render(body)) if body is not None else ""


def _decoded(data: bytes) -> str:
    """UTF-8 when the bytes are, else the encoding the page declares, else windows-1252 (a browser's fallback)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(data[:1024])
    encoding = "windows-1252"
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass
    return data.decode(encoding, errors="replace")


class _Walker:
    """A depth-first walk with an explicit stack; an element's tail text belongs to its parent's line."""

    def __init__(self) -> None:
        self.out = [_Lines()]  # the page, then one more per open table row and per open cell
        self.open_pre = 0
        self.open_sections = 0

    def render(self, root: etree._Element) -> list[str]:
        stack: list[tuple[etree._Element, bool]] = [(root, True)]  # True: enter the element; False: leave it
        while stack:
            node, entering = stack.pop()
            if entering and isinstance(node.tag, str) and not self.is_chrome(node):
                self.enter(node.tag)
                self.text(node.text)
                stack.append((node, False))
                stack.extend((child, True) for child in reversed(node))
                continue
            if not entering:
                self.leave(node.tag)
            self.text(node.tail)  # also after a comment or a chrome element
        self.out[0].end()
        return self.out[0].lines

    def text(self, text: str | None) -> None:
        if text:
            self.out[-1].text(text, self.open_pre > 0)

    def enter(self, tag: str) -> None:
        self.open_pre += tag == "pre"
        self.open_sections += tag in _SECTIONING
        if tag in ("tr", "td", "th"):
            self.out[-1].end()
            self.out.append(_Lines(row=tag == "tr"))
        elif tag == "br" or tag in _BLOCK_TAGS:
            self.out[-1].end()
            self.out[-1].bullet |= tag == "li"

    def leave(self, tag: str) -> None:
        self.open_pre -= tag == "pre"
        self.open_sections -= tag in _SECTIONING
        if tag in ("td", "th", "tr"):
            done = self.out.pop()
            done.end()
            lines = done.lines + row_lines(done.cells) if done.cells is not None else done.lines
            parent = self.out[-1]
            if parent.cells is not None and tag != "tr":
                parent.cells.append(lines)
            else:
                parent.end()
                for line in lines:
                    parent.add(line)
        elif tag in _BLOCK_TAGS:
            self.out[-1].end()
            self.out[-1].bullet &= tag != "li"

    def is_chrome(self, node: etree._Element) -> bool:
        """Whether an element is page chrome or interface rather than record text."""
        tag = node.tag
        if tag in _SKIPPED_TAGS:
            return True
        attributes = node.attrib
        if "hidden" in attributes or attributes.get("aria-hidden") == "true":
            return True
        if tag in ("header", "footer") and not self.open_sections:
            return True
        role = attributes.get("role")
        classes = set((attributes.get("class") or "").split())
        if role in _CHROME_ROLES or classes & _CHROME_CLASSES:
            return True
        if tag == "button" or role == "button" or "btn" in classes:
            return next(node.iter(*_HEADINGS), None) is None
        return False
