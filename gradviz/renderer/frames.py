"""One picture per step of the sweeps, for slides: numbered SVG or PNG files, or an animated GIF.

Each picture is the renderer's graph (:func:`gradviz.to_dot`) in the state the HTML stepper
shows at that step, from the same model (:func:`gradviz.renderer.html.stepper_model`): the
current node outlined, the edges whose partials the step uses drawn thick, each number
appearing as its sweep reaches it, and under the graph the step's place and its text in the
lecture's notation. The steps are those of the page: each seed's forward sweep, then the
reverse sweep one contribution at a time.

The graph is laid out once and every picture is drawn on that layout (Graphviz's ``nop2``
engine keeps the positions it is given), so nothing moves from one picture to the next.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> pictures = frame_pictures(t, "svg")
    >>> len(pictures), pictures[0][:5]
    (16, b'<?xml')
    >>> b"w1 = x1 = 2" in pictures[0] and b"seeded on x1" in pictures[0]
    True
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
import shutil
import tempfile
import warnings
from typing import Any

from gradviz.errors import GradvizError
from gradviz.renderer.backend import TIMEOUT_SECONDS

__all__ = ["frame_pictures", "write_frames", "gif_bytes", "frame_names", "FRAME_FORMATS",
           "MAX_FRAMES", "MAX_GIF_FRAMES"]

#: The formats of the numbered pictures.
FRAME_FORMATS = ("svg", "png")
#: More steps than this are refused for a folder of pictures, and for a GIF (every frame
#: of a GIF is held in memory, and a longer one is no use on a slide).
MAX_FRAMES, MAX_GIF_FRAMES = 2000, 300
#: How long a GIF shows each step, and its last one (milliseconds).
STEP_MS, LAST_MS = 1200, 4000

_CURRENT, _SOURCE = "#d81b60", "#00897b"  # the page's colours (renderer/static/stepper.css)
_CAPTION_FONT = "DejaVu Sans Mono,Menlo,Consolas,monospace"
_PAD = 10.0  # points between the graph and its caption
# A tagged number's cell in a node label (see gradviz.renderer.html.tagged_dot).
_CELL = re.compile(r'(ID="(?P<id>gv-[^"]+)" TOOLTIP="[^"]*">)(?P<text>.*?)(</td>)', re.DOTALL)
_NAME = re.compile(r"^step-(\d+)\.(svg|png)$")


def frame_names(count: int, format: str) -> list[str]:
    """``step-001.svg`` … : numbered from 1, with as many digits as the last needs (at
    least three), so that they sort in order.

    Example:
        >>> frame_names(2, "png")
        ['step-001.png', 'step-002.png']
    """
    width = max(3, len(str(count)))
    return [f"step-{k:0{width}d}.{format}" for k in range(1, count + 1)]


def frame_pictures(trace, format: str = "svg", *, dpi: int = 144, digits: int = 4,
                   limit: int | None = None, timeout: float | None = TIMEOUT_SECONDS,
                   **options: Any) -> list[bytes]:
    """One picture per step, as ``format`` (``svg`` or ``png``) bytes, in stepping order.

    ``options`` are :func:`gradviz.to_dot`'s; ``dpi`` is a PNG's resolution; ``timeout``
    bounds the one layout every picture shares, as :func:`gradviz.render`'s does.

    Raises:
        GradvizError: ``trace`` is not a :class:`~gradviz.Trace`, an unknown format, more
            than ``limit`` (default :data:`MAX_FRAMES`) steps, or a layout past ``timeout``.
    """
    from gradviz.renderer.html import require_trace, stepper_model, tagged_source

    require_trace(trace, "a picture per step", "steps.gif")
    if format not in FRAME_FORMATS:
        raise GradvizError(f"pictures per step are {' or '.join(FRAME_FORMATS)}, not {format!r}")
    source, cells = tagged_source(trace, dict(options, digits=digits))
    steps = stepper_model(trace, digits=digits, cells=cells)["steps"]
    limit = MAX_FRAMES if limit is None else limit
    if len(steps) > limit:
        raise GradvizError(f"the sweeps have {len(steps):,} steps, more than the {limit:,} "
                           "pictures allowed: draw a part with --focus NODE, or step through "
                           "it with gradviz inspect")
    captions = [_caption(step) for step in steps]
    # The numbers that show another text at some step (an adjoint still being summed):
    # their cells are made as wide as the widest text they show, so no label changes size.
    variants: dict[str, set[str]] = {}
    for step in steps:
        for cell_id, now in step["cells"]:
            if isinstance(now, str):
                variants.setdefault(cell_id, set()).add(html.escape(now, quote=False))
    laid_out, sizes = _layout(source, captions, variants, timeout)
    shown: dict[str, Any] = {cell["id"]: 1 for cell in cells}
    pictures = []
    for step, caption in zip(steps, captions):
        for cell_id, now in step["cells"]:
            shown[cell_id] = now
        pictures.append(_draw(laid_out, step, shown, caption, sizes, format, dpi))
    return pictures


def _caption(step: dict) -> str:
    return step["where"] + "\n" + step["text"]


def _quiet():
    """Graphviz's messages kept off the terminal, as every drawing here does."""
    from gradviz.renderer.backend import _quiet_stderr

    stack = contextlib.ExitStack()
    stack.enter_context(_quiet_stderr())
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")  # pygraphviz turns Graphviz's messages into warnings
    return stack


