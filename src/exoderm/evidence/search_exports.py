"""Reading a literature search export, in any format the curation pipeline accepts, into
typed records.

Why: curators search more than PubMed's web site. Besides PubMed XML
(:mod:`exoderm.evidence.pubmed`), three exports are read into the same
:class:`~exoderm.evidence.pubmed.PubmedRecord`, so candidates, the review queue and claims
work on them unchanged:

- **Europe PMC JSON**: the REST ``search`` response with ``resultType=core``
  (``{"resultList": {"result": [...]}}``). ``abstractText`` is HTML: headings
  (``<h4>Background</h4>``) become section labels, other tags (``<b>``, ``<i>``,
  ``<sup>``) are dropped and entities unescaped.
- **RIS** (parsed by ``rispy``): title ``TI``/``T1``, abstract ``AB``/``N2``, authors
  ``AU``/``A1``, journal ``JO``/``JA``/``J2``/``T2``/``JF``, ``VL``, ``IS``, ``SP``/``EP``,
  year ``PY``/``Y1``/``DA``, ``DO``, keywords ``KW``, type of work ``M3``. The PMID is
  ``AN`` (as written with ``DB  - PubMed``), ``C2`` (Scopus), ``ID`` (Ovid MEDLINE) or
  ``C1``/``M1``, or
  ``PMID: n`` in any of these or in ``N1``, or a PubMed or Europe PMC address in ``UR``.
  Bare digits are taken as a PMID only when ``DB`` is absent or names PubMed, MEDLINE,
  Europe PMC or Scopus (the accession numbers of CINAHL, PsycInfo or Embase are not PMIDs).
- **BibTeX** (parsed by ``bibtexparser``, LaTeX converted to Unicode): ``title``,
  ``abstract``, ``author`` (``A and B``), ``journal``/``journaltitle``, ``volume``,
  ``number``, ``pages``, ``year``/``date``, ``doi``, ``keywords``; the PMID is ``pmid``,
  ``eprint`` with ``eprinttype = {pubmed}``, or ``PMID: n`` in ``note``/``annote``/``extra``.

RIS and BibTeX abstracts are plain text: the upper-case labels MEDLINE writes in front of
each part of a structured abstract (``BACKGROUND: … RESULTS: …``) become section labels,
and Europe PMC's headings are upper-cased likewise, so a record gives the same
``PMID:n, abstract (RESULTS) sentence k`` locators in every format. Publication types come
from Europe PMC's ``pubTypeList``, or from the RIS ``TY``/BibTeX entry type (a journal
article) plus RIS ``M3`` (where reference managers keep PubMed's types, ``;``-separated)
and the keywords that name an NLM publication type; the other keywords stand in
for MeSH headings (they decide animal or in vitro designs).

Every record needs a numeric PMID and a title (claims are located as ``PMID:n, …``);
records without one are all named, by position and title, in one error. Input is bounded
like an upload (:data:`MAX_EXPORT_BYTES`), text formats must be UTF-8, and JSON must be an
object.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
import rispy
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode

from exoderm.errors import UserInputError
from exoderm.evidence.pubmed import AbstractSection, PubmedRecord, parse_pubmed_xml

#: The largest export read (the web and API upload limit).
MAX_EXPORT_BYTES = 20 * 1024 * 1024
#: The formats read, as named in messages and help.
EXPORT_FORMATS = (
    "PubMed XML, PubMed (MEDLINE, .nbib), Europe PMC JSON (resultType=core), RIS or BibTeX"
)
#: What an upload must be, for messages ("expected …").
EXPORT_DESCRIPTION = "a PubMed XML or MEDLINE, Europe PMC JSON, RIS or BibTeX search export"
#: File suffixes offered by the upload forms (the content, not the suffix, decides).
EXPORT_SUFFIXES = (".xml", ".nbib", ".json", ".ris", ".bib", ".txt")

_PMID = re.compile(r"[0-9]{1,9}")
_PMID_NOTE = re.compile(r"\bPMID\s*:?\s*([0-9]{1,9})\b", re.I)
_PMID_URL = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|europepmc\.org/"
    r"(?:abstract|article)/MED/)([0-9]{1,9})\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_LABEL = re.compile(r"(?:^|(?<=[.!?] ))([A-Z][A-Z /&,-]{1,60}[A-Z]): ")
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_RIS_START = re.compile(r"^TY  -", re.M)
_RIS_END = re.compile(r"^ER  -", re.M)
_BIB_ENTRY = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]", re.M)
_BIB_SPECIAL = {"comment", "string", "preamble"}
_PMID_DATABASES = re.compile(r"pubmed|medline|europe\s*pmc|scopus", re.I)
_JOURNAL_TYPES = {"JOUR", "EJOUR", "JFULL", "INPR"}
#: NLM publication types a keyword may name (lower case); NLM "Publication Types".
_PUBLICATION_TYPES = frozenset(
    {
        "journal article",
        "review",
        "systematic review",
        "scoping review",
        "meta-analysis",
        "network meta-analysis",
        "randomized controlled trial",
        "controlled clinical trial",
        "clinical trial",
        "clinical trial, phase i",
        "clinical trial, phase ii",
        "clinical trial, phase iii",
        "clinical trial, phase iv",
        "pragmatic clinical trial",
        "equivalence trial",
        "clinical study",
        "case reports",
        "observational study",
        "comparative study",
        "multicenter study",
        "evaluation study",
        "validation study",
        "twin study",
        "letter",
        "editorial",
        "comment",
        "guideline",
        "practice guideline",
        "preprint",
    }
)


@dataclass
class _Draft:
    """The fields read from one record before its PMID and title are checked."""

    index: int
    pmid: str = ""
    title: str = ""
    abstract: list[AbstractSection] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    journal: str = ""
    volume: str = ""
    issue: str = ""
    year: int | None = None
    pages: str = ""
    doi: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh_headings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- shared
def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _year(*candidates: str) -> int | None:
    for raw in candidates:
        found = _YEAR.search(raw)
        if found:
            return int(found.group(0))
    return None


def _doi(raw: str) -> str | None:
    text = _DOI_PREFIX.sub("", _clean(raw))
    return text or None


def _labelled_sections(text: str) -> list[AbstractSection]:
    """Sections of a plain-text abstract split at MEDLINE's ``LABEL: `` prefixes."""
    text = _clean(text)
    matches = list(_LABEL.finditer(text))
    sections = [AbstractSection(text=text[: matches[0].start() if matches else None])]
    for k, match in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        sections.append(AbstractSection(label=match.group(1), text=text[match.end() : end]))
    return [AbstractSection(label=s.label, text=s.text.strip()) for s in sections if s.text.strip()]


