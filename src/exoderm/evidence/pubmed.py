"""Reading PubMed/MEDLINE XML exports into typed records.

Why: curators search PubMed and export the hits ("Save" → format "PubMed XML" or the
E-utilities ``efetch`` ``retmode=xml``); the curation pipeline proposes claims from the
abstracts of those records. Only the elements the pipeline needs are read: PMID, title,
the abstract's ``AbstractText`` sections with their ``Label``, authors, journal, volume,
issue, publication date, pagination, DOI, publication types and MeSH descriptors.

Safety: the file is parsed with the standard library's ``xml.etree.ElementTree`` (expat),
which never fetches external entities or DTDs. Before parsing, any internal DTD subset
or ``<!ENTITY`` declaration is refused, so entity-expansion attacks ("billion laughs")
cannot reach the parser; the plain ``<!DOCTYPE PubmedArticleSet PUBLIC …>`` line of a
genuine export (no internal subset) is allowed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from pydantic import BaseModel, Field

from exoderm.errors import UserInputError

_ENTITY = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)


class AbstractSection(BaseModel):
    """One ``AbstractText`` element: its ``Label`` (``""`` when unstructured) and text."""

    label: str = ""
    text: str


class PubmedRecord(BaseModel):
    """The fields of one ``PubmedArticle`` the curation pipeline uses."""

    index: int = Field(description="1-based position of the record in its file.")
    pmid: str = Field(pattern=r"^[0-9]{1,9}$")
    title: str
    abstract: list[AbstractSection] = []
    authors: list[str] = []
    journal: str = ""
    volume: str = ""
    issue: str = ""
    year: int | None = None
    pages: str = ""
    doi: str | None = None
    publication_types: list[str] = []
    mesh_headings: list[str] = []

    @property
    def abstract_text(self) -> str:
        return " ".join(s.text for s in self.abstract)


def _text(element: ET.Element | None) -> str:
    """All text inside an element (inline markup such as ``<i>`` kept as its text)."""
    if element is None:
        return ""
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _year(article: ET.Element) -> int | None:
    date = article.find("Journal/JournalIssue/PubDate")
    raw = _text(date.find("Year")) if date is not None else ""
    if not raw and date is not None:
        found = re.search(r"\b(1[89]|20)\d\d\b", _text(date.find("MedlineDate")))
        raw = found.group(0) if found else ""
    return int(raw) if raw.isdigit() else None


def _authors(article: ET.Element) -> list[str]:
    out = []
    for author in article.findall("AuthorList/Author"):
        last, initials = _text(author.find("LastName")), _text(author.find("Initials"))
        collective = _text(author.find("CollectiveName"))
        if last:
            out.append(f"{last}, {initials}" if initials else last)
        elif collective:
            out.append(collective)
    return out


def _doi(article: ET.Element, record: ET.Element) -> str | None:
    for loc in article.findall("ELocationID"):
        if loc.get("EIdType") == "doi" and _text(loc):
            return _text(loc)
    for aid in record.findall("PubmedData/ArticleIdList/ArticleId"):
        if aid.get("IdType") == "doi" and _text(aid):
            return _text(aid)
    return None


def _pages(article: ET.Element) -> str:
    medline = _text(article.find("Pagination/MedlinePgn"))
    if medline:
        return medline
    start, end = (_text(article.find(f"Pagination/{t}")) for t in ("StartPage", "EndPage"))
    return "-".join(p for p in (start, end) if p)


def _record(element: ET.Element, index: int, source: str) -> PubmedRecord:
    citation = element.find("MedlineCitation")
    if citation is None:
        raise UserInputError(
            f"record {index}: no MedlineCitation", file=source, field="MedlineCitation"
        )
    pmid = _text(citation.find("PMID"))
    if not re.fullmatch(r"[0-9]{1,9}", pmid):
        got = f"'{pmid}'" if pmid else "missing"
        raise UserInputError(
            f"record {index}: PMID {got}",
            file=source,
            field="MedlineCitation/PMID",
            expected="a numeric PMID",
        )
    article = citation.find("Article")
    title = _text(article.find("ArticleTitle")) if article is not None else ""
    if article is None or not title:
        raise UserInputError(
            f"record {index} (PMID {pmid}): no ArticleTitle",
            file=source,
            field="MedlineCitation/Article/ArticleTitle",
        )
    sections = [
        AbstractSection(label=a.get("Label", ""), text=_text(a))
        for a in article.findall("Abstract/AbstractText")
        if _text(a)
    ]
    return PubmedRecord(
        index=index,
        pmid=pmid,
        title=title,
        abstract=sections,
        authors=_authors(article),
        journal=_text(article.find("Journal/ISOAbbreviation"))
        or _text(article.find("Journal/Title")),
        volume=_text(article.find("Journal/JournalIssue/Volume")),
        issue=_text(article.find("Journal/JournalIssue/Issue")),
        year=_year(article),
        pages=_pages(article),
        doi=_doi(article, element),
        publication_types=[
            _text(p) for p in article.findall("PublicationTypeList/PublicationType")
        ],
        mesh_headings=[
            _text(m) for m in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")
        ],
    )


def parse_pubmed_xml(data: bytes, *, source: str = "<pubmed>") -> list[PubmedRecord]:
    """The records of a PubMed/MEDLINE XML export (``PubmedArticleSet``), in file order.

    Parameters
    ----------
    data : bytes
        The file's bytes (its XML declaration names the encoding).
    source : str
        The file name used in error messages.

    Returns
    -------
    list of PubmedRecord
        One per ``PubmedArticle`` (``PubmedBookArticle`` records are skipped).

    Raises
    ------
    UserInputError
        An entity declaration or internal DTD subset; malformed or truncated XML (with
        line and column); a root other than ``PubmedArticleSet``; a record without a
        numeric PMID or a title (named by record index and field).

    References
    ----------
    .. [1] National Library of Medicine (2025). PubMed XML DTD, ``pubmed_250101.dtd``
       (https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd), and "MEDLINE/PubMed
       XML Element Descriptions and their Attributes"
       (https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html).

    Examples
    --------
    >>> xml = (b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
    ...        b"<Article><ArticleTitle>A test.</ArticleTitle><Abstract>"
    ...        b"<AbstractText Label='RESULTS'>EVs reduced IL-6.</AbstractText></Abstract>"
    ...        b"</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>")
    >>> [(r.pmid, r.abstract[0].label) for r in parse_pubmed_xml(xml)]
    [('1', 'RESULTS')]
    >>> parse_pubmed_xml(b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', source="bad.xml")
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: bad.xml: entity declarations are not accepted ...
    """
    if _ENTITY.search(data) or _DOCTYPE_SUBSET.search(data):
        raise UserInputError(
            "entity declarations are not accepted in PubMed XML (refused before parsing)",
            file=source,
            expected="a PubMed export without an internal DTD subset",
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise UserInputError(
            f"malformed or truncated XML ({exc}; column {column})",
            file=source,
            line=line,
            expected="a complete PubmedArticleSet document",
        ) from None
    if root.tag != "PubmedArticleSet":
        raise UserInputError(
            f"root element is <{root.tag}>", file=source, expected="<PubmedArticleSet>"
        )
    return [_record(e, k, source) for k, e in enumerate(root.findall("PubmedArticle"), start=1)]


def read_pubmed(path: Path) -> list[PubmedRecord]:
    """The records of a PubMed XML file (see :func:`parse_pubmed_xml`).

    Parameters
    ----------
    path : Path
        The export file.

    Returns
    -------
    list of PubmedRecord
        In file order.

    References
    ----------
    .. [1] National Library of Medicine (2025). PubMed XML DTD, ``pubmed_250101.dtd``.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "none.xml"
    >>> _ = f.write_bytes(b"<PubmedArticleSet/>")
    >>> read_pubmed(f)
    []
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserInputError("file not found", file=path) from None
    return parse_pubmed_xml(data, source=str(path))