def _layout(source: str, captions: list[str], variants: dict[str, set[str]],
            timeout: float | None) -> tuple[str, list[tuple[float, float]]]:
    """The graph laid out once (DOT with positions), and each caption's size in points.

    Sizes are measured by Graphviz on a graph of the captions, and of each text a number of
    ``variants`` shows, alone."""
    import pygraphviz

    from gradviz.renderer.backend import RenderError, layout_source

    try:
        with _quiet():
            graph = pygraphviz.AGraph(string=source)
            measure = pygraphviz.AGraph()
            for k, caption in enumerate(captions):
                measure.add_node(f"c{k}", label=_caption_label(caption), shape="plaintext",
                                 margin="0", fontname=_CAPTION_FONT, fontsize="12")
            texts = {m["id"]: variants[m["id"]] | {m["text"]} for m in _CELL.finditer(source)
                     if m["id"] in variants}
            font = {"fontname": graph.node_attr.get("fontname") or "Times-Roman",
                    "fontsize": graph.node_attr.get("fontsize") or "14"}
            for cell_id, shown in texts.items():
                for k, text in enumerate(sorted(shown)):
                    measure.add_node(f"{cell_id}/{k}", shape="plaintext", margin="0", **font,
                                     label=f'<<table border="0" cellborder="0" cellspacing="0" '
                                     f'cellpadding="1"><tr><td>{text}</td></tr></table>>')
            measure.layout(prog="nop")  # sizes only: no placing needed

            def size(name: str) -> tuple[float, float]:
                node = measure.get_node(name)
                return float(node.attr["width"]) * 72, float(node.attr["height"]) * 72

            widths = {cell_id: max(size(f"{cell_id}/{k}")[0] for k in range(len(shown)))
                      for cell_id, shown in texts.items()}
            if widths:
                graph = pygraphviz.AGraph(string=_CELL.sub(
                    lambda m: (m.group(0) if m["id"] not in widths else
                               f'WIDTH="{int(widths[m["id"]]) + 2}" {m.group(0)}'), source))
            caption_sizes = [size(f"c{k}") for k in range(len(captions))]
    except (ValueError, OSError, KeyError) as exc:  # pygraphviz's failures carry no type
        raise RenderError(f"Graphviz could not lay out the graph: {exc}") from None
    # The layout itself may take minutes on a large graph: bounded, as every drawing is.
    return layout_source(graph.string(), timeout=timeout), caption_sizes


def _caption_label(text: str, width: float | None = None, height: float | None = None) -> str:
    """The caption's lines, left-aligned; in a cell of ``width`` × ``height`` points (at
    its top left) when they are given."""
    lines = "".join(f'{html.escape(line) or " "}<br align="left"/>' for line in text.split("\n"))
    if width is None:
        return f"<{lines}>"
    return (f'<<table border="0" cellborder="0" cellpadding="0" cellspacing="0"><tr><td '
            f'fixedsize="true" width="{int(width) + 1}" height="{int(height) + 1}" align="left" '
            f'valign="top" balign="left">{lines}</td></tr></table>>')


