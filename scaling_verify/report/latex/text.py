"""Plain text into LaTeX: escaping, and a readable rendering of statements written in ASCII math.

A claim's ``latex_statement`` is typeset as written. A claim without one (a plug-in that gave only
``statement``) goes through :func:`plain_to_latex`: each whitespace-separated word that carries
ASCII math (``t^{-(a-1)/b}``, ``sum_{k>N}``, ``H_k(t)``) is set in math mode when it is balanced and
made of safe characters, Greek names becoming Greek letters; any other such word is set in
``\\texttt`` with break points; ``->``, ``~``, ``<``, ``>``, ``<<``, ``!=`` become their math symbols; the
rest is escaped text. No ``\\textasciicircum`` soup, and never a LaTeX error from user text.
"""

from __future__ import annotations

import re
import unicodedata

from scaling_verify.report.latex.printed import GREEK

_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "<": r"\textless{}", ">": r"\textgreater{}"}
# the typewriter font has the ASCII glyphs at their codes: \char95 is a real underscore
_TT_ESCAPES = {**{ch: f"\\char{ord(ch)}{{}}" for ch in "\\_^~{}<>"}, "&": r"\&", "%": r"\%", "$": r"\$",
               "#": r"\#"}
_SYMBOL_WORDS = {"->": r"$\to$", "<-": r"$\leftarrow$", "~": r"$\sim$", "<": "$<$", ">": "$>$",
                 "<<": r"$\ll$", ">>": r"$\gg$", "!=": r"$\neq$", "<=": r"$\leq$", ">=": r"$\geq$",
                 "+-": r"$\pm$", "=": "$=$", "*": r"$\cdot$"}
_MATH_SAFE = re.compile(r"^[A-Za-z0-9^_{}()\[\]+\-*/.,=<>|' ]+$")
_MATH_WORDS = {"infinity": r"\infty", "inf": r"\infty", "sum": r"\sum", "exp": r"\exp", "log": r"\log",
               "ln": r"\ln", "min": r"\min", "max": r"\max", "sin": r"\sin", "cos": r"\cos",
               "tr": r"\operatorname{tr}", "Gamma": r"\Gamma", "zeta": r"\zeta"}


_LETTERS = {"Ł": ("L", r"\L"), "ł": ("l", r"\l"), "Ø": ("O", r"\O"), "ø": ("o", r"\o"), "ß": ("ss", r"\ss"),
            "Æ": ("AE", r"\AE"), "æ": ("ae", r"\ae"), "Œ": ("OE", r"\OE"), "œ": ("oe", r"\oe"),
            "ı": ("i", r"\i"), "Đ": ("D", "D"), "đ": ("d", "d")}
_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
            "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c",
            "\u0328": "k"}


def ascii_text(s: str) -> str:
    """``s`` folded to ASCII (accents dropped, ``Ł`` -> ``L``; other characters become ``?``)."""
    s = "".join(_LETTERS[ch][0] if ch in _LETTERS else ch for ch in unicodedata.normalize("NFKD", s))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).encode("ascii", "replace").decode("ascii")


def tex_text(s: str) -> str:
    """Escape plain text for LaTeX text mode: every special character escaped, accented letters as
    accent commands (``{\\'e}``, ``{\\L}``), any other non-ASCII character as ``?``."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", s):
        if ch in _LETTERS:
            out.append("{" + _LETTERS[ch][1] + "}")
        elif unicodedata.combining(ch):
            if ch in _ACCENTS and out and len(out[-1]) == 1 and out[-1].isalpha():
                acc = _ACCENTS[ch] + (" " if _ACCENTS[ch].isalpha() else "")
                out[-1] = "{\\" + acc + out[-1] + "}"
        elif ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        else:
            out.append(ch if ch.isascii() else "?")
    return "".join(out)


def tex_id(s: str) -> str:
    """Text in typewriter type with its characters as typed (``dynamical.time_exponent``, ``x^{2}``),
    breakable after ``.``, ``_`` and ``/``."""
    out = []
    for ch in ascii_text(s):
        out.append(_TT_ESCAPES.get(ch, ch))
        if ch in "._/":
            out.append(r"\allowbreak{}")
    return r"\texttt{" + "".join(out) + "}"


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _scripts_ok(s: str) -> bool:
    """No double sub- or superscript (``a_t_hat``, ``x^2^3``) in math ``s``: TeX would stop there."""
    toks = re.findall(r"\\[A-Za-z]+ ?|\\.|.", s)
    seen: set[str] = set()
    i = 0
    while i < len(toks):
        tok = toks[i].strip() or toks[i]
        if tok in ("^", "_"):
            if tok in seen or i + 1 >= len(toks):
                return False
            seen.add(tok)
            i += 1
            if toks[i] == "{":  # the script is a group: skip it
                depth = 0
                while i < len(toks):
                    depth += {"{": 1, "}": -1}.get(toks[i], 0)
                    if depth == 0:
                        break
                    i += 1
        elif tok != " ":
            seen = set()
        i += 1
    return True


def _math_word(core: str) -> str | None:
    """ASCII math -> LaTeX math, or None when it would not be valid: Greek names become letters,
    a multi-letter subscript is grouped (``N_nz`` -> ``N_{nz}``)."""
    if re.search(r"[A-Za-z]\.[A-Za-z_]", core):  # a dotted identifier (module path): not math
        return None

    def ident(m: re.Match) -> str:
        w = m.group(0)
        if w in GREEK:
            return "\\" + w + " "
        return _MATH_WORDS.get(w, w) + (" " if w in _MATH_WORDS else "")

    core = re.sub(r"_([A-Za-z][A-Za-z0-9]+)", lambda m: "_{" + m.group(1) + "}", core)
    core = re.sub(r"[A-Za-z]{2,}", ident, core)
    out = core.replace("*", r"\cdot ").strip()
    return "$" + out + "$" if _scripts_ok(out) else None


def _word(word: str) -> str:
    if word in _SYMBOL_WORDS:
        return _SYMBOL_WORDS[word]
    if not any(ch in word for ch in "^_"):
        return tex_text(word)
    m = re.match(r"^(\(?)(.*?)([.,;:!?)]*)$", word)
    lead, core, trail = m.group(1), m.group(2), m.group(3)
    # a closing parenthesis belongs to the math when the math opened one
    while trail.startswith(")") and core.count("(") > core.count(")"):
        core, trail = core + ")", trail[1:]
    math = _math_word(core) if core and _MATH_SAFE.match(core) and _balanced(core) \
        and core.count("(") == core.count(")") else None
    if math is None:
        return tex_id(word)
    return tex_text(lead) + math + tex_text(trail)


def plain_to_latex(statement: str) -> str:
    """A plain statement with ASCII math, as LaTeX text with its math fragments typeset."""
    words: list[str] = []
    for w in ascii_text(statement).split():
        # a word inside an open brace group ("N^{-min(a-1," "2b)}") continues the previous one
        if words and words[-1].count("{") > words[-1].count("}"):
            words[-1] += " " + w
        else:
            words.append(w)
    return " ".join(_word(w) for w in words)
