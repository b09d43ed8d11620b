"""The vocabulary of cosmetic claims: a wording made of other words goes to review.

Phrase and term rules catch the drug, disease and procedure wordings someone has listed;
on wordings nobody listed they miss about a third (``docs/design.md``, the blind sets).
This is the other half of the checker, and it fails safe: a cosmetic claim is accepted
only when every word of it is a word of cosmetic claims — the purposes a cosmetic may
have by law (cleaning, perfuming, changing the appearance, protecting, keeping in good
condition, correcting odours; Reg. (EC) 1223/2009 Art. 2(1)(a), FD&C Act 201(i)), the
efficacy range of Japanese cosmetics, China's efficacy categories, Korea's functional
categories, Taiwan's acceptable phrases, and the words of directions and packaging
(``design/data/claims_cosmetic_vocabulary.yaml``). A word outside it — "cells",
"Spritze", "祖传", "완전" — is named and the wording is referred for regulatory review:
exoderm cannot confirm it is cosmetic.

How a sentence is read:

* **Latin script** is split into words (a hyphenated word is looked up whole, then by
  its parts). A word is known if it is a grammar word, a listed word or an inflection of
  one (-s, -es, -ed, -ing, -ly, -er, -est, -ness; British and American spellings are both
  listed), a single-word ingredient, or part of a multi-word INCI name of the shipped
  CosIng inventory ("sodium hyaluronate crosspolymer"). Words that are cosmetic only
  about the look or feel of skin ("regenerate", "lift", "renew") are known only in a
  sentence that also says look, appearance, visibly, feel, seem or -looking.
* **Japanese and Chinese** are segmented left to right by the longest listed term;
  hiragana between terms is Japanese grammar, and the grammatical characters of
  ``chinese_function`` (的, 及, 使, 有助于 …) are known. Any other kanji or katakana is
  unknown.
* **Korean** is read word by word: each word must begin with a listed term, followed by
  listed terms, particles and endings (을, 를, 에, 한다, 시킨다 …).
* Digits, units written with them, punctuation and symbols are not words.

References
----------
.. [1] Regulation (EC) No 1223/2009 of the European Parliament and of the Council of 30
   November 2009 on cosmetic products, Art. 2(1)(a). OJ L 342, 22.12.2009, p. 59.
.. [2] Federal Food, Drug, and Cosmetic Act §201(i), 21 U.S.C. 321(i).
.. [3] 厚生省医薬安全局長通知 薬発第1339号 (2000), 化粧品の効能の範囲; amended by
   薬食発0721第1号 (2011).
.. [4] 国家药品监督管理局 2021年第49号公告, 化妆品分类规则和分类目录.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from exoderm.design.inventory import fold_inci, is_inventory_name

__all__ = ["UnknownWord", "unknown_words"]

_LATIN_WORD = re.compile(r"[a-zà-öø-ÿß]+(?:-[a-zà-öø-ÿß]+)*", re.IGNORECASE)
_HEDGE = re.compile(r"\b(look\w*|appearance|visibl\w*|feel\w*|seem\w*)\b|-looking\b", re.I)
_HIRAGANA = re.compile(r"[\u3041-\u309f\u30fc〜]")
_KANA_OR_HAN = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
#: Punctuation inside a run of kana and Han characters: the comma and the middle dot
#: (シミ・ソバカス) separate terms, they are not words.
_CJK_PUNCTUATION = frozenset("、・")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff、]+")
_SUFFIXES = (
    ("iness", "y"), ("ness", ""), ("ies", "y"), ("ied", "y"), ("ier", "y"), ("iest", "y"),
    ("ily", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""),
    ("ly", ""), ("er", ""), ("er", "e"), ("est", ""), ("est", "e"), ("d", ""),
)  # fmt: skip
#: The longest multi-word INCI name looked for, in words.
_INCI_WORDS = 6
#: Japanese wordings whose first group is read as known although its words are not listed:
#: an ingredient named in katakana with the purpose it is blended for (うるおい成分アロエ
#: 配合, the form the 化粧品等の適正広告ガイドライン (日本化粧品工業会, 2020) asks of a
#: featured ingredient, 配合目的の併記); a scent named in katakana (ラベンダーの香り);
#: UVカット / UV対策 / UV対応 (allowed for a product blended with UV filters, not UVケア);
#: エイジングケア with its required gloss 年齢に応じたお手入れ; and an ingredient named in a
#: "free from" wording (パラベン無添加, ノンエタノール). Kanji (幹細胞) are still looked up.
_JP_KNOWN_SPANS = (
    re.compile(
        r"(?:うるおい|保湿|整肌|エモリエント|清涼|収れん|洗浄)成分\s*"
        r"([\u30a1-\u30fa\u30fc]+?(?:酸|油)?)(?:エキス)?\s*(?:を)?\s*配合"
    ),
    re.compile(r"([\u30a1-\u30fa\u30fc]+)の香り"),
    re.compile(r"UV\s*(カット|対策|対応)"),
    re.compile(r"(エイジングケア)\s*[（(]\s*年齢に応じた"),
    # "free from" with the ingredient named (パラベン無添加, ノンエタノール)
    re.compile(r"([\u30a1-\u30fa\u30fc]+?)\s*(?:無添加|不使用|無配合|フリー)"),
    re.compile(r"ノン([\u30a1-\u30fa\u30fc]+)"),
)


@dataclass(frozen=True)
class UnknownWord:
    """The first word of a sentence outside the cosmetic vocabulary, and where it is."""

    word: str
    start: int
    end: int


@dataclass(frozen=True)
class _Vocabulary:
    function: frozenset[str]
    english: frozenset[str]
    hedged: frozenset[str]
    ingredients: frozenset[str]
    phrases: tuple[re.Pattern[str], ...]
    cjk_terms: tuple[str, ...]
    cjk_function: tuple[str, ...]
    korean_terms: tuple[str, ...]
    korean_function: tuple[str, ...]
    market_terms: dict[str, tuple[str, ...]]


def _longest_first(items: list[str]) -> tuple[str, ...]:
    return tuple(sorted({str(i) for i in items}, key=lambda t: (-len(t), t)))


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    path = resources.files("exoderm.design") / "data" / "claims_cosmetic_vocabulary.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data[key])

    return _Vocabulary(
        function=words("english_function"),
        english=words("english"),
        hedged=words("english_hedged"),
        ingredients=words("ingredients"),
        phrases=tuple(
            re.compile(r"\b" + re.escape(str(p)) + r"\b", re.IGNORECASE)
            for p in data["english_phrases"]
        ),
        cjk_terms=_longest_first(data["japanese"] + data["chinese"]),
        cjk_function=_longest_first(data["chinese_function"]),
        korean_terms=_longest_first(data["korean"]),
        korean_function=_longest_first(data["korean_function"]),
        market_terms={m: _longest_first(t) for m, t in data["market_terms"].items()},
    )


@lru_cache(maxsize=16)
def _cjk_terms(market: str) -> tuple[str, ...]:
    vocab = _vocabulary()
    return _longest_first([*vocab.cjk_terms, *vocab.market_terms.get(market, ())])


def _stems(word: str) -> list[str]:
    out = [word]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            out.append(word[: -len(suffix)] + replacement)
    return out


def _known_latin(word: str, hedged: bool, vocab: _Vocabulary) -> bool:
    lexicon = vocab.english | vocab.function | vocab.ingredients
    if hedged:
        lexicon = lexicon | vocab.hedged
    return any(stem in lexicon for stem in _stems(word.lower()))


def _inci_spans(words: list[re.Match[str]]) -> set[int]:
    """Indices of words that are part of a multi-word INCI name of the inventory."""
    covered: set[int] = set()
    for i in range(len(words)):
        for n in range(min(_INCI_WORDS, len(words) - i), 1, -1):
            name = " ".join(w.group(0) for w in words[i : i + n])
            if is_inventory_name(name) and fold_inci(name):
                covered.update(range(i, i + n))
                break
    return covered


def _latin_unknown(text: str, hedged: bool, vocab: _Vocabulary) -> Iterator[UnknownWord]:
    words = list(_LATIN_WORD.finditer(text))
    inci = _inci_spans(words)
    phrases = [m.span() for p in vocab.phrases for m in p.finditer(text)]
    for i, match in enumerate(words):
        word = match.group(0)
        if i in inci or _known_latin(word, hedged, vocab):
            continue
        if any(a <= match.start() and match.end() <= b for a, b in phrases):
            continue
        for part in re.finditer(r"[^-]+", word):
            if not _known_latin(part.group(0), hedged, vocab):
                start = match.start() + part.start()
                yield UnknownWord(part.group(0), start, start + len(part.group(0)))
                break


def _match_at(text: str, i: int, terms: tuple[str, ...]) -> int:
    """Length of the longest of ``terms`` starting at ``text[i]`` (0 if none)."""
    for term in terms:
        if text.startswith(term, i):
            return len(term)
    return 0


def _cjk_unknown(text: str, terms: tuple[str, ...], vocab: _Vocabulary) -> Iterator[UnknownWord]:
    """Segment each run of kana and Han characters; the runs of characters no term covers."""
    named = {m.start(1): m.end(1) - m.start(1) for p in _JP_KNOWN_SPANS for m in p.finditer(text)}
    for run in _CJK_RUN.finditer(text):
        i, end = run.start(), run.end()
        while i < end:
            step = (
                named.get(i) or _match_at(text, i, terms) or _match_at(text, i, vocab.cjk_function)
            )
            if step:
                i += step
            elif _HIRAGANA.match(text[i]) or text[i] in _CJK_PUNCTUATION:
                i += 1
            else:
                unknown = _unknown_run(text, i, end)
                yield unknown
                i = unknown.end


def _unknown_run(text: str, i: int, end: int) -> UnknownWord:
    j = i + 1
    while j < end and _KANA_OR_HAN.match(text[j]):
        j += 1
    return UnknownWord(text[i:j], i, j)


@lru_cache(maxsize=16)
def _korean_terms(market: str) -> tuple[str, ...]:
    """Korean terms, with the Hangul terms cosmetic in ``market`` only (the KR whitening
    category's 멜라닌, 색소 ...)."""
    vocab = _vocabulary()
    own = [t for t in vocab.market_terms.get(market, ()) if _HANGUL.search(t)]
    return _longest_first([*vocab.korean_terms, *own])


def _korean_unknown(text: str, market: str, vocab: _Vocabulary) -> Iterator[UnknownWord]:
    terms = _korean_terms(market)
    for word in _HANGUL_WORD.finditer(text):
        token, i = word.group(0), 0
        if token in vocab.korean_function:  # a particle or connective on its own (또는, 등)
            continue
        first = _match_at(token, 0, terms)
        if not first:
            yield UnknownWord(token, word.start(), word.end())
            continue
        i = first
        while i < len(token):
            step = _match_at(token, i, terms) or _match_at(token, i, vocab.korean_function)
            if not step:
                yield UnknownWord(token, word.start(), word.end())
                break
            i += step


@lru_cache(maxsize=4096)
def unknown_words(text: str, market: str) -> tuple[UnknownWord, ...]:
    """Every word of ``text`` outside the vocabulary of cosmetic claims, in order.

    Parameters
    ----------
    text : str
        One claim (a sentence or a bullet point).
    market : str
        A market code; a few terms are cosmetic in one market only (Japan's dentifrice
        and dandruff items, China's anti-hair-loss and acne categories).

    Returns
    -------
    tuple of UnknownWord
        Each unknown word (for Japanese and Chinese, each run of unknown characters)
        with its character span; empty when every word is known.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Art. 2(1)(a) (the purposes of a cosmetic).
    .. [2] 厚生省 薬発第1339号 (2000, amended 2011), 化粧品の効能の範囲.

    Examples
    --------
    >>> unknown_words("helps skin look smoother", "EU")
    ()
    >>> [w.word for w in unknown_words("activates your skin's stem cells", "EU")]
    ['activates', 'stem', 'cells']
    >>> unknown_words("肌にうるおいを与える", "JP")
    ()
    >>> [w.word for w in unknown_words("シミが完全消滅", "JP")]
    ['完全消滅']
    >>> unknown_words("うるおい成分アロエ配合", "JP")
    ()
    """
    vocab = _vocabulary()
    hedged = bool(_HEDGE.search(text))
    found = list(_latin_unknown(text, hedged, vocab))
    if _KANA_OR_HAN.search(text) or _HIRAGANA.search(text):
        found += _cjk_unknown(text, _cjk_terms(market), vocab)
    if _HANGUL.search(text):
        found += _korean_unknown(text, market, vocab)
    return tuple(sorted(found, key=lambda w: w.start))
