"""The terminal inspector: a textual app drawing an :class:`InspectorState`.

The app owns no stepping logic: each key calls one method of the state, then every panel
is redrawn from the state by :mod:`gradviz.inspector.views`. ``position`` and ``message`` are
reactive, so a move (or a message) redraws the screen.
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from gradviz.inspector import layered, views
from gradviz.inspector.state import InspectorState

__all__ = ["InspectorApp", "Lines", "HELP"]

HELP = """\
[b]Keys[/b]
  → l space    step forward one row (one contribution in a reverse sweep)
  ← h          step back: undo the last move, whatever it was
  f            finish this sweep (again: finish the next one)
  n            next training iteration
  c            continue until a breakpoint fires (or the run ends)
  g            jump to a node: type w7 and Enter
  s            switch seed: the same row in the next sweep of the same kind
  b            break on the current node's operation (again: remove)
  e            export the current graph through the renderer
  v            the graph as a tree, or in 2-D: layers by depth, inputs on top
  tab          on a small terminal: show the next panel (graph, tables, training)
  ?            this help            q  ctrl+c   quit

[b]Breakpoints[/b] (set on the command line or in inspect(..., breakpoints=...))
  a NaN or Inf is born (on by default), a rule fails its check (--break-check),
  |adjoint| above a bound,
  a named operation, an iteration number.

[b]Panels[/b]
  graph: the trace from its output down to its inputs, each node with its value,
         its tangent ẇ and its adjoint w̄ as far as the sweeps have got (· not yet)
  step:  the current row in the lecture's notation, with its numbers
  tables: the lecture's two tables, the current one filled up to the highlighted row

Press ? or Escape to close."""


class HelpScreen(ModalScreen):
    """The keys, the breakpoints and what each panel shows."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: 96; max-width: 100%; height: auto; max-height: 100%;
                          border: round $accent; padding: 0 1; background: $surface;
                          overflow-y: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help")


class Lines(Widget):
    """A panel drawn line by line from a rich :class:`~rich.text.Text`, each line cut to the
    width: showing a new text renders and repaints only the lines that differ from the last
    (a step moves the highlight across two lines of the graph and changes a few numbers)."""

    def __init__(self, *, id: str):
        super().__init__(id=id)
        self._keys: list[tuple] = []
        self._strips: list[Strip] = []
        self._width = 0
        self.text = Text()  #: what the panel shows

    def show(self, text: Text) -> None:
        self.text = text
        width = self.size.width
        lines = text.split("\n", allow_blank=True)
        keys = [(line.plain, tuple(line.spans), line.style) for line in lines]
        if width != self._width:
            self._keys, self._strips, self._width = [], [], width
        # a window that follows the current node moves its lines up or down: a line is
        # rendered again only when its content is new, wherever it was before
        rendered = dict(zip(self._keys, self._strips))
        strips, base = [], self.rich_style
        for line, key in zip(lines, keys):
            strip = rendered.get(key)
            if strip is None:
                line.truncate(width, overflow="ellipsis")
                segments = line.render(self.app.console, end="")
                strip = Strip(segments).crop_extend(0, width, None).apply_style(base)
            strips.append(strip)
        changed = [y for y, key in enumerate(keys) if y >= len(self._keys) or self._keys[y] != key]
        changed += range(len(keys), len(self._keys))  # lines that are blank now
        self._keys, self._strips = keys, strips
        if changed:
            self.refresh(Region(0, changed[0], width, changed[-1] - changed[0] + 1))

    def render(self) -> Text:
        return self.text

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips) and self._strips[y].cell_length == self.size.width:
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    def on_resize(self) -> None:
        self.show(self.text)