def _split_keywords(keywords: list[str]) -> tuple[list[str], list[str]]:
    """Keywords naming an NLM publication type, and the others (used as MeSH)."""
    types = [k for k in keywords if k.lower() in _PUBLICATION_TYPES]
    return types, [k for k in keywords if k.lower() not in _PUBLICATION_TYPES]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _with_journal_article(is_article: bool, types: list[str]) -> list[str]:
    head = ["Journal Article"] if is_article else []
    return head + [t for t in types if t.lower() != "journal article"]


def _why_unusable(draft: _Draft) -> str | None:
    if not draft.pmid:
        return "no PMID and no title" if not draft.title else "no PMID"
    if not _PMID.fullmatch(draft.pmid):
        return f"PMID '{draft.pmid}' is not a number"
    return None if draft.title else "no title"


def _finish(drafts: list[_Draft], *, source: str, expected: str) -> list[PubmedRecord]:
    """The records, or one error naming every record without a PMID or a title."""
    bad = []
    for draft in drafts:
        why = _why_unusable(draft)
        if why is not None:
            named = f" ('{draft.title[:80]}')" if draft.title else ""
            bad.append(f"record {draft.index}{named}: {why}")
    if bad:
        more = f"; … and {len(bad) - 20} more" if len(bad) > 20 else ""
        raise UserInputError(
            f"{len(bad)} of {len(drafts)} records cannot be cited: {'; '.join(bad[:20])}{more}",
            file=source,
            expected=expected,
        )
    return [
        PubmedRecord(
            index=d.index,
            pmid=d.pmid,
            title=d.title,
            abstract=d.abstract,
            authors=d.authors,
            journal=d.journal,
            volume=d.volume,
            issue=d.issue,
            year=d.year,
            pages=d.pages,
            doi=d.doi,
            publication_types=d.publication_types,
            mesh_headings=d.mesh_headings,
        )
        for d in drafts
    ]