def _draw(laid_out: str, step: dict, shown: dict, caption: str, sizes, format: str,
          dpi: int) -> bytes:
    import pygraphviz

    from gradviz.renderer.backend import RenderError
    from gradviz.renderer.dot import MAX_PIXELS

    graph = pygraphviz.AGraph(string=laid_out)
    for node in graph.nodes():
        label = node.attr.get("label") or ""
        if "ID=\"gv-" in label:
            node.attr["label"] = "<" + _CELL.sub(lambda m: _cell_text(m, shown), label) + ">"
    _mark(graph, step)
    # The caption goes under the graph, in a box of the same size in every picture (that
    # of the largest caption, its text at the top left), so that no picture is larger than
    # another and nothing moves. (5 % wider: text drawn at a PNG's resolution comes out a
    # little wider than Graphviz measures it.)
    x0, y0 = (float(v) for v in graph.graph_attr["bb"].split(",")[:2])
    width, height = max(w for w, _ in sizes) * 1.05 + 4, max(h for _, h in sizes)
    graph.add_node("gv-caption", label=_caption_label(caption, width, height), shape="plaintext",
                   margin="0", style="solid", fontname=_CAPTION_FONT, fontsize="12",
                   fixedsize="true", width=f"{width / 72:.4f}", height=f"{height / 72:.4f}",
                   pos=f"{x0 + _PAD + width / 2:.2f},{y0 - _PAD - height / 2:.2f}")
    if format == "png":
        graph.graph_attr["dpi"] = str(int(dpi))
        inches = (MAX_PIXELS - 16) / int(dpi)
        graph.graph_attr["size"] = f"{inches:.2f},{inches:.2f}"
    try:
        with _quiet():
            data = graph.draw(format=format, prog="nop2")
    except (ValueError, OSError) as exc:
        raise RenderError(f"Graphviz could not draw a picture: {exc}") from None
    if not data:
        raise RenderError("Graphviz could not draw a picture: no output")
    return data


def _cell_text(match: re.Match, shown: dict) -> str:
    """A tagged number as the step shows it: its own text, another (an adjoint still being
    summed), or its own text drawn transparent (not reached yet: the node keeps its size)."""
    now = shown.get(match.group("id"), 1)
    text = match.group("text")
    if now is None:
        text = f'<font color="#00000000">{text}</font>'
    elif isinstance(now, str):
        text = html.escape(now, quote=False)
    return match.group(1) + text + match.group(4)


def _mark(graph, step: dict) -> None:
    """The page's highlights: the current node, the node a contribution comes from, and the
    edges whose partials the step uses."""
    for name, colour, width in ((step["node"], _CURRENT, "4"), (step["source"], _SOURCE, "3")):
        if name is not None and graph.has_node(name):
            node = graph.get_node(name)
            node.attr.update(color=colour, penwidth=width)
    for tail, head in step["edges"]:
        if graph.has_edge(tail, head):
            edge = graph.get_edge(tail, head)
            edge.attr.update(color=_CURRENT, fontcolor=_CURRENT, penwidth="3")


# --- files -------------------------------------------------------------------------------------


