"""The lecture's tables ready to paste: LaTeX (``booktabs``), Markdown or HTML.

The rows are :mod:`gradviz.export.tables`' (every number from the recorded sweeps); only the way they
are written changes. LaTeX writes the lecture's notation in math: ``ẇ3`` is ``\\dot{w}_{3}``,
``w̄1`` is ``\\bar{w}_{1}``, ``·`` is ``\\cdot``, ``sin`` is ``\\sin``. The LaTeX needs
``\\usepackage{booktabs}`` and ``\\usepackage{amsmath}``.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> print(export_tables(t, "markdown").splitlines()[6])
    | w3 = w1·w2 = 10 | ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5 |
    >>> latex_math("ẇ4 = cos w1·ẇ1 = (-0.4161)·1 = -0.4161")
    '\\\\dot{w}_{4} = \\\\cos w_{1}\\\\cdot \\\\dot{w}_{1} = (-0.4161)\\\\cdot 1 = -0.4161'
"""

from __future__ import annotations

import html
import re

from gradviz.errors import GradvizError
from gradviz.export.tables import forward_rows, reverse_rows

__all__ = ["export_tables", "latex_math", "FORMATS"]

#: What :func:`export_tables` writes.
FORMATS = ("latex", "markdown", "html")
HEADERS = ("Operations to compute value", "Operations to compute derivative")
# Functions LaTeX has a command for; other words are set upright with \operatorname.
_LATEX_FUNCTIONS = {"sin", "cos", "tan", "exp", "log", "tanh", "sinh", "cosh", "arcsin", "arccos",
                    "arctan", "max", "min", "det"}
_SYMBOLS = {"·": r"\cdot ", "∂": r"\partial ", "×": r"\times ", "ᵀ": r"^{\top}", "…": r"\ldots ",
            "@": r"\mathbin{@}", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\sim ", "'": r"\text{'}"}
_WORD = re.compile(r"(?<![\\\w])([A-Za-z][A-Za-z]+\d*)")
_NAME = re.compile(r"(?<![\\\w])([A-Za-z])(\u0307|\u0304)?(\d+)(?!\w)")
_EXPONENT = re.compile(r"\^(?!\{)(-?[\w.]+)")


def _tables(trace, forward) -> list[tuple[str, list[tuple[int, str, str]]]]:
    tables = []
    count = len(trace.forward_sweeps)
    for k, sweep in enumerate(trace.forward_sweeps):
        if forward is not None and k not in forward:
            continue
        tables.append((f"Forward sweep {k + 1} of {count} ({sweep.label})", forward_rows(trace, k)))
    count = len(trace.reverse_sweeps)
    for k, sweep in enumerate(trace.reverse_sweeps):
        tables.append((f"Reverse sweep {k + 1} of {count} ({sweep.label})", reverse_rows(trace, k)))
    return tables


def export_tables(trace, format: str, *, forward: list[int] | None = None) -> str:
    """Every forward table (or those numbered in ``forward``), then every reverse table, as
    ``format`` (see :data:`FORMATS`).

    Raises:
        GradvizError: an unknown format, or a trace with no recorded sweep.
    """
    writers = {"latex": _latex_table, "markdown": _markdown_table, "html": _html_table}
    if format not in writers:
        raise GradvizError(f"unknown table format {format!r}: use {', '.join(FORMATS)}")
    tables = _tables(trace, forward)
    if not tables:
        raise GradvizError("the trace has no recorded sweep, so no table: trace it with "
                           "gradviz.trace(f, …), which records both modes")
    return "\n".join(writers[format](title, rows) for title, rows in tables)


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown_table(title: str, rows) -> str:
    lines = [f"**{title}**", "", f"| {HEADERS[0]} | {HEADERS[1]} |", "| --- | --- |"]
    lines += [f"| {_markdown_cell(value)} | {_markdown_cell(derivative)} |" for _i, value, derivative in rows]
    return "\n".join(lines) + "\n"


def _html_table(title: str, rows) -> str:
    body = "".join(f"<tr><td>{html.escape(value)}</td><td>{html.escape(derivative)}</td></tr>\n"
                   for _i, value, derivative in rows)
    return (f"<table>\n<caption>{html.escape(title)}</caption>\n<thead><tr><th>{HEADERS[0]}</th>"
            f"<th>{HEADERS[1]}</th></tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n")


def latex_math(text: str) -> str:
    """One formula of the lecture's notation as LaTeX math (without the ``$``)."""
    out = "".join(_SYMBOLS.get(c, c) for c in text.replace("\\", r"\backslash "))
    out = _EXPONENT.sub(lambda m: "^{" + m.group(1) + "}", out)
    out = _WORD.sub(lambda m: "\\" + m.group(1) if m.group(1) in _LATEX_FUNCTIONS
                    else r"\operatorname{" + m.group(1) + "}", out)
    out = out.replace("\u1e87", "w\u0307")  # ẇ, precomposed where Unicode has it
    return _NAME.sub(_latex_name, out)


def _latex_name(match: re.Match) -> str:
    letter, mark, number = match.groups()
    accent = {"\u0307": r"\dot", "\u0304": r"\bar"}.get(mark or "")
    return (f"{accent}{{{letter}}}" if accent else letter) + f"_{{{number}}}"


def _latex_cell(text: str) -> str:
    """A cell: its formulas in math, the words between them (``and``, ``(seed)``) in text."""
    seed = text.endswith(" (seed)")
    text = text.removesuffix(" (seed)")
    cell = " and ".join(f"${latex_math(part)}$" for part in text.split(" and "))
    return cell + (" (seed)" if seed else "")


def _latex_text(text: str) -> str:
    return "".join(_SYMBOLS.get(c, c) if c in "%&#$_{}~" else c for c in text)


def _latex_table(title: str, rows) -> str:
    lines = [r"\begin{table}[ht]", r"\centering", rf"\caption{{{_latex_text(title)}}}",
             r"\begin{tabular}{ll}", r"\toprule", rf"{HEADERS[0]} & {HEADERS[1]} \\", r"\midrule"]
    lines += [rf"{_latex_cell(value)} & {_latex_cell(derivative)} \\" for _i, value, derivative in rows]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"