# --------------------------------------------------------------------------- Europe PMC
_EPMC_EXPECTED = (
    "a PMID and a title on every result; export only MEDLINE records "
    "(add SRC:MED to the Europe PMC query)"
)


def _obj(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _str(value: object) -> str:
    if isinstance(value, bool):
        return ""
    return _clean(str(value)) if isinstance(value, str | int) else ""


def _plain(fragment: str) -> str:
    """HTML to text: tags dropped (a line break or paragraph becomes a space), unescaped."""
    spaced = re.sub(r"<(?:br|/p|p)\b[^>]*>", " ", fragment, flags=re.I)
    return _clean(html.unescape(_TAG.sub("", spaced)))


def _html_sections(abstract: str) -> list[AbstractSection]:
    parts = _HEADING.split(abstract)  # [text, level, heading, text, level, heading, text...]
    sections = _labelled_sections(_plain(parts[0]))
    for k in range(1, len(parts) - 2, 3):
        label = _plain(parts[k + 1]).rstrip(":").strip().upper()
        text = _plain(parts[k + 2])
        if text:
            sections.append(AbstractSection(label=label, text=text))
    return sections


def _epmc_authors(result: dict[str, object]) -> list[str]:
    out = []
    for item in _items(_obj(result.get("authorList")).get("author")):
        author = _obj(item)
        last, initials = _str(author.get("lastName")), _str(author.get("initials"))
        if last:
            out.append(f"{last}, {initials}" if initials else last)
        elif name := _str(author.get("collectiveName")) or _str(author.get("fullName")):
            out.append(name)
    return out


def _epmc_journal(info: dict[str, object]) -> str:
    journal = _obj(info.get("journal"))
    for key in ("isoabbreviation", "isoAbbreviation", "medlineAbbreviation", "title"):
        if name := _str(journal.get(key)):
            return name
    return ""


def _epmc_draft(result: dict[str, object], index: int) -> _Draft:
    info = _obj(result.get("journalInfo"))
    mesh = _items(_obj(result.get("meshHeadingList")).get("meshHeading"))
    return _Draft(
        index=index,
        pmid=_str(result.get("pmid")),
        title=_plain(_str(result.get("title"))),
        abstract=_html_sections(_str(result.get("abstractText"))),
        authors=_epmc_authors(result),
        journal=_epmc_journal(info),
        volume=_str(info.get("volume")),
        issue=_str(info.get("issue")),
        year=_year(_str(info.get("yearOfPublication")), _str(result.get("pubYear"))),
        pages=_str(result.get("pageInfo")),
        doi=_doi(_str(result.get("doi"))),
        publication_types=[
            t for t in map(_str, _items(_obj(result.get("pubTypeList")).get("pubType"))) if t
        ],
        mesh_headings=[d for d in (_str(_obj(m).get("descriptorName")) for m in mesh) if d],
    )


def _load_json(data: bytes, source: str) -> object:
    text = _utf8(data, source)
    try:
        loaded: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(
            f"not valid JSON ({exc.msg}; column {exc.colno})", file=source, line=exc.lineno
        ) from None
    except (RecursionError, ValueError) as exc:  # nesting past the parser's limit; huge ints
        raise UserInputError(
            f"the JSON cannot be read ({type(exc).__name__})", file=source
        ) from None
    return loaded


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return "a string" if isinstance(value, str) else "a number"


def parse_europepmc_json(data: bytes, *, source: str) -> list[PubmedRecord]:
    """The records of a Europe PMC REST ``search`` response (``resultType=core``).

    Parameters
    ----------
    data : bytes
        The response body (UTF-8 JSON).
    source : str
        The file name used in error messages.

    Returns
    -------
    list of PubmedRecord
        One per ``resultList.result`` item, in order; structured abstracts keep their
        headings as (upper-case) section labels.

    Raises
    ------
    UserInputError
        Not UTF-8, not JSON, not an object with ``resultList.result``, a ``lite`` result
        type (it has no abstracts), or results without a PMID or a title (all named).

    References
    ----------
    .. [1] Europe PMC (2024). Articles RESTful API: ``search`` module, ``resultType=core``
       response fields (``pmid``, ``doi``, ``title``, ``abstractText``, ``authorList``,
       ``journalInfo``, ``pubYear``, ``pageInfo``, ``pubTypeList``, ``meshHeadingList``),
       https://europepmc.org/RestfulWebService
    .. [2] Europe PMC (2024). Search syntax reference, field ``SRC``,
       https://europepmc.org/searchsyntax

    Examples
    --------
    >>> body = (b'{"resultList": {"result": [{"pmid": "1", "title": "A <i>test</i>.",'
    ...         b' "abstractText": "<h4>Results</h4>EVs reduced IL-6."}]}}')
    >>> r = parse_europepmc_json(body, source="e.json")[0]
    >>> r.pmid, r.title, r.abstract[0].label
    ('1', 'A test.', 'RESULTS')
    >>> parse_europepmc_json(b'{"resultList": {"result": [{"title": "T"}]}}', source="e.json")
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: e.json: 1 of 1 records cannot be cited: record 1 ('T'): ...
    """
    document = _load_json(data, source)
    if not isinstance(document, dict):
        raise UserInputError(
            f"the JSON is {_json_kind(document)}, not an object",
            file=source,
            expected="a Europe PMC search response object with 'resultList'",
        )
    top = _obj(document)
    result_type = _str(_obj(top.get("request")).get("resultType"))
    if result_type and result_type != "core":
        raise UserInputError(
            f"resultType={result_type} has no abstracts",
            file=source,
            field="request.resultType",
            expected="a search run with resultType=core",
        )
    results = _obj(top.get("resultList")).get("result")
    if not isinstance(results, list):
        raise UserInputError(
            "no 'resultList.result' list",
            file=source,
            field="resultList.result",
            expected="a Europe PMC search response (resultType=core)",
        )
    drafts = []
    for index, item in enumerate(results, start=1):
        if not isinstance(item, dict):
            raise UserInputError(
                f"result {index} is not an object", file=source, field="resultList.result"
            )
        drafts.append(_epmc_draft(_obj(item), index))
    return _finish(drafts, source=source, expected=_EPMC_EXPECTED)


# --------------------------------------------------------------------------- RIS
_RIS_EXPECTED = (
    "a PMID on every record (AN with DB PubMed, C2, ID, C1 or M1, or 'PMID: n' in a "
    "note) and a title (TI or T1)"
)


def _ris_str(entry: dict[str, object], *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and _clean(item):
                return _clean(item)
    return ""


def _ris_list(entry: dict[str, object], *keys: str) -> list[str]:
    for key in keys:
        value = entry.get(key)
        values = [value] if isinstance(value, str) else _items(value)
        found = [_clean(v) for v in values if isinstance(v, str) and _clean(v)]
        if found:
            return found
    return []


def _ris_pmid(entry: dict[str, object]) -> str:
    trusts_digits = not _ris_str(entry, "name_of_database") or bool(
        _PMID_DATABASES.search(_ris_str(entry, "name_of_database"))
    )
    fields = ("accession_number", "custom2", "id", "custom1", "note")
    for key in fields:
        value = _ris_str(entry, key)
        if trusts_digits and _PMID.fullmatch(value):
            return value
    for key in (*fields, "notes"):
        for value in _ris_list(entry, key):
            if found := _PMID_NOTE.search(value):
                return found.group(1)
    for url in _ris_list(entry, "urls"):
        if found := _PMID_URL.search(url):
            return found.group(1)
    return ""


def _ris_pages(entry: dict[str, object]) -> str:
    start, end = _ris_str(entry, "start_page"), _ris_str(entry, "end_page")
    return start if "-" in start or not end else f"{start}-{end}"


def _ris_draft(entry: dict[str, object], index: int) -> _Draft:
    work = [t.strip() for t in _ris_str(entry, "type_of_work").split(";") if t.strip()]
    types, keywords = _split_keywords(_ris_list(entry, "keywords"))
    is_article = _ris_str(entry, "type_of_reference").upper() in _JOURNAL_TYPES
    return _Draft(
        index=index,
        pmid=_ris_pmid(entry),
        title=_ris_str(entry, "title", "primary_title"),
        abstract=_labelled_sections(_ris_str(entry, "abstract", "notes_abstract")),
        authors=_ris_list(entry, "authors", "first_authors"),
        journal=_ris_str(
            entry,
            "journal_name",
            "alternate_title2",
            "alternate_title1",
            "secondary_title",
            "alternate_title3",
        ),
        volume=_ris_str(entry, "volume"),
        issue=_ris_str(entry, "number"),
        year=_year(*(_ris_str(entry, k) for k in ("year", "publication_year", "date"))),
        pages=_ris_pages(entry),
        doi=_doi(_ris_str(entry, "doi")),
        publication_types=_with_journal_article(is_article, _unique([*work, *types])),
        mesh_headings=keywords,
    )


def _unclosed_ris_line(text: str) -> int | None:
    """The line of the first record that no ``ER  -`` closes (``rispy`` drops it)."""
    open_at: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if _RIS_START.match(line):
            if open_at is not None:
                return open_at
            open_at = number
        elif _RIS_END.match(line):
            open_at = None
    return open_at


def parse_ris_records(text: str, *, source: str) -> list[PubmedRecord]:
    """The records of a RIS export, in file order.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        The file name used in error messages.

    Returns
    -------
    list of PubmedRecord
        One per ``TY  - … ER  -`` record.

    Raises
    ------
    UserInputError
        Unreadable RIS, a record without its closing ``ER  -`` line (named by line), or
        records without a PMID or a title (all named, by position and title).

    References
    ----------
    .. [1] Research Information Systems (2011). RIS Format Specifications, tags ``TY``,
       ``TI``/``T1``, ``AB``/``N2``, ``AU``/``A1``, ``JO``/``JA``/``J2``/``T2``/``JF``,
       ``VL``, ``IS``, ``SP``/``EP``, ``PY``/``Y1``/``DA``, ``DO``, ``AN``, ``ID``,
       ``C1``/``C2``, ``M1``, ``M3``, ``N1``, ``KW``, ``UR``, ``DB``, ``ER``.
    .. [2] National Library of Medicine (2025). MEDLINE/PubMed Data Element (Field)
       Descriptions: Abstract (AB), structured abstract labels,
       https://www.nlm.nih.gov/bsd/mms/medlineelements.html

    Examples
    --------
    >>> ris = ("TY  - JOUR\\nDB  - PubMed\\nAN  - 1\\nTI  - A test.\\nKW  - Mice\\n"
    ...        "AB  - METHODS: Mice were dosed. RESULTS: EVs reduced IL-6.\\nER  - \\n")
    >>> r = parse_ris_records(ris, source="s.ris")[0]
    >>> r.pmid, [s.label for s in r.abstract], r.publication_types, r.mesh_headings
    ('1', ['METHODS', 'RESULTS'], ['Journal Article'], ['Mice'])
    """
    try:
        entries = rispy.loads(text)
    except Exception as exc:  # rispy raises assorted errors on malformed tags
        raise UserInputError(f"unreadable RIS ({exc})", file=source) from None
    unclosed = _unclosed_ris_line(text)
    if unclosed is not None:
        raise UserInputError(
            "a record is not closed", file=source, line=unclosed, expected="an 'ER  -' line"
        )
    drafts = [_ris_draft(_obj(e), k) for k, e in enumerate(entries, start=1)]
    return _finish(drafts, source=source, expected=_RIS_EXPECTED)


# --------------------------------------------------------------------------- BibTeX
_BIB_EXPECTED = "a pmid field (or eprint with eprinttype = {pubmed}) and a title on every entry"


def _bib(entry: dict[str, object], *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and _clean(value):
            return _clean(re.sub(r"[{}]", "", value))
    return ""


def _bib_pmid(entry: dict[str, object]) -> str:
    if pmid := _bib(entry, "pmid"):
        return pmid
    if _bib(entry, "eprinttype").lower() == "pubmed" and (eprint := _bib(entry, "eprint")):
        return eprint
    for key in ("note", "annote", "extra"):
        if found := _PMID_NOTE.search(_bib(entry, key)):
            return found.group(1)
    return ""


def _bib_keywords(raw: str) -> list[str]:
    """Keywords split at ``;`` when any is present (MeSH headings hold commas), else ``,``."""
    separator = ";" if ";" in raw else ","
    return [k.strip() for k in raw.split(separator) if k.strip()]


def _bib_draft(entry: dict[str, object], index: int) -> _Draft:
    types, keywords = _split_keywords(_bib_keywords(_bib(entry, "keywords")))
    authors = [a.strip() for a in re.split(r"\s+and\s+", _bib(entry, "author")) if a.strip()]
    return _Draft(
        index=index,
        pmid=_bib_pmid(entry),
        title=_bib(entry, "title"),
        abstract=_labelled_sections(_bib(entry, "abstract")),
        authors=authors,
        journal=_bib(entry, "journal", "journaltitle"),
        volume=_bib(entry, "volume"),
        issue=_bib(entry, "number", "issue"),
        year=_year(_bib(entry, "year"), _bib(entry, "date")),
        pages=re.sub(r"-{2,}|–", "-", _bib(entry, "pages")),
        doi=_doi(_bib(entry, "doi")),
        publication_types=_with_journal_article(_bib(entry, "ENTRYTYPE") == "article", types),
        mesh_headings=keywords,
    )


def _bib_declared(text: str) -> list[int]:
    """The line of every entry the file declares (``@comment``/``@string``/``@preamble`` aside)."""
    return [
        text.count("\n", 0, m.start()) + 1
        for m in _BIB_ENTRY.finditer(text)
        if m.group(1).lower() not in _BIB_SPECIAL
    ]


def parse_bibtex_records(text: str, *, source: str) -> list[PubmedRecord]:
    """The records of a BibTeX export, in file order.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        The file name used in error messages.

    Returns
    -------
    list of PubmedRecord
        One per entry; an ``@article`` is a journal article.

    Raises
    ------
    UserInputError
        Unreadable BibTeX, fewer entries read than the file declares (an unbalanced
        brace), or entries without a PMID or a title (all named, by position and title).

    References
    ----------
    .. [1] Patashnik, O. (1988). BibTeXing. Entry types and fields (``@article``:
       ``author``, ``title``, ``journal``, ``year``, ``volume``, ``number``, ``pages``).
    .. [2] Kime, P., Wemheuer, M. & Lehman, P. (2024). The biblatex Package, §2.2.2
       (``doi``, ``eprint``, ``eprinttype``, ``keywords``) and §3.14.7 (``eprinttype =
       {pubmed}``), https://ctan.org/pkg/biblatex

    Examples
    --------
    >>> bib = ("@article{lee2019, title = {{ADSC} exosomes}, author = {Lee, ES and Müller, CT},"
    ...        " year = {2019}, pmid = {1}, pages = {107--113}}")
    >>> r = parse_bibtex_records(bib, source="s.bib")[0]
    >>> r.pmid, r.title, r.authors, r.pages
    ('1', 'ADSC exosomes', ['Lee, ES', 'Müller, CT'], '107-113')
    """
    parser = BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    parser.customization = convert_to_unicode
    try:
        entries = bibtexparser.loads(text, parser=parser).entries
    except Exception as exc:  # bibtexparser raises assorted errors on broken input
        raise UserInputError(f"unreadable BibTeX ({exc})", file=source) from None
    declared = _bib_declared(text)
    if len(entries) < len(declared):
        raise UserInputError(
            f"{len(declared)} entries declared but {len(entries)} read",
            file=source,
            line=declared[len(entries)],
            expected="balanced braces in every entry",
        )
    drafts = [_bib_draft(_obj(e), k) for k, e in enumerate(entries, start=1)]
    return _finish(drafts, source=source, expected=_BIB_EXPECTED)


# --------------------------------------------------------------------------- any format
# --------------------------------------------------------------------------- MEDLINE
_MEDLINE_TAG = re.compile(r"^([A-Z]{2,4})\s*- (.*)$")
_MEDLINE_EXPECTED = "a PMID (PMID- ) and a title (TI  - ) on every record"


def _medline_fields(block: list[str]) -> list[tuple[str, str]]:
    """A record's (tag, value) pairs; a line starting with six spaces continues the last."""
    fields: list[tuple[str, str]] = []
    for line in block:
        tagged = _MEDLINE_TAG.match(line)
        if tagged:
            fields.append((tagged.group(1), tagged.group(2).strip()))
        elif fields and line.startswith("      "):
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
    return fields


def _medline_author(short: str) -> str:
    """``Kafi R`` → ``Kafi, R`` (``AU``: surname, then initials)."""
    surname, _, initials = short.rpartition(" ")
    return f"{surname}, {initials}" if surname and initials.isupper() else short


def _medline_draft(fields: list[tuple[str, str]], index: int) -> _Draft:
    def one(tag: str) -> str:
        return next((v for t, v in fields if t == tag), "")

    def every(tag: str) -> list[str]:
        return [v for t, v in fields if t == tag]

    dois = [
        v[: -len("[doi]")].strip() for t, v in fields if t in ("LID", "AID") and v.endswith("[doi]")
    ]
    authors = [_medline_author(a) for a in every("AU")] + every("CN")
    return _Draft(
        index=index,
        pmid=one("PMID"),
        title=_clean(one("TI")),
        abstract=_labelled_sections(one("AB")),
        authors=authors,
        journal=one("TA") or one("JT"),
        volume=one("VI"),
        issue=one("IP"),
        year=_year(one("DP")),
        pages=one("PG"),
        doi=_doi(dois[0]) if dois else None,
        publication_types=every("PT"),
        mesh_headings=[m.split("/", 1)[0].lstrip("*").strip() for m in every("MH")],
    )


def parse_medline_records(text: str, *, source: str) -> list[PubmedRecord]:
    """The records of a PubMed-format (MEDLINE) export, in file order.

    PubMed's "Save" with format "PubMed" and its "Cite → Citation manager" ``.nbib`` files
    are this format: one ``TAG - value`` line per field (a tag of two to four capitals,
    padded to four), continuation lines indented by six spaces, and records separated by
    a blank line. Read: ``PMID``, ``TI``, ``AB`` (its ``LABEL:`` prefixes become sections),
    ``AU`` (``Kafi R`` becomes ``Kafi, R``) and ``CN``, ``TA`` (else ``JT``), ``VI``,
    ``IP``, ``DP`` (the year), ``PG``, the DOI from ``LID``/``AID`` ``… [doi]``, ``PT``
    and the descriptor of each ``MH`` (qualifiers and the major-topic ``*`` dropped).

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        The file name used in error messages.

    Returns
    -------
    list of PubmedRecord
        One per record.

    Raises
    ------
    UserInputError
        Records without a PMID or a title, all named by position and title.

    References
    ----------
    .. [1] National Library of Medicine (2024). MEDLINE/PubMed Data Element (Field)
       Descriptions. https://www.nlm.nih.gov/bsd/mms/medlineelements.html

    Examples
    --------
    >>> text = ("PMID- 17515510\\nTI  - Improvement of naturally aged skin with vitamin A\\n"
    ...         "      (retinol).\\nAU  - Kafi R\\nDP  - 2007 May\\n"
    ...         "LID - 10.1001/archderm.143.5.606 [doi]\\nMH  - Skin Aging/*drug effects\\n")
    >>> r = parse_medline_records(text, source="x.nbib")[0]
    >>> r.pmid, r.title
    ('17515510', 'Improvement of naturally aged skin with vitamin A (retinol).')
    >>> r.authors, r.year, r.doi, r.mesh_headings
    (['Kafi, R'], 2007, '10.1001/archderm.143.5.606', ['Skin Aging'])
    """
    drafts: list[_Draft] = []
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line.rstrip())
        elif block:
            drafts.append(_medline_draft(_medline_fields(block), len(drafts) + 1))
            block = []
    return _finish(drafts, source=source, expected=_MEDLINE_EXPECTED)


def _utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"not UTF-8 text (byte {exc.start}: {exc.reason})",
            file=source,
            expected="the export saved as UTF-8",
        ) from None


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def parse_search_export(data: bytes, *, source: str) -> list[PubmedRecord]:
    """The records of a search export in any accepted format, detected from the content.

    ``<`` opens PubMed XML (:func:`~exoderm.evidence.pubmed.parse_pubmed_xml`), ``{`` or
    ``[`` Europe PMC JSON, a first line ``TY  -`` RIS, a first line ``PMID-`` PubMed's
    MEDLINE format (``.nbib``), an ``@type{`` entry BibTeX.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    source : str
        The file name used in error messages.

    Returns
    -------
    list of PubmedRecord
        In file order.

    Raises
    ------
    UserInputError
        A format not recognised (the message names the formats accepted), or any error
        of the format's parser.

    References
    ----------
    .. [1] National Library of Medicine (2025). PubMed XML DTD, ``pubmed_250101.dtd``.
    .. [2] Europe PMC (2024). Articles RESTful API, https://europepmc.org/RestfulWebService
    .. [3] Research Information Systems (2011). RIS Format Specifications.
    .. [4] Patashnik, O. (1988). BibTeXing.
    .. [5] National Library of Medicine (2024). MEDLINE/PubMed Data Element (Field)
       Descriptions.

    Examples
    --------
    >>> parse_search_export(b"TY  - JOUR\\nAN  - 7\\nTI  - T.\\nER  - \\n", source="x.txt")[0].pmid
    '7'
    >>> parse_search_export(b"PMID- 7\\nTI  - T.\\n", source="x.nbib")[0].title
    'T.'
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return parse_pubmed_xml(data, source=source)
    if head in (b"{", b"["):
        return parse_europepmc_json(data, source=source)
    text = _utf8(data, source)
    first = _first_line(text)
    if first.startswith("TY  -"):
        return parse_ris_records(text, source=source)
    if _BIB_ENTRY.search(text):
        return parse_bibtex_records(text, source=source)
    if first.startswith("PMID-"):
        return parse_medline_records(text, source=source)
    raise UserInputError(
        "not a search export this pipeline reads", file=source, expected=EXPORT_FORMATS
    )


def read_search_export(path: Path) -> list[PubmedRecord]:
    """The records of a search export file (see :func:`parse_search_export`).

    Parameters
    ----------
    path : Path
        The export file, at most :data:`MAX_EXPORT_BYTES`.

    Returns
    -------
    list of PubmedRecord
        In file order.

    Raises
    ------
    UserInputError
        The file is missing or too large, or its content is refused (see
        :func:`parse_search_export`).

    References
    ----------
    .. [1] National Library of Medicine (2025). PubMed XML DTD, ``pubmed_250101.dtd``.
    .. [2] Europe PMC (2024). Articles RESTful API, https://europepmc.org/RestfulWebService
    .. [3] Research Information Systems (2011). RIS Format Specifications.
    .. [4] Patashnik, O. (1988). BibTeXing.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "hits.json"
    >>> _ = f.write_text('{"resultList": {"result": []}}')
    >>> read_search_export(f)
    []
    >>> _ = f.write_text("title,abstract")
    >>> read_search_export(f)
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: .../hits.json: not a search export this pipeline reads ...
    """
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_EXPORT_BYTES + 1)
    except FileNotFoundError:
        raise UserInputError("file not found", file=path) from None
    except IsADirectoryError:
        raise UserInputError("a directory, not a file", file=path) from None
    if len(data) > MAX_EXPORT_BYTES:
        raise UserInputError(
            f"file is larger than {MAX_EXPORT_BYTES >> 20} MB",
            file=path,
            expected="a smaller export (split the search)",
        )
    return parse_search_export(data, source=str(path))