class InspectorApp(App):
    """Step through the sweeps of one trace, or through every iteration of a training run."""

    TITLE = "gradviz inspector"
    AUTO_FOCUS = None  # keys go to the bindings; the jump box takes focus only when opened
    ENABLE_COMMAND_PALETTE = False  # its footer entry would push "? help" and "q quit" off
    CSS = """
    #where { height: 3; padding: 0 1; background: $boost; }
    #main { height: 1fr; }
    #graph { width: 2fr; height: 100%; border: round $primary; padding: 0 1; border-title-align: left; }
    #right { width: 3fr; }
    #step { height: 6; border: round $success; padding: 0 1; }
    #table { height: 1fr; border: round $primary; padding: 0 1; }
    #training { height: 18; }
    #loss, #weights, #boundary { border: round $secondary; padding: 0 1; height: 100%; }
    #loss { width: 2fr; } #weights { width: 2fr; } #boundary { width: 2fr; }
    #jump { dock: bottom; display: none; }
    .compact #where { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    .compact #main { layout: vertical; }
    .compact #graph, .compact #right { width: 100%; }
    .compact #graph { height: 1fr; }
    .compact #step { height: 5; }
    .compact #training { height: 1fr; }
    .compact #loss, .compact #weights, .compact #boundary { width: 1fr; }
    .view-graph #right { height: 5; }
    .view-graph #table, .view-tables #graph, .view-graph #training, .view-tables #training,
    .view-training #main { display: none; }
    """
    # The footer shows these in order; on an 80-column terminal the last ones must still fit.
    BINDINGS = [
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
        Binding("right,l,space", "step", "step"),
        Binding("left,h", "back", "back"),
        Binding("tab", "switch_view", "panel", priority=True),
        Binding("f", "finish", "finish"),
        Binding("n", "next_iteration", "next iter"),
        Binding("c", "run", "run"),
        # priority: run by the app as the key arrives, so that the box has the focus before
        # the keys typed after g are handed on (as the box's own keys once it is open)
        Binding("g", "jump", "jump", priority=True),
        Binding("s", "switch_seed", "seed", show=False),
        Binding("b", "toggle_break", "break on op", show=False),
        Binding("e", "export", "export", show=False),
        Binding("v", "switch_layout", "2-D/tree", show=False),
    ]
    #: below this size one panel is shown at a time (tab switches); a training run needs more
    WIDE = (120, 30)
    WIDE_TRAINING = (120, 40)

    #: what the screen shows: position, message, breakpoint stop and count (see state.snapshot)
    snapshot: reactive[tuple] = reactive((), init=False, repaint=False)  # panels repaint themselves

    def __init__(self, state: InspectorState, *, export_dir: str | Path = "."):
        super().__init__()
        self.state = state
        self.export_dir = Path(export_dir)
        self.views = ["graph", "tables"] + (["training"] if state.run.training else [])
        self.view = "graph"  # the panel shown when the terminal is too small for all
        self.compact = False
        self.two_d = False  # the graph panel: a tree (False) or layers by depth (True)
        self._styled_for: tuple | None = None  # the (compact, view) the screen's classes show
        self._drawn: dict[str, tuple] = {}  # per panel: what it was last drawn from
        self._shown_for: tuple = ()  # the state and layout of the last refresh_panels

    def compose(self) -> ComposeResult:
        yield Lines(id="where")
        with Horizontal(id="main"):
            yield Lines(id="graph")
            with Vertical(id="right"):
                yield Lines(id="step")
                yield Lines(id="table")
        if self.state.run.training:
            with Horizontal(id="training"):
                yield Static(id="loss")
                yield Static(id="weights")
                yield Static(id="boundary")
        yield Input(placeholder="jump to node: w7, then Enter (Escape cancels)", id="jump",
                    disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#graph").border_title = "graph"
        self.query_one("#step").border_title = "step"
        self._lay_out(self.size.width, self.size.height)
        if self.state.run.training:
            self.query_one("#loss").border_title = "loss per step"
            self.query_one("#weights").border_title = "weights"
            self.query_one("#boundary").border_title = "decision boundary: p(class 1), samples ●"
        # drawn once the layout has given each panel its size, not first at a guessed size
        self.call_after_refresh(self.refresh_panels)

    def on_resize(self, event) -> None:
        self._lay_out(event.size.width, event.size.height)
        self.call_after_refresh(self.refresh_panels)

    def _lay_out(self, width: int, height: int) -> None:
        """All panels side by side when they fit, else one at a time (``tab`` switches)."""
        wide_width, wide_height = self.WIDE_TRAINING if self.state.run.training else self.WIDE
        self.compact = width < wide_width or height < wide_height
        if self._styled_for == (self.compact, self.view):
            return  # a new style of the whole screen costs a frame's time: only when it changes
        self._styled_for = (self.compact, self.view)
        self.screen.set_class(self.compact, "compact")
        for view in self.views:
            self.screen.set_class(self.compact and view == self.view, f"view-{view}")
        self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "next_iteration":
            return self.state.run.training
        if action == "switch_view":
            return self.compact
        if action == "jump":
            return not self.query_one("#jump", Input).display  # a g typed into the box
        return True

    # --- drawing ---

    def watch_snapshot(self) -> None:
        self.refresh_panels()

    def _inner(self, selector: str, default: tuple[int, int]) -> tuple[int, int]:
        """A panel's usable (width, height) inside its border, or ``default`` before layout."""
        size = self.query_one(selector).content_size
        return (size.width or default[0], size.height or default[1])

    #: the panels each view of a small terminal shows (every panel when all fit)
    SHOWN = {"graph": {"graph", "step"}, "tables": {"step", "table"},
             "training": {"loss", "weights", "boundary"}}

    def _stale(self, panel: str, *key) -> bool:
        """Whether ``panel`` is on the screen and was last drawn from something else than
        ``key``; a key press redraws only the panels whose content it changes."""
        if self.compact and panel not in self.SHOWN[self.view]:
            return False  # drawn when it is shown (tab), at the size it then has
        if self._drawn.get(panel) == key:
            return False
        self._drawn[panel] = key
        return True

    @property
    def up_to_date(self) -> bool:
        """Whether the panels on the screen show the current state at the current layout
        (tests wait for this instead of waiting for some time)."""
        return self._shown_for == (self.state.snapshot(), self._styled_for, tuple(self.size))

    def refresh_panels(self) -> None:
        state, snapshot = self.state, self.state.snapshot()
        self._shown_for = (snapshot, self._styled_for, tuple(self.size))
        # every panel has a fixed size: no update needs a new layout of the screen
        if self._drawn.get("where") != (snapshot, self.compact):
            self._drawn["where"] = (snapshot, self.compact)
            self.query_one("#where", Lines).show(
                views.where_text(state, breakpoints=not self.compact))
        graph = self.query_one("#graph", Lines)
        # Text, not a string: textual would read a loaded trace's name as markup.
        graph.border_title = Text(f"graph · {state.trace.name} · {len(state.trace)} nodes · v: "
                                  + ("tree" if self.two_d else "2-D") + self._tab_hint())
        self.query_one("#table").border_title = "the lecture's tables" + self._tab_hint()
        width, height = self._inner("#graph", (60, 30))
        if self._stale("graph", snapshot, width, height, self.two_d):
            if self.two_d:
                graph.show(layered.layered_view(state, height=height, width=width))
            else:  # the tree's height is its lines, without its header and its last line
                graph.show(views.graph_view(state, height=height - 2, width=width))
        if self._stale("step", snapshot):
            self.query_one("#step", Lines).show(views.step_text(state))
        table_width, table_height = self._inner("#table", (80, 24))
        if self._stale("table", snapshot, table_width, table_height):
            self.query_one("#table", Lines).show(
                views.tables_view(state, height=table_height, width=table_width))
        if state.run.training:
            self.query_one("#loss").border_title = "loss per step" + self._tab_hint()
            self._refresh_training()

    def _refresh_training(self) -> None:
        state = self.state
        loss_size = self._inner("#loss", (60, 16))
        boundary_size = self._inner("#boundary", (48, 16))
        # stepping inside one iteration leaves these panels as they are
        iteration = (state.position.iteration, state.run.known)
        if self._stale("loss", iteration, loss_size):
            self.query_one("#loss", Static).update(
                views.loss_chart(state, width=loss_size[0], height=max(3, loss_size[1] - 2)),
                layout=False)
        if self._stale("weights", iteration):
            self.query_one("#weights", Static).update(views.weights_text(state), layout=False)
        if self._stale("boundary", state.position.iteration, boundary_size):
            self.query_one("#boundary", Static).update(
                views.boundary_view(state, width=boundary_size[0], height=boundary_size[1]),
                layout=False)

    def _moved(self) -> None:
        self.snapshot = self.state.snapshot()

    # --- keys ---

    def action_step(self) -> None:
        self.state.step()
        self._moved()

    def action_back(self) -> None:
        self.state.back()
        self._moved()

    def action_finish(self) -> None:
        self.state.finish_sweep()
        self._moved()

    def action_next_iteration(self) -> None:
        self.state.next_iteration()
        self._moved()

    def action_run(self) -> None:
        self.state.run_to_breakpoint()
        self._moved()

    def action_switch_seed(self) -> None:
        self.state.switch_seed()
        self._moved()

    def action_toggle_break(self) -> None:
        self.state.toggle_operation_breakpoint()
        self._moved()

    def _tab_hint(self) -> str:
        if not self.compact:
            return ""
        following = self.views[(self.views.index(self.view) + 1) % len(self.views)]
        return f" · tab: {following}"

    def action_switch_view(self) -> None:
        self.view = self.views[(self.views.index(self.view) + 1) % len(self.views)]
        self._lay_out(self.size.width, self.size.height)
        self.call_after_refresh(self.refresh_panels)

    def action_switch_layout(self) -> None:
        self.two_d = not self.two_d
        self.refresh_panels()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_jump(self) -> None:
        box = self.query_one("#jump", Input)
        box.display = True
        box.disabled = False
        box.value = ""
        self.screen.set_focus(box)  # now, not later as box.focus() would
        self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._close_jump()
        self.state.jump(event.value)
        self._moved()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.query_one("#jump", Input).display:
            self._close_jump()
            event.stop()

    def _close_jump(self) -> None:
        box = self.query_one("#jump", Input)
        box.display = False
        box.disabled = True
        self.set_focus(None)
        self.refresh_bindings()

    def action_export(self) -> None:
        self.state.message = export_graph(self.state, self.export_dir)
        self._moved()


def export_graph(state: InspectorState, directory: Path) -> str:
    """Draw the current trace with ``gradviz.renderer.render``; returns what to tell the user."""
    try:
        from gradviz.renderer import render
    except ImportError:
        return "export needs the renderer (gradviz.renderer), which this installation does not have"
    # The name may come from a loaded file: only letters, digits, '-' and '_' reach the path.
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", state.trace.name).strip("_")[:60] or "trace"
    suffix = f"-iteration{state.position.iteration + 1}" if state.run.training else ""
    path = directory / f"{name}{suffix}.svg"
    try:
        render(state.trace, path)
    except Exception as exc:  # the renderer's own error is the useful message here
        return f"export failed: {type(exc).__name__}: {exc}"
    return f"exported the graph to {path}"