def write_frames(trace, directory: str | os.PathLike, format: str = "svg",
                 **options: Any) -> list[str]:
    """Write :func:`frame_pictures` to ``directory`` as ``step-001.svg`` … (made if missing;
    its parent must exist) and return their paths.

    Every picture is drawn before anything is written, and all appear together: a failure
    leaves the folder as it was. Pictures of an earlier, longer run (``step-NNN`` of the
    same format past the last) are removed, so the folder holds exactly these steps.

    Raises:
        GradvizError: ``directory`` is a file or cannot be written, or
            :func:`frame_pictures` fails.
    """
    from gradviz.renderer.backend import RenderError

    target = os.path.abspath(os.fspath(directory))
    check_folder(target)
    pictures = frame_pictures(trace, format, **options)
    names = frame_names(len(pictures), format)
    parent = os.path.dirname(target)
    try:
        staging = tempfile.mkdtemp(dir=parent, prefix=".gradviz-frames-")
    except OSError as exc:
        raise RenderError(f"cannot write the pictures in {target}: {exc.strerror or exc}") from None
    try:
        for name, data in zip(names, pictures):
            with open(os.path.join(staging, name), "wb") as file:
                file.write(data)
        if not os.path.exists(target):
            os.chmod(staging, _folder_mode())  # mkdtemp's is owner-only; mkdir's is wanted
            os.rename(staging, target)
        else:
            for name in names:
                os.replace(os.path.join(staging, name), os.path.join(target, name))
            _remove_older(target, format, set(names))
    except OSError as exc:
        raise RenderError(f"cannot write the pictures in {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [os.path.join(os.fspath(directory), name) for name in names]


def _folder_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def check_folder(target: str) -> None:
    """Fail before any work if the pictures cannot go into folder ``target``."""
    if not target.strip():
        raise GradvizError("the pictures need a folder name, got an empty one")
    if os.path.exists(target) and not os.path.isdir(target):
        raise GradvizError(f"cannot write the pictures in {target}: it is a file, not a folder "
                           "(name a folder; it is made if missing)")
    folder = target if os.path.isdir(target) else os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise GradvizError(f"cannot write the pictures in {target}: the folder {folder} does "
                           "not exist")
    if not os.access(folder, os.W_OK):
        raise GradvizError(f"cannot write the pictures in {target}: {folder} is not writable")


def _remove_older(target: str, format: str, kept: set[str]) -> None:
    for name in os.listdir(target):
        found = _NAME.match(name)
        if found and found.group(2) == format and name not in kept:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(target, name))


def gif_bytes(trace, *, dpi: int = 96, step_ms: int = STEP_MS, last_ms: int = LAST_MS,
              **options: Any) -> bytes:
    """The pictures of :func:`frame_pictures` as one animated GIF that loops, each step shown
    ``step_ms`` and the last ``last_ms`` milliseconds.

    Encoded by Pillow (installed with the ``plot`` extra).

    Raises:
        GradvizError: Pillow is missing, more than :data:`MAX_GIF_FRAMES` steps, or
            :func:`frame_pictures` fails.
    """
    try:
        from PIL import Image
    except ImportError:
        raise GradvizError("an animated GIF needs Pillow: pip install 'gradviz[plot]' (or draw "
                           "the steps as pictures with --frames DIR)") from None
    pictures = frame_pictures(trace, "png", dpi=dpi, limit=MAX_GIF_FRAMES, **options)
    frames = [Image.open(io.BytesIO(data)).convert("RGB") for data in pictures]
    size = (max(f.width for f in frames), max(f.height for f in frames))
    frames = [_on_canvas(f, size, Image) for f in frames]
    # One palette for every frame, made from all of them: then each frame after the first
    # is stored as the rectangle that changed, and a colour never flickers between frames.
    palette = _palette(frames, Image)
    frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    out = io.BytesIO()
    durations = [step_ms] * (len(frames) - 1) + [last_ms]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=durations, optimize=True)
    return out.getvalue()


def _on_canvas(frame, size, Image):
    """``frame`` on a white canvas of ``size`` (Graphviz may round a picture's size by a
    pixel from one step to the next)."""
    if frame.size == size:
        return frame
    canvas = Image.new("RGB", size, "white")
    canvas.paste(frame, (0, 0))
    return canvas


def _palette(frames, Image):
    """256 colours chosen from the frames (up to 12 of them, side by side in one strip):
    fast octree quantization keeps the few pixels of each outline's colour, which median
    cut gives up for shades of the large white and pale areas."""
    chosen = frames[:: max(1, len(frames) // 12)]
    strip = Image.new("RGB", (sum(f.width for f in chosen), frames[0].height), "white")
    for k, f in enumerate(chosen):
        strip.paste(f, (k * f.width, 0))
    return strip.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
