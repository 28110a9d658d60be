"""BibTeX entries for the theories (papers) behind a set of claims.

One entry per theory: ``@misc`` with ``eprint``/``archivePrefix`` for an arXiv paper (and a ``note``
that plain styles print), ``@misc`` with ``howpublished`` for one with only a URL. Keys are stable:
the first author's surname, the year and the first significant word of the title, lower case ASCII
(``bordelon2024dynamical``); two theories with the same key get ``b``, ``c``, ... in registry order.
Titles are escaped and wrapped in braces, so styles keep their capitalisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from scaling_verify.theory.claims import Claim, Theory
from scaling_verify.report.latex.text import ascii_text, tex_text

_STOP = frozenset("a an the of on in for and to with from by at as is are via towards toward its".split())


def _surname(name: str) -> str:
    if "," in name:  # "Surname, Given"
        return name.split(",", 1)[0].strip()
    return name.split()[-1] if name.split() else name


def _word(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", ascii_text(title).lower())
    return next((w for w in words if w not in _STOP and not w.isdigit()), words[0] if words else "paper")


def base_key(theory: Theory) -> str:
    """``<surname><year><word>``: lower case ASCII letters and digits."""
    surname = re.sub(r"[^a-z]", "", ascii_text(_surname(theory.authors[0])).lower()) or "anon"
    return f"{surname}{theory.year}{_word(theory.title)}"


def cite_keys(theories: Sequence[Theory]) -> dict[str, str]:
    """theory id -> BibTeX key, unique over ``theories`` (in their order)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for th in theories:
        key = base_key(th)
        suffix = iter("bcdefghijklmnopqrstuvwxyz")
        cand = key
        while cand in used:
            cand = key + next(suffix)
        used.add(cand)
        out[th.id] = cand
    return out


def _field(value: str) -> str:
    return "{" + value + "}"


def bib_entry(theory: Theory, key: str) -> str:
    """The BibTeX entry of one theory."""
    fields = [("title", "{" + tex_text(theory.title) + "}"),
              ("author", " and ".join(tex_text(a) for a in theory.authors)),
              ("year", str(theory.year))]
    if theory.arxiv:
        fields += [("eprint", theory.arxiv), ("archivePrefix", "arXiv"), ("note", f"arXiv:{theory.arxiv}")]
    if theory.url:
        fields += [("url", theory.url), ("howpublished", r"\texttt{" + tex_text(theory.url) + "}")]
    body = ",\n".join(f"  {name:<13} = {_field(value)}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def theories_of(claims: Iterable[Claim], theories: Sequence[Theory]) -> list[Theory]:
    """The theories of ``claims``, in the order of ``theories`` (the registry's)."""
    wanted = {c.theory for c in claims}
    return [t for t in theories if t.id in wanted]


def bibtex(claims: Iterable[Claim], theories: Sequence[Theory]) -> str:
    """One entry per theory of ``claims``; keys from :func:`cite_keys` over all of ``theories``."""
    keys = cite_keys(theories)
    entries = [bib_entry(t, keys[t.id]) for t in theories_of(claims, theories)]
    return "% scaling-verify: the sources of the selected claims\n\n" + "\n".join(entries)
