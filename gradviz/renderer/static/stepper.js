// gradviz's stepper: replays the steps that gradviz worked out (the JSON beside this script)
// on the inline SVG graph and the lecture's tables. Plain DOM, no library, nothing fetched.
(function () {
  "use strict";

  function each(list, action) { Array.prototype.forEach.call(list, action); }
  var XLINK = "http://www.w3.org/1999/xlink";

  // The SVG elements Graphviz wrote, by the names gradviz gave them.
  function byTitle(svg, kind) {
    var found = {};
    each(svg.querySelectorAll("g." + kind), function (g) {
      var title = g.querySelector("title");
      if (title) { found[title.textContent] = g; }
    });
    return found;
  }

  // A tagged number: Graphviz wraps the cell's text in <g id="a_ID">.
  function cellOf(svg, id) {
    var group = svg.querySelector('[id="a_' + id + '"]');
    if (!group) { return null; }
    var texts = group.querySelectorAll("text");
    var original = [], widths = [];
    each(texts, function (t) { original.push(t.textContent); widths.push(t.getComputedTextLength()); });
    return { group: group, texts: texts, original: original, widths: widths, shown: 1, room: null };
  }

  function showCell(cell, shown) {
    if (cell.shown === shown) { return; }
    cell.shown = shown;
    cell.group.classList.toggle("gv-hidden", shown === null);
    if (typeof shown === "string") { fitText(cell, shown); }
    else {
      each(cell.texts, function (t, k) { t.textContent = cell.original[k]; });
      if (cell.room) { cell.texts[0].setAttribute("x", cell.room.x); hover(cell, null); }
    }
  }

  // Another text in a number's cell (another iteration's value, an adjoint's running sum):
  // the graph was laid out for the cell's own text, so the new one is right-aligned where
  // that one ends, and when it is wider than the room between the row's name and the box's
  // edge it is cut with an ellipsis; the whole text is the hover title.
  function fitText(cell, text) {
    var first = cell.texts[0];
    each(cell.texts, function (t, k) { t.textContent = k === 0 ? text : ""; });
    var room = cell.room || (cell.room = roomOf(cell));
    if (!room) { return; }
    var cut = first.getComputedTextLength() > room.width;
    if (cut) {
      var low = 0, high = text.length;
      while (low < high) {  // the longest start of the text that fits with its "…"
        var middle = Math.ceil((low + high) / 2);
        first.textContent = text.slice(0, middle) + "\u2026";
        if (first.getComputedTextLength() <= room.width) { low = middle; } else { high = middle - 1; }
      }
      first.textContent = text.slice(0, low) + "\u2026";
    }
    first.setAttribute("x", room.right - first.getComputedTextLength());
    hover(cell, cut ? text : null);
  }

  // The cell's hover title (Graphviz's "value of w3"), with the whole text after it when
  // the text is cut.
  function hover(cell, whole) {
    var anchor = cell.group.querySelector("a");
    if (!anchor) { return; }
    if (cell.tooltip === undefined) { cell.tooltip = anchor.getAttributeNS(XLINK, "title") || ""; }
    anchor.setAttributeNS(XLINK, "xlink:title", whole === null ? cell.tooltip : cell.tooltip + ": " + whole);
  }

  // Where a cell's text may go: from just after the row's name (the text left of it on the
  // same line) to where its own text ends. Null where nothing is drawn (a hidden notebook).
  function roomOf(cell) {
    var first = cell.texts[0];
    var x = parseFloat(first.getAttribute("x")), y = parseFloat(first.getAttribute("y"));
    var right = x + cell.widths[0];
    if (!(cell.widths[0] > 0)) { return null; }
    var node = cell.group.parentNode;
    while (node && !(node.classList && node.classList.contains("node"))) { node = node.parentNode; }
    var left = -Infinity;
    each(node ? node.querySelectorAll("text") : [], function (t) {
      var tx = parseFloat(t.getAttribute("x"));
      // (the same line: Graphviz may set a name and its number a pixel apart)
      if (Math.abs(parseFloat(t.getAttribute("y")) - y) < 4 && tx < x && !cell.group.contains(t)) {
        left = Math.max(left, tx + t.getComputedTextLength());
      }
    });
    if (left === -Infinity) { left = x; }
    return { x: String(x), right: right, width: Math.max(right - left - 6, cell.widths[0]) };
  }

  // Common controls: buttons, slider, keys and play, over positions 0 … last.
  function controls(root, last, go) {
    var slider = root.querySelector(".gv-slider");
    var play = root.querySelector('[data-do="play"]');
    var timer = null;
    var at = 0;
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      play.textContent = "\u25B6 play";
    }
    function move(k) {
      at = Math.max(0, Math.min(last, k));
      slider.value = String(at);
      go(at);
      if (at === last) { stop(); }
    }
    var actions = {
      next: function () { stop(); move(at + 1); },
      back: function () { stop(); move(at - 1); },
      restart: function () { stop(); move(0); },
      end: function () { stop(); move(last); },
      play: function () {
        if (timer !== null) { stop(); return; }
        if (at === last) { move(0); }
        play.textContent = "\u23F8 pause";
        timer = setInterval(function () { move(at + 1); }, 800);
      }
    };
    each(root.querySelectorAll(".gv-controls button"), function (button) {
      button.addEventListener("click", function () {
        var action = actions[button.getAttribute("data-do")] || root.gvActions[button.getAttribute("data-do")];
        if (action) { action(); }
      });
    });
    slider.addEventListener("input", function () { stop(); move(parseInt(slider.value, 10)); });
    var keys = { ArrowRight: "next", ArrowLeft: "back", " ": "play", Home: "restart", End: "end", s: "seed" };
    var target = root.getAttribute("data-keys") === "page" ? document : root;
    target.addEventListener("keydown", function (event) {
      var name = keys[event.key];
      var tag = event.target && event.target.tagName;
      if (!name || event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "BUTTON" && event.key === " ") { return; }
      var action = actions[name] || root.gvActions[name];
      if (action) { event.preventDefault(); action(); }
    });
    return { move: move, stop: stop, at: function () { return at; } };
  }

  // The graph and the tables of one trace in the state of a step: its numbers shown, hidden
  // or changed, its rows' states, the current node and the edges used marked. ``finished``
  // gives the text a number shows once its sweep is over (null: the graph's own).
  function sweepView(box, svg, finished) {
    var nodes = byTitle(svg, "node");
    var edges = byTitle(svg, "edge");
    var cells = {};
    var rows = [];
    var marked = [];

    // The tables in the box (again after a training page has put another iteration's in).
    function readTables() {
      rows = [];
      each(box.querySelectorAll(".gv-table"), function (table) {
        var body = [];
        each(table.querySelectorAll("tbody tr"), function (tr) {
          var tds = tr.querySelectorAll("td");
          var original = [];
          each(tds, function (td) { original.push(td.textContent); });
          body.push({ tr: tr, tds: tds, original: original, state: "done" });
        });
        rows.push({ table: table, rows: body });
      });
    }
    readTables();

    function cell(id) {
      if (!(id in cells)) { cells[id] = cellOf(svg, id); }
      return cells[id];
    }

    // The state at step k: the changes of steps 0 … k, replayed from the finished picture.
    function replay(steps, k) {
      var shownCells = {}, shownRows = {};
      for (var i = 0; i <= k; i++) {
        each(steps[i].cells, function (change) { shownCells[change[0]] = change[1]; });
        each(steps[i].rows, function (change) { shownRows[change[0] + ":" + change[1]] = change; });
      }
      return { cells: shownCells, rows: shownRows };
    }

    function showRow(change) {
      var row = rows[change[0]].rows[change[1]];
      row.tr.className = "gv-" + change[2];
      for (var c = 0; c < row.tds.length; c++) {
        var shown = change[3 + c];
        row.tds[c].textContent = shown === 1 ? row.original[c] : shown;
      }
      return row;
    }

    function mark(element, name) {
      if (element) { element.classList.add(name); marked.push([element, name]); }
    }

    // Keep the highlighted row in view inside the tables' own scroll box, not the page's.
    function scrollTo(tr) {
      var tables = box.querySelector(".gv-tables");
      var top = tr.offsetTop - tables.offsetTop;
      if (top < tables.scrollTop || top > tables.scrollTop + tables.clientHeight - tr.offsetHeight) {
        tables.scrollTop = Math.max(0, top - tables.clientHeight / 3);
      }
    }

    function show(steps, k) {
      var step = steps[k];
      var state = replay(steps, k);
      Object.keys(state.cells).forEach(function (id) {
        var found = cell(id), shown = state.cells[id];
        if (shown === 1 && finished && finished(id) !== null) { shown = finished(id); }
        if (found) { showCell(found, shown); }
      });
      var current = null;
      Object.keys(state.rows).forEach(function (key) {
        var change = state.rows[key];
        var row = showRow(change);
        if (change[2] === "current" && change[0] === step.phase) { current = row; }
      });
      each(rows, function (table, t) { table.table.classList.toggle("gv-active", t === step.phase); });
      unmark();
      mark(nodes[step.node], "gv-current");
      if (step.source) { mark(nodes[step.source], "gv-source"); }
      step.edges.forEach(function (edge) { mark(edges[edge[0] + "->" + edge[1]], "gv-used"); });
      if (current) { scrollTo(current.tr); }
      return step;
    }

    function unmark() {
      marked.forEach(function (pair) { pair[0].classList.remove(pair[1]); });
      marked = [];
    }

    return { show: show, unmark: unmark, nodes: nodes, cell: cell, readTables: readTables };
  }

  function stepper(root, data) {
    var svg = root.querySelector(".gv-graph svg");
    var view = sweepView(root, svg, null);
    var nodes = view.nodes;
    var steps = data.steps;
    var where = root.querySelector(".gv-where");
    var text = root.querySelector(".gv-text");
    var count = root.querySelector(".gv-count");
    var seed = root.querySelector('[data-do="seed"]');

    function go(k) {
      var step = view.show(steps, k);
      where.textContent = step.where;
      text.textContent = step.text;
      count.textContent = "step " + (k + 1) + " of " + steps.length;
      seed.disabled = step.seed < 0;
    }

    var moves = null;
    root.gvActions = {
      seed: function () {
        var target = steps[moves.at()].seed;
        if (target >= 0) { moves.stop(); moves.move(target); }
      }
    };
    moves = controls(root, steps.length - 1, go);

    records(root, nodes, function (name) { return data.records[name]; });
    moves.move(0);
  }

  // A click on a node shows its record (``lines`` of the node's name: null, nothing to show)
  // in the page's record box; the box's × closes it. Returns what shows the open record
  // again (a training page's, when another iteration is chosen).
  function records(root, nodes, lines) {
    var record = root.querySelector(".gv-record");
    function show(name) {
      var shown = lines(name);
      if (!shown) { return; }
      record.querySelector("pre").textContent = shown.join("\n");
      record.setAttribute("data-node", name);
      record.hidden = false;
    }
    Object.keys(nodes).forEach(function (name) {
      nodes[name].addEventListener("click", function () {
        show(name);
        // (on a phone the box is below the graph, off the screen: a tap seemed to do nothing)
        var box = record.getBoundingClientRect();
        if (!record.hidden && (box.top < 0 || box.bottom > window.innerHeight)) {
          record.scrollIntoView({ block: "nearest" });
        }
      });
    });
    record.querySelector(".gv-close").addEventListener("click", function () { record.hidden = true; });
    return function () { if (!record.hidden) { show(record.getAttribute("data-node")); } };
  }

  // --- a training run ---

  var NS = "http://www.w3.org/2000/svg";

  function element(name, attributes, parent) {
    var made = document.createElementNS(NS, name);
    Object.keys(attributes).forEach(function (key) { made.setAttribute(key, attributes[key]); });
    if (parent) { parent.appendChild(made); }
    return made;
  }

  function lossCurve(box, data, onPick) {
    var width = 420, height = 170, left = 48, bottom = 24, top = 10;
    var svg = element("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-label": "loss per iteration" }, box);
    var losses = data.iterations.map(function (it) { return it.loss; });
    var finite = losses.filter(function (v) { return v !== null; });
    var low = Math.min(0, Math.min.apply(null, finite.length ? finite : [0]));
    var high = Math.max.apply(null, finite.length ? finite : [1]);
    if (high === low) { high = low + 1; }
    var last = Math.max(1, losses.length - 1);
    function x(i) { return left + (width - left - 10) * i / last; }
    function y(v) { return top + (height - top - bottom) * (1 - (v - low) / (high - low)); }
    element("line", { x1: left, y1: height - bottom, x2: width - 10, y2: height - bottom, stroke: "#444" }, svg);
    element("line", { x1: left, y1: top, x2: left, y2: height - bottom, stroke: "#444" }, svg);
    [[high, y(high)], [low, y(low)]].forEach(function (tick) {
      var label = element("text", { x: left - 4, y: tick[1] + 4, "text-anchor": "end", "font-size": 10 }, svg);
      label.textContent = Number(tick[0].toPrecision(4)).toString();
    });
    var axis = element("text", { x: (width + left) / 2, y: height - 6, "text-anchor": "middle", "font-size": 10 }, svg);
    axis.textContent = "iteration (1 … " + losses.length + ")";
    var points = [];
    losses.forEach(function (v, i) { if (v !== null) { points.push(x(i) + "," + y(v)); } });
    element("polyline", { points: points.join(" "), fill: "none", stroke: "#3b6fb6", "stroke-width": 2 }, svg);
    data.findings.forEach(function (finding) {
      var colour = finding.kind === "breakpoint" ? "#6a1b9a" : "#c62828";
      var tick = element("rect", { x: x(finding.iteration) - 2, y: height - bottom - 8, width: 4, height: 12,
        fill: colour, "class": "gv-finding", "data-iteration": finding.iteration }, svg);
      element("title", {}, tick).textContent = "iteration " + (finding.iteration + 1) + ": " + finding.text;
      tick.addEventListener("click", function () { onPick(finding.iteration); });
    });
    var cursor = element("line", { y1: top, y2: height - bottom, stroke: "#d81b60", "stroke-width": 1.5 }, svg);
    var dot = element("circle", { r: 4, fill: "#d81b60" }, svg);
    return function (i) {
      cursor.setAttribute("x1", x(i)); cursor.setAttribute("x2", x(i));
      var v = losses[i];
      dot.setAttribute("visibility", v === null ? "hidden" : "visible");
      if (v !== null) { dot.setAttribute("cx", x(i)); dot.setAttribute("cy", y(v)); }
    };
  }

  function boundary(box, data) {
    var plot = data.boundary;
    if (!plot) { box.textContent = "no decision boundary: no inputs and predict() were given"; return function () {}; }
    var columns = plot.columns, rowsCount = plot.rows, size = 10;
    var width = columns * size, height = rowsCount * size;
    var svg = element("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-label": "decision boundary over the data" }, box);
    var cellsList = [];
    for (var r = 0; r < rowsCount; r++) {
      for (var c = 0; c < columns; c++) {
        cellsList.push(element("rect", { x: c * size, y: r * size, width: size + 0.5, height: size + 0.5 }, svg));
      }
    }
    plot.samples.forEach(function (sample) {
      element("circle", { cx: sample[0] * width, cy: sample[1] * height, r: 2.2,
        fill: sample[2] ? "#0a1e64" : "#6e0014", stroke: "white", "stroke-width": 0.4 }, svg);
    });
    return function (i) {
      var levels = data.iterations[i].grid;
      for (var k = 0; k < cellsList.length; k++) {
        cellsList[k].setAttribute("fill", plot.palette[parseInt(levels.charAt(k), 16)]);
      }
    };
  }

  // The lecture's tables of one iteration, made from the page's data.
  function fillTables(box, tables) {
    box.textContent = "";
    tables.forEach(function (table, number) {
      var made = document.createElement("table");
      made.className = "gv-table";
      made.setAttribute("data-table", number);
      made.createCaption().textContent = table.title;
      var head = made.createTHead().insertRow();
      var names = ["Operations to compute value"];
      if (table.kind !== "evaluate") { names.push("Operations to compute derivative"); }
      names.forEach(function (name) {
        var th = document.createElement("th");
        th.textContent = name;
        head.appendChild(th);
      });
      var body = made.createTBody();
      table.rows.forEach(function (row, k) {
        var tr = body.insertRow();
        tr.setAttribute("data-row", k);
        tr.insertCell().textContent = row[1];
        tr.insertCell().textContent = row[2];
      });
      box.appendChild(made);
    });
  }

  // A training page's stepper over the sweeps of the iteration shown, where the page holds
  // them: buttons and a slider of its own (the arrow keys move through the iterations).
  function iterationSweeps(root, svg, data) {
    var box = root.querySelector(".gv-sweeps");
    var shownIteration = 0;
    var view = sweepView(box, svg, function (id) {
      var text = data.iterations[shownIteration].cells[id];
      return text === undefined ? null : text;
    });
    var slider = box.querySelector(".gv-step-slider");
    var text = box.querySelector(".gv-text");
    var count = box.querySelector(".gv-step-count");
    var none = box.querySelector(".gv-sweeps-none");
    var parts = box.querySelectorAll(".gv-step-controls, .gv-text, .gv-tables");
    var steps = null, at = 0;
    var stepped = Object.keys(data.sweeps).map(function (k) { return parseInt(k, 10) + 1; });

    function move(k) {
      if (!steps) { return; }
      at = Math.max(0, Math.min(steps.length - 1, k));
      slider.value = String(at);
      var step = view.show(steps, at);
      text.textContent = step.where + "\n" + step.text;
      count.textContent = "step " + (at + 1) + " of " + steps.length;
    }
    var actions = {
      start: function () { move(0); }, back: function () { move(at - 1); },
      next: function () { move(at + 1); }, end: function () { move(steps.length - 1); }
    };
    each(box.querySelectorAll("[data-step]"), function (button) {
      button.addEventListener("click", function () { actions[button.getAttribute("data-step")](); });
    });
    slider.addEventListener("input", function () { move(parseInt(slider.value, 10)); });

    // Iteration i: its tables and its finished sweeps, or why the page has none.
    return function (i) {
      shownIteration = i;
      var finished = data.iterations[i].cells;
      Object.keys(finished).forEach(function (id) {
        var found = view.cell(id);
        if (found) { showCell(found, finished[id]); }
      });
      var sweeps = data.sweeps[String(i)];
      each(parts, function (part) { part.hidden = !sweeps; });
      none.hidden = !!sweeps;
      if (!sweeps) {
        steps = null;
        view.unmark();
        none.textContent = stepped.length ? "the page holds the sweeps of iterations " + stepped.join(", ") +
          " (the first, the last, the marked ones and some between): move there to step through them"
          : "this run's sweeps are too long to step through on a page: step through them in the " +
            "inspector (gradviz train \u2026 --inspect)";
        return;
      }
      steps = sweeps.steps;
      fillTables(box.querySelector(".gv-tables"), sweeps.tables);
      view.readTables();
      slider.max = String(steps.length - 1);
      move(steps.length - 1);
    };
  }

  function training(root, data) {
    var svg = root.querySelector(".gv-graph svg");
    var showSweeps = iterationSweeps(root, svg, data);
    var where = root.querySelector(".gv-where");
    var count = root.querySelector(".gv-count");
    var weights = root.querySelector(".gv-weights");
    var list = root.querySelector(".gv-findings");
    var moves = null;
    root.gvActions = {};
    var drawLoss = lossCurve(root.querySelector(".gv-loss"), data, function (i) { moves.stop(); moves.move(i); });
    var drawBoundary = boundary(root.querySelector(".gv-boundary"), data);
    data.findings.forEach(function (finding) {
      var item = document.createElement("li");
      item.className = finding.kind === "breakpoint" ? "gv-break" : "gv-nan";
      item.textContent = "iteration " + (finding.iteration + 1) + ": " + finding.text;
      list.appendChild(item);
    });
    function go(i) {
      var it = data.iterations[i];
      showSweeps(i);  // the iteration's graph numbers, in the state of its last step
      // counted from 1, as the inspector and gradviz train count them
      where.textContent = "iteration " + (i + 1) + " of " + data.iterations.length + " · loss " + it.loss_text;
      count.textContent = "iteration " + (i + 1);
      weights.textContent = it.weights.map(function (w) {
        return w[0] + " = " + w[1] + "\n  \u2202/\u2202" + w[0] + " = " + w[2];
      }).join("\n");
      drawLoss(i);
      drawBoundary(i);
    }
    var refresh = records(root, byTitle(svg, "node"), function (name) {
      return iterationRecord(data, moves.at(), name);
    });
    moves = controls(root, data.iterations.length - 1, function (i) { go(i); refresh(); });
    moves.move(0);
  }

  // A node's record in iteration i: the page's template with the numbers the graph shows in
  // that iteration (see record_template), and its shape there.
  function iterationRecord(data, i, name) {
    var template = data.records[name];
    if (!template) { return null; }
    var it = data.iterations[i], shape = it.shapes[name] || data.iterations[0].shapes[name];
    var lines = ["iteration " + (i + 1) + " of " + data.iterations.length];
    template.forEach(function (line, k) {
      if (typeof line === "string") { lines.push(line); }
      else { lines.push(line[0] + (line[1] && it.cells[line[1]] !== undefined ? it.cells[line[1]] : "?") + line[2]); }
      if (k === 1 && shape) { lines.push(shape); }
    });
    return lines;
  }

  // A graph drawn smaller than its own size (a big trace, a phone) gets a button that shows
  // it at its own size, to read its numbers, and back.
  function zoom(root) {
    var graph = root.querySelector(".gv-graph"), button = graph.querySelector(".gv-zoom");
    var svg = graph.querySelector("svg");
    var own = svg.width.baseVal.value;  // (Graphviz's width, in CSS pixels)
    function offer() {  // (again when the window changes size: a phone turned, a window narrowed)
      if (!graph.classList.contains("gv-zoomed")) {
        button.hidden = !(svg.getBoundingClientRect().width < own * 0.95);
      }
    }
    offer();
    window.addEventListener("resize", offer);
    button.addEventListener("click", function () {
      var zoomed = graph.classList.toggle("gv-zoomed");
      button.textContent = zoomed ? "fit to the page" : "actual size";
    });
  }

  each(document.querySelectorAll(".gv-stepper:not(.gv-ready)"), function (root) {
    var data = JSON.parse(root.querySelector(".gv-data").textContent);
    zoom(root);
    if (data.kind === "training") { training(root, data); } else { stepper(root, data); }
    root.classList.add("gv-ready");
  });
})();
