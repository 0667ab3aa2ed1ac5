// The Explorer's stage (ui/stage.py): one timeline t, owned by the browser, and every view of "now".
// The run reaches the browser once per setting change (a header line of JSON, a newline, then the run's JSON);
// Step, Step x10, Back, Reset, Play/Pause, the speeds and the scrubber move t and redraw here, with no server
// round trip. When stepping rests (0.25 s without a change, or on Pause) t is reported to the server, which
// shows the inspector for it; the link's `t` is kept up to date with history.replaceState (no new history entry).

const COORD = ["#0047b3", "#d35400"];
const PATH = "#e8000b", GRAD = "#111111", MOMENT = "#0047b3", UPDATE = "#e8000b";
const CLIP = "#ff7f0e"; // a step whose gradient was clipped (viz/sequences.py's CLIP_COLOUR)
const MODEL = "#c51b7d", MODEL_AXES = "#7a0177"; // the Theory overlay (viz/theory.py's colours)
const RATES = { "0.25": 5, "1": 20, "4": 80 }; // steps per second at each speed
const REST_MS = 250;
const ML = 64, MR = 18, MT = 10, MB = 30; // the map's margins (ticks and axis titles)
// The stage's words, in English until the first data arrives: the server sends them, in the session's language,
// in the data's header (ui/stage.py's words(); none is written here but these placeholders).
const WORDS = {
  step: "Step", step_help: "One update from where the run stands.", step10: "Step ×10", step10_help: "Ten updates.",
  back: "Back", back_help: "Undo one update.", reset: "Reset", reset_help: "Back to the start (step 0).",
  play: "Play", pause: "Pause", play_help: "Play the run from here; press again to pause.", speed: "Play speed {speed}",
  readout_step: "Step", readout_loss: "Loss", scrubber: "Step t", click_map: "Click to start the run here",
  over_run: "Over the run:", hint: "", hint_theory: "", hint_plain: "", hint_theory_plain: "", lmin: "", lmax: "", kappa: "", path: "θ",
  clipped_one: "{n} / {last}", clipped_other: "{n} / {last}",
};

function f64(b64) {
  if (!b64) return null;
  const s = atob(b64), n = s.length, u = new Uint8Array(n);
  for (let i = 0; i < n; i++) u[i] = s.charCodeAt(i);
  return new Float64Array(u.buffer);
}

export function fmt(v) {
  if (v === null || v === undefined || !isFinite(v)) return "—";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return v.toPrecision(4).replace("-", "−");
  const [m, e] = v.toExponential(2).split("e");
  return `${m.replace("-", "−")}e${e.replace("+", "").replace("-", "−")}`;
}

function niceTicks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(n, 1), p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * p).find((s) => s >= raw) || 10 * p;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function tickText(v) {
  const a = Math.abs(v);
  if (v === 0) return "0";
  if (a >= 1e-3 && a < 1e5) return String(+v.toPrecision(3)).replace("-", "−");
  return fmt(v);
}

function logTicks(lo, hi) {
  const a = Math.ceil(Math.log10(lo) - 1e-9), b = Math.floor(Math.log10(hi) + 1e-9);
  const out = [];
  const stride = Math.max(1, Math.ceil((b - a + 1) / 4));
  for (let d = a; d <= b; d += stride) out.push(Math.pow(10, d));
  if (out.length < 2) return [lo, hi];
  return out;
}

function supText(v) { // 10^d as text
  const d = Math.round(Math.log10(v));
  const sup = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  if (Math.abs(Math.log10(v) - d) > 1e-6) return fmt(v);
  if (d >= -2 && d <= 3) return String(+v.toPrecision(3));
  return "10" + String(d).split("").map((c) => sup[c]).join("");
}

function el(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// Two canvases per chart: "still" (drawn once per size) under "live" (cleared and redrawn at every step).
function canvasFor(box, w, h, layer) {
  let c = box.querySelector("canvas." + layer);
  if (!c) c = el("canvas", layer, box);
  const r = window.devicePixelRatio || 1;
  c.width = Math.round(w * r); c.height = Math.round(h * r);
  c.style.width = w + "px"; c.style.height = h + "px";
  const ctx = c.getContext("2d");
  ctx.setTransform(r, 0, 0, r, 0, 0);
  return ctx;
}

function label(box, cls, text, x, y, ax, ay) { // a text at (x, y), anchored by fractions (ax, ay) of its size
  const s = el("span", cls, box, text);
  s.style.left = x + "px"; s.style.top = y + "px";
  s.style.transform = `translate(${-100 * ax}%, ${-100 * ay}%)`;
  return s;
}

// -- a small line chart with a cursor: the loss, or one state quantity (x blue, y orange) -----------------
class LineChart {
  constructor(box, series, opts) {
    this.box = box; this.series = series; this.opts = opts;
  }
  layout(w, h, steps) {
    const o = this.opts, box = this.box;
    box.querySelectorAll("span").forEach((s) => s.remove());
    box.style.width = w + "px"; box.style.height = h + "px";
    const top = o.title ? 24 : 6, left = 66, right = 10, bottom = 30;
    const pw = Math.max(40, w - left - right), ph = Math.max(30, h - top - bottom);
    this.rect = { x: left, y: top, w: pw, h: ph };
    this.steps = Math.max(steps, 1);
    if (o.title) label(box, "title", o.title, 0, 2, 0, 0);
    let lo = Infinity, hi = -Infinity;
    for (const s of this.series) for (const v of s) if (isFinite(v) && (!o.log || v > 0)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!isFinite(lo)) { lo = o.log ? 0.1 : -1; hi = o.log ? 10 : 1; }
    if (hi - lo <= 1e-12 * Math.max(Math.abs(lo), Math.abs(hi), 1e-300)) {
      const half = lo ? Math.abs(lo) * 0.5 : 1;
      if (o.log) { lo /= 2; hi *= 2; } else { lo -= half; hi += half; }
    }
    if (!o.log) { const pad = 0.06 * (hi - lo); lo -= pad; hi += pad; }
    this.lo = lo; this.hi = hi;
    const yt = o.log ? logTicks(lo, hi) : niceTicks(lo, hi, 3);
    for (const v of yt) label(box, "tick", o.log ? supText(v) : tickText(v), left - 6, this.y(v), 1, 0.5);
    for (const v of niceTicks(0, steps, w < 320 ? 3 : 4)) if (v === Math.round(v)) label(box, "tick", String(v), this.x(v), top + ph + 6, 0.5, 0);
    this.yt = yt;
    // the still part, drawn once per size; a step redraws it from this bitmap plus the cursor
    const ctx = canvasFor(box, w, h, "still");
    this.ctx = canvasFor(box, w, h, "live");
    this.w = w; this.h = h;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#e3e7ee"; ctx.lineWidth = 1;
    for (const v of yt) { const y = Math.round(this.y(v)) + 0.5; ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke(); }
    ctx.strokeStyle = "#5f6b7a"; ctx.strokeRect(left + 0.5, top + 0.5, pw, ph);
    ctx.save(); ctx.beginPath(); ctx.rect(left, top, pw, ph); ctx.clip();
    this.series.forEach((s, j) => {
      ctx.strokeStyle = o.colors[j]; ctx.lineWidth = 2.2; ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.length; i++) {
        const v = s[i];
        if (!isFinite(v) || (o.log && v <= 0)) { pen = false; continue; }
        const x = this.x(i), y = this.y(v);
        if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        pen = true;
      }
      ctx.stroke();
    });
    ctx.restore();
  }
  x(i) { return this.rect.x + (i / this.steps) * this.rect.w; }
  y(v) {
    const { lo, hi } = this, o = this.opts;
    const f = o.log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
    return this.rect.y + (1 - f) * this.rect.h;
  }
  draw(t) {
    if (!this.ctx) return;
    const ctx = this.ctx, r = this.rect;
    ctx.clearRect(0, 0, this.w, this.h);
    const x = Math.round(this.x(t)) + 0.5;
    ctx.strokeStyle = "#5f6b7a"; ctx.lineWidth = 1.5; ctx.setLineDash([4, 4]);
    ctx.beginPath(); ctx.moveTo(x, r.y); ctx.lineTo(x, r.y + r.h); ctx.stroke(); ctx.setLineDash([]);
    this.series.forEach((s, j) => {
      const v = s[t];
      if (!isFinite(v) || (this.opts.log && v <= 0)) return;
      ctx.fillStyle = this.opts.colors[j]; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(this.x(t), Math.min(Math.max(this.y(v), r.y), r.y + r.h), 5.5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    });
  }
}

// -- the stage ------------------------------------------------------------------------------------------
class Stage {
  constructor(root) {
    this.root = root;
    const lab = this.lab = el("div", "lab", root);
    const bar = el("div", "bar", lab);
    this.W = { ...WORDS };
    const btn = (act) => { const b = el("button", "", bar); b.dataset.act = act; return b; };
    this.bStep = btn("step");
    this.bStep10 = btn("step10");
    this.bBack = btn("back");
    this.bReset = btn("reset");
    this.bPlay = btn("play");
    this.bPlay.classList.add("play");
    const speeds = el("span", "speeds", bar);
    this.speedButtons = [["0.25", "¼×"], ["1", "1×"], ["4", "4×"]].map(([v, text]) => {
      const b = el("button", v === "1" ? "on" : "", speeds, text);
      b.dataset.speed = v;
      return b;
    });
    this.speed = "1";
    const ro = el("span", "readout", bar);
    this.stepWord = el("span", "", ro);
    this.stepv = el("b", "stepv", ro, "0"); this.stepv.dataset.testid = "lab-step";
    this.of = el("span", "of", ro, " / 0");
    const rl = el("span", "readout", bar);
    this.lossWord = el("span", "", rl);
    this.lossv = el("b", "lossv", rl, "—");
    const srow = el("div", "scrubrow", lab);
    this.scrub = el("input", "", srow);
    this.scrub.type = "range"; this.scrub.min = "0"; this.scrub.step = "1"; this.scrub.value = "0";
    this.scrub.dataset.testid = "lab-scrubber";
    this.main = el("div", "main", lab);
    this.mapBox = el("div", "chart map", this.main);
    this.side = el("div", "side", this.main);
    this.note = el("div", "note", this.side);
    this.numbers = el("div", "numbers", this.side); this.numbers.dataset.testid = "lab-numbers";
    this.lossBox = el("div", "chart", this.side); this.lossBox.dataset.testid = "lab-loss";
    this.seqNote = el("div", "seqnote", lab); this.seqNote.dataset.testid = "lab-sequences";
    this.panels = el("div", "panels", lab);
    this.chooser = el("div", "chooser", this.panels);
    this.rowCharts = el("div", "rowcharts", this.panels);

    bar.addEventListener("click", (e) => {
      const b = e.target.closest("button");
      if (!b || !this.run) return;
      const t0 = performance.now();
      if (b.dataset.speed) { this.setSpeed(b.dataset.speed); return; }
      const act = b.dataset.act;
      if (act === "play") { this.playing ? this.pause() : this.play(); return; }
      this.pause(false);
      const t = { step: this.t + 1, step10: this.t + 10, back: this.t - 1, reset: 0 }[act];
      this.go(t);
      this.lastPressMs = performance.now() - t0;
    });
    this.scrub.addEventListener("input", () => { this.pause(false); this.go(+this.scrub.value); });
    this.t = 0; this.playing = false; this.chosen = null;
    this.resize = () => this.layout();
    window.addEventListener("resize", this.resize);
    this.observer = new ResizeObserver(() => { if (this.lab.clientWidth !== this.width) this.layout(); });
    this.observer.observe(this.lab);
    // what is above the stage can change height after it is laid out (the heading's maths, a notice): the map
    // keeps to the window's height from where the stage now starts
    this.poll = setInterval(() => {
      if (!this.lab.isConnected) { clearInterval(this.poll); return; }
      if (this.run && Math.abs(this.pageTop() - this.top) > 2) this.layout();
    }, 400);
  }

  setWords(words) { // the words of the controls, in the session's language (the header's `words`)
    const W = this.W = { ...WORDS, ...(words || {}) };
    const label = (b, text, help) => { b.textContent = text; b.title = help; };
    label(this.bStep, W.step, W.step_help);
    label(this.bStep10, W.step10, W.step10_help);
    label(this.bBack, W.back, W.back_help);
    label(this.bReset, W.reset, W.reset_help);
    label(this.bPlay, this.playing ? W.pause : W.play, W.play_help);
    this.speedButtons.forEach((b) => { b.title = W.speed.replace("{speed}", b.textContent); });
    this.stepWord.textContent = W.readout_step + " ";
    this.lossWord.textContent = W.readout_loss + " ";
    this.scrub.setAttribute("aria-label", W.scrubber);
  }

  pageTop() {
    let top = this.main.getBoundingClientRect().top;
    for (let n = this.lab; n; n = n.parentNode || n.host) if (n.scrollTop) top += n.scrollTop;
    return top + (window.scrollY || 0);
  }

  load(head, body) {
    const d = JSON.parse(body);
    const pts = f64(d.points);
    const rows = d.rows.map((r) => {
      const v = f64(r.values), cols = [];
      for (let j = 0; j < r.coords; j++) cols.push(Float64Array.from({ length: d.steps + 1 }, (_, i) => v[i * r.coords + j]));
      return { ...r, cols };
    });
    const A = d.arrows;
    this.run = {
      ...d, pts, rows, losses: f64(d.losses), lossPlot: f64(d.loss.values),
      anchor: f64(A.anchor), g: f64(A.g), m: f64(A.m), u: f64(A.u),
    };
    const T = d.theory; // the local quadratic model at every θ_t (viz.explorer.theory_data), or null
    this.run.theory = T ? {
      lmin: f64(T.lmin), lmax: f64(T.lmax), kappa: f64(T.kappa), kind: f64(T.kind), axes: f64(T.axes), asym: f64(T.asym),
    } : null;
    // the other sequences (Schedule-Free's x and z, Lookahead's slow and fast weights) and the clipped steps
    this.run.paths = (d.paths || []).map((q) => ({ ...q, pts: f64(q.points) }));
    this.run.clipped = f64(d.clipped);
    this.buildSeqNote();
    this.token = head.token;
    this.scrub.max = String(d.last);
    this.of.textContent = ` / ${d.last}`;
    this.headNote = head.note || ""; this.stopText = d.stop || ""; this.moved = false;
    this.buildNumbers();
    const keys = rows.map((r) => r.key);
    if (!this.chosen || !this.chosen.every((k) => keys.includes(k))) this.chosen = keys.slice(0, Math.min(2, keys.length));
    this.buildChooser();
    this.image = new Image();
    this.imageReady = new Promise((ok) => { this.image.onload = ok; this.image.onerror = ok; });
    this.image.src = d.image;
    this.t = Math.max(0, Math.min(head.t0 | 0, d.last));
    // the server set t itself; only the element's first run reports it back, once painted (that run of the
    // server adds what waits for the first paint: the inspector's LaTeX)
    const first = this.reportedToken === undefined;
    this.reported = this.t;
    this.reportedToken = this.token;
    this.layout();
    this.imageReady.then(() => {
      this.layoutMap(); this.draw();
      // when the map is on screen (just after the paint of the frame that drew it): benchmarks read this
      if (!(window.__painted && window.__painted.map)) requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { (window.__painted = window.__painted || {}).map = performance.now(); };
        ch.port2.postMessage(0);
      });
      if (first) requestAnimationFrame(() => setTimeout(() => { this.reported = null; this.report(); }, 0));
    });
  }

  buildNumbers() {
    const R = this.run;
    const tb = el("table");
    const head = el("tr", "", tb);
    el("th", "", head, "t = 0");
    const two = R.rows.some((r) => r.coords === 2);
    el("th", "", head, two ? "x" : "");
    if (two) el("th", "", head, "y");
    this.tHead = head.firstChild;
    this.cells = [];
    const swatch = { g: GRAD, update: UPDATE };
    if (R.arrows.m_key) swatch[R.arrows.m_key] = MOMENT;
    for (const r of R.rows) {
      const tr = el("tr", "", tb);
      const s = el("td", "sym", tr);
      if (swatch[r.key]) { const i = el("i", "", s); i.style.background = swatch[r.key]; }
      s.append(r.symbol);
      tr.title = r.meaning ? `${r.symbol}: ${r.meaning}` : r.symbol;
      const cs = [];
      for (let j = 0; j < (two ? 2 : 1); j++) {
        const td = el("td", "num", tr);
        if (j < r.coords) cs.push(td);
      }
      this.cells.push([r, cs]);
    }
    const lt = el("tr", "sum", tb);
    el("td", "sym", lt, "f(θ)");
    this.lossCell = el("td", "num", lt);
    if (two) el("td", "num", lt);
    const pt = el("tr", "", tb);
    el("td", "sym", pt, "θ");
    this.thetaCells = [el("td", "num", pt), el("td", "num", pt)];
    this.theoryCells = [];
    if (R.theory) {
      const rows = [["λmin", "lmin", this.W.lmin], ["λmax", "lmax", this.W.lmax], ["κ", "kappa", this.W.kappa]];
      rows.forEach(([sym, k, meaning], i) => {
        const tr = el("tr", i === 0 ? "sum" : "", tb);
        tr.title = `${sym}: ${meaning}`;
        const s = el("td", "sym", tr);
        const sw = el("i", "", s); sw.style.background = MODEL;
        s.append(sym);
        this.theoryCells.push([k, el("td", "num", tr)]);
        if (two) el("td", "num", tr);
      });
    }
    this.numbers.replaceChildren(tb);
  }

  buildChooser() {
    const R = this.run;
    this.chooser.replaceChildren();
    el("span", "", this.chooser, this.W.over_run);
    for (const r of R.rows) {
      const b = el("button", this.chosen.includes(r.key) ? "on" : "", this.chooser, r.symbol);
      b.title = r.meaning ? `${r.symbol}: ${r.meaning}` : r.symbol;
      b.addEventListener("click", () => {
        const i = this.chosen.indexOf(r.key);
        if (i >= 0) { if (this.chosen.length > 1) this.chosen.splice(i, 1); }
        else { this.chosen.push(r.key); if (this.chosen.length > 3) this.chosen.shift(); }
        this.buildChooser(); this.layoutPanels(); this.draw();
      });
    }
    const leg = el("span", "legend", this.chooser);
    leg.innerHTML = `<span style="color:${COORD[0]}">━ x</span><span style="color:${COORD[1]}">━ y</span>`;
  }

  // -- sizes: the map as large as the window allows, the side column beside it (or under it when narrow) --
  layout() {
    if (!this.run) return;
    const W = this.lab.clientWidth;
    if (!W) return;
    this.width = W;
    const [[x0, x1], [y0, y1]] = this.run.bounds;
    const aspect = (y1 - y0) / (x1 - x0);
    const top = this.top = this.pageTop();
    // the keys of the map's other sequences (Schedule-Free's z and x, Lookahead's θ̃ and φ, the clipped steps) are
    // the map's legend: they stay in the window under it (the caption after them may scroll)
    const keys = this.seqNote.style.display === "none" ? null : this.seqNote.querySelector(".keys");
    const keysH = keys ? keys.getBoundingClientRect().height + 4 : 0;
    const avail = Math.max(300, window.innerHeight - top - 14 - keysH);
    const side = Math.min(440, Math.max(300, Math.round(W * 0.34)));
    const fitH = (avail - MT - MB) / aspect;
    // beside the side column when the map gets 360 px there, else the side column goes under the map; on a
    // short window (125 % zoom of a projector's 720 px) the map keeps 360 px and the page scrolls
    const besideW = W - side - 16 - ML - MR, fullW = W - ML - MR;
    this.stacked = besideW < 360 && fullW > besideW + 40;
    const widthCap = this.stacked ? fullW : besideW;
    let pw = Math.min(widthCap, Math.max(fitH, Math.min(380, widthCap)));
    pw = Math.max(200, Math.min(pw, 1100));
    this.plot = { x: ML, y: MT, w: pw, h: pw * aspect };
    this.main.classList.toggle("stacked", this.stacked);
    this.layoutMap();
    const sideW = this.stacked ? W : Math.max(side, W - (pw + ML + MR) - 16);
    this.side.style.width = sideW + "px";
    const mapH = this.plot.h + MT + MB;
    // the side column keeps to the map's height: with many rows (a regimen's γₜ, g̃, c, s, θ′; RAdam; Theory's
    // λ and κ) the numbers panel packs its rows (still 15 px text) and the loss curve gives up height to 120 px
    const sideH = () => this.numbers.getBoundingClientRect().height + this.note.getBoundingClientRect().height + 10;
    this.numbers.classList.remove("dense");
    let numH = sideH();
    if (!this.stacked && mapH - numH - 10 < 170) { this.numbers.classList.add("dense"); numH = sideH(); }
    const lossH = this.stacked ? 220 : Math.max(120, mapH - numH - 10);
    this.lossChart = new LineChart(this.lossBox, [this.run.lossPlot], { title: this.run.loss.label, log: this.run.loss.log, colors: ["#222222"] });
    this.lossChart.layout(sideW, lossH, this.run.steps);
    this.layoutPanels();
    this.draw();
  }

  layoutPanels() {
    const W = this.width, k = this.chosen.length, gap = 16;
    const w = Math.floor((W - gap * (k - 1)) / k);
    this.rowCharts.replaceChildren();
    this.panelCharts = this.chosen.map((key) => {
      const r = this.run.rows.find((q) => q.key === key);
      const box = el("div", "chart", this.rowCharts);
      const c = new LineChart(box, r.cols, { title: r.meaning ? `${r.symbol}: ${r.meaning}` : r.symbol, colors: COORD });
      c.layout(w, 190, this.run.steps);
      return c;
    });
  }

  layoutMap() {
    const R = this.run, p = this.plot, box = this.mapBox;
    const w = p.w + ML + MR, h = p.h + MT + MB;
    box.style.width = w + "px"; box.style.height = h + "px";
    box.querySelectorAll("span, .plot").forEach((s) => s.remove());
    const [[x0, x1], [y0, y1]] = R.bounds;
    this.sx = (x) => p.x + ((x - x0) / (x1 - x0)) * p.w;
    this.sy = (y) => p.y + (1 - (y - y0) / (y1 - y0)) * p.h;
    for (const v of niceTicks(x0, x1, p.w < 400 ? 4 : 6)) label(box, "tick", tickText(v), this.sx(v), p.y + p.h + 6, 0.5, 0);
    for (const v of niceTicks(y0, y1, p.h < 400 ? 4 : 6)) label(box, "tick", tickText(v), p.x - 7, this.sy(v), 1, 0.5);
    label(box, "title", "x", p.x + p.w + 5, p.y + p.h + 6, 0, 0);
    label(box, "title", "y", 10, p.y + p.h / 2, 0.5, 0.5);
    const plot = el("div", "plot", box);
    plot.dataset.testid = "lab-map";
    Object.assign(plot.style, { left: p.x + "px", top: p.y + "px", width: p.w + "px", height: p.h + "px" });
    plot.title = this.W.click_map;
    plot.addEventListener("click", (e) => {
      const r = plot.getBoundingClientRect();
      const x = x0 + ((e.clientX - r.left) / r.width) * (x1 - x0);
      const y = y1 - ((e.clientY - r.top) / r.height) * (y1 - y0);
      this.pause(false);
      this.setTriggerValue && this.setTriggerValue("start", [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000]);
    });
    const ctx = canvasFor(box, w, h, "still");
    this.mapCtx = canvasFor(box, w, h, "live");
    this.mapSize = [w, h];
    ctx.clearRect(0, 0, w, h);
    if (this.image && this.image.complete && this.image.naturalWidth) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.image, p.x, p.y, p.w, p.h);
    } else {
      ctx.fillStyle = "#eef1f5"; ctx.fillRect(p.x, p.y, p.w, p.h);
    }
    ctx.strokeStyle = "#444444"; ctx.lineWidth = 1; ctx.strokeRect(p.x - 0.5, p.y - 0.5, p.w + 1, p.h + 1);
    ctx.strokeStyle = "#444444";
    for (const v of niceTicks(x0, x1, p.w < 400 ? 4 : 6)) { const x = Math.round(this.sx(v)) + 0.5; ctx.beginPath(); ctx.moveTo(x, p.y + p.h); ctx.lineTo(x, p.y + p.h + 5); ctx.stroke(); }
    for (const v of niceTicks(y0, y1, p.h < 400 ? 4 : 6)) { const y = Math.round(this.sy(v)) + 0.5; ctx.beginPath(); ctx.moveTo(p.x - 5, y); ctx.lineTo(p.x, y); ctx.stroke(); }
    const many = R.minima.length > 12;
    for (const [mx, my] of R.minima) star(ctx, this.sx(mx), this.sy(my), many ? 5 : 10);
    for (const [sx, sy] of R.saddles) cross(ctx, this.sx(sx), this.sy(sy), 8);
  }

  // -- one step: the map's moving parts, the cursors, the numbers, the readouts ------------------------------
  draw() {
    const R = this.run;
    if (!R || !this.mapCtx) return;
    const t = this.t, ctx = this.mapCtx, p = this.plot;
    ctx.clearRect(0, 0, this.mapSize[0], this.mapSize[1]);
    ctx.save(); ctx.beginPath(); ctx.rect(p.x, p.y, p.w, p.h); ctx.clip();
    ctx.strokeStyle = PATH; ctx.lineWidth = 2.5; ctx.lineJoin = "round"; ctx.beginPath();
    let pen = false;
    for (let i = 0; i <= t; i++) {
      const x = R.pts[2 * i], y = R.pts[2 * i + 1];
      if (!isFinite(x) || !isFinite(y)) { pen = false; continue; }
      if (pen) ctx.lineTo(this.sx(x), this.sy(y)); else ctx.moveTo(this.sx(x), this.sy(y));
      pen = true;
    }
    ctx.stroke();
    this.drawSequences(ctx, t);
    if (R.theory) this.drawModel(ctx, t);
    const ax = R.anchor[2 * t], ay = R.anchor[2 * t + 1];
    arrow(ctx, this, ax, ay, R.g, t, GRAD, 3);
    if (R.m) arrow(ctx, this, ax, ay, R.m, t, MOMENT, 3);
    arrow(ctx, this, ax, ay, R.u, t, UPDATE, 4);
    ctx.restore();
    const cx = R.pts[2 * t], cy = R.pts[2 * t + 1];
    if (isFinite(cx) && isFinite(cy)) {
      ctx.fillStyle = PATH; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 2.5;
      ctx.beginPath(); ctx.arc(this.sx(cx), this.sy(cy), 8, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
    if (this.lossChart) this.lossChart.draw(t);
    for (const c of this.panelCharts || []) c.draw(t);
    // the numbers panel and the readouts
    this.stepv.textContent = String(t);
    this.tHead.textContent = `t = ${t}`;
    this.lossv.textContent = fmt(R.losses[t]);
    for (const [r, cs] of this.cells) cs.forEach((td, j) => { td.textContent = fmt(r.cols[j][t]); });
    this.lossCell.textContent = fmt(R.losses[t]);
    this.thetaCells[0].textContent = fmt(cx); this.thetaCells[1].textContent = fmt(cy);
    for (const [k, td] of this.theoryCells) { const v = R.theory[k][t]; td.textContent = v === Infinity ? "∞" : fmt(v); }
    this.scrub.value = String(t);
    this.bBack.disabled = this.bReset.disabled = t <= 0;
    this.bStep.disabled = this.bStep10.disabled = t >= R.last;
    const said = !this.moved && this.headNote ? this.headNote : t >= R.last && this.stopText ? this.stopText : "";
    this.note.textContent = said || this.hint();
    this.note.title = this.note.textContent;
    this.note.classList.toggle("warn", !!said);
  }

  // the local quadratic model at θ_t: its eigenvector axes (semi-axes from the server), the ellipse at a minimum
  // or maximum, the asymptotes at a saddle; drawn here only, all shapes computed in NumPy
  drawModel(ctx, t) {
    const M = this.run.theory, px = this.run.pts[2 * t], py = this.run.pts[2 * t + 1];
    const kind = M.kind[t], a = M.axes.subarray(4 * t, 4 * t + 4);
    if (!isFinite(px) || !isFinite(py) || !a.every(isFinite)) return; // no model here (a flat point: axes only)
    const X = (u, v) => this.sx(px + u), Y = (u, v) => this.sy(py + v);
    ctx.save();
    ctx.lineWidth = 2.5; ctx.strokeStyle = MODEL;
    if (kind === 1 || kind === 2) {
      ctx.beginPath();
      for (let i = 0; i <= 72; i++) {
        const s = (2 * Math.PI * i) / 72, c = Math.cos(s), n = Math.sin(s);
        const u = c * a[0] + n * a[2], v = c * a[1] + n * a[3];
        if (i) ctx.lineTo(X(u, v), Y(u, v)); else ctx.moveTo(X(u, v), Y(u, v));
      }
      ctx.stroke();
    } else if (kind === 3) {
      const d = M.asym.subarray(4 * t, 4 * t + 4);
      ctx.beginPath();
      for (const j of [0, 2]) { ctx.moveTo(X(-d[j], -d[j + 1]), Y(-d[j], -d[j + 1])); ctx.lineTo(X(d[j], d[j + 1]), Y(d[j], d[j + 1])); }
      ctx.stroke();
    }
    ctx.strokeStyle = MODEL_AXES; ctx.lineWidth = 2; ctx.setLineDash([6, 4]);
    ctx.beginPath();
    for (const j of [0, 2]) { ctx.moveTo(X(-a[j], -a[j + 1]), Y(-a[j], -a[j + 1])); ctx.lineTo(X(a[j], a[j + 1]), Y(a[j], a[j + 1])); }
    ctx.stroke();
    ctx.restore();
  }

  // under the map: each other sequence's colour and name, the caption saying which is "the" iterate, and how
  // many steps clipped the gradient (its markers: orange diamonds at θₜ₋₁, where the clipped gradient was taken)
  buildSeqNote() {
    const R = this.run, box = this.seqNote;
    box.replaceChildren();
    const n = R.clipped ? R.clipped.slice(1, R.last + 1).filter((v) => v > 0).length : 0;
    if (!R.paths.length && !R.clipped) { box.style.display = "none"; return; }
    box.style.display = "";
    const keys = el("div", "keys", box);
    if (R.paths.length) keys.append(Object.assign(document.createElement("span"), { innerHTML: `<b style="color:${PATH}">━</b> ${this.W.path}` }));
    for (const q of R.paths) keys.append(Object.assign(document.createElement("span"), { innerHTML: `<b style="color:${q.colour}">┅</b> ${q.label}` }));
    if (R.clipped) {
      const c = el("span", "clips", keys);
      c.dataset.testid = "lab-clipped";
      const words = (n === 1 ? this.W.clipped_one : this.W.clipped_other).replace("{n}", n).replace("{last}", R.last);
      c.innerHTML = `<b style="color:${CLIP}">◆</b> ${words}`;
    }
    if (R.caption) el("div", "caption", box, R.caption);
  }

  drawSequences(ctx, t) {
    const R = this.run;
    for (const q of R.paths) {
      ctx.strokeStyle = q.colour; ctx.lineWidth = 2; ctx.setLineDash([6, 4]); ctx.beginPath();
      let pen = false;
      for (let i = 0; i <= t; i++) {
        const x = q.pts[2 * i], y = q.pts[2 * i + 1];
        if (!isFinite(x) || !isFinite(y)) { pen = false; continue; }
        if (pen) ctx.lineTo(this.sx(x), this.sy(y)); else ctx.moveTo(this.sx(x), this.sy(y));
        pen = true;
      }
      ctx.stroke(); ctx.setLineDash([]);
      const x = q.pts[2 * t], y = q.pts[2 * t + 1];
      if (isFinite(x) && isFinite(y)) {
        ctx.fillStyle = q.colour; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 2;
        ctx.beginPath(); ctx.arc(this.sx(x), this.sy(y), 6, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      }
    }
    if (!R.clipped) return;
    ctx.fillStyle = CLIP; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1.2;
    for (let i = 1; i <= t; i++) {
      if (!(R.clipped[i] > 0)) continue;
      const x = this.sx(R.pts[2 * (i - 1)]), y = this.sy(R.pts[2 * (i - 1) + 1]), r = 5;
      if (!isFinite(x) || !isFinite(y)) continue;
      ctx.beginPath(); ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
      ctx.fill(); ctx.stroke();
    }
  }

  hint() {
    // the blue arrow is named only when the optimizer keeps a moment (SGD, Adagrad, ... have none)
    const moment = this.run && this.run.arrows && this.run.arrows.m_key;
    if (this.run && this.run.theory) return moment ? this.W.hint_theory : this.W.hint_theory_plain;
    return moment ? this.W.hint : this.W.hint_plain;
  }

  go(t) {
    const R = this.run;
    this.moved = true;
    this.t = Math.max(0, Math.min(Math.round(t), R.last));
    this.draw();
    this.restSoon();
  }

  restSoon() {
    clearTimeout(this.restTimer);
    if (!this.playing) this.restTimer = setTimeout(() => this.report(), REST_MS);
  }

  report() { // stepping rests: the server shows the inspector for t; the link carries t
    if (!this.run || this.playing) return;
    try {
      const u = new URL(window.location.href);
      if (u.searchParams.get("t") !== String(this.t)) {
        u.searchParams.set("t", String(this.t));
        window.history.replaceState(window.history.state, "", u);
      }
    } catch (e) { /* a sandboxed page may refuse: the timeline works without it */ }
    if (this.reported === this.t && this.reportedToken === this.token) return;
    this.reported = this.t; this.reportedToken = this.token;
    this.setStateValue && this.setStateValue("t", { t: this.t, token: this.token });
  }

  setSpeed(v) {
    this.speed = v;
    this.speedButtons.forEach((b) => b.classList.toggle("on", b.dataset.speed === v));
  }

  play() {
    const R = this.run;
    if (this.t >= R.last) this.t = 0; // Play at the end plays the run again
    this.moved = true;
    this.playing = true; this.bPlay.textContent = this.W.pause; this.bPlay.classList.add("on");
    clearTimeout(this.restTimer);
    let last = performance.now(), acc = 0;
    const tick = (now) => {
      if (!this.playing) return;
      if (!this.lab.isConnected) { this.playing = false; return; }
      acc += ((now - last) / 1000) * RATES[this.speed]; last = now;
      const k = Math.floor(acc);
      if (k > 0) {
        acc -= k;
        this.t = Math.min(this.t + k, R.last);
        this.draw();
        if (this.t >= R.last) { this.pause(); return; }
      }
      this.frame = requestAnimationFrame(tick);
    };
    this.draw();
    this.frame = requestAnimationFrame(tick);
  }

  pause(report = true) {
    if (!this.playing) return;
    this.playing = false; cancelAnimationFrame(this.frame);
    this.bPlay.textContent = this.W.play; this.bPlay.classList.remove("on");
    if (report) this.report(); else this.restSoon();
  }
}

function arrow(ctx, S, ax, ay, vecs, t, color, width) {
  if (!vecs) return;
  const vx = vecs[2 * t], vy = vecs[2 * t + 1];
  if (![ax, ay, vx, vy].every(isFinite) || (vx === 0 && vy === 0)) return;
  const x0 = S.sx(ax), y0 = S.sy(ay), x1 = S.sx(ax + vx), y1 = S.sy(ay + vy);
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (len < 0.5) return;
  const ux = (x1 - x0) / len, uy = (y1 - y0) / len, head = Math.min(14, 0.6 * len + 4);
  ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = width; ctx.lineCap = "round";
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1 - ux * head * 0.6, y1 - uy * head * 0.6); ctx.stroke();
  ctx.beginPath(); ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * head - uy * head * 0.45, y1 - uy * head + ux * head * 0.45);
  ctx.lineTo(x1 - ux * head + uy * head * 0.45, y1 - uy * head - ux * head * 0.45);
  ctx.closePath(); ctx.fill();
}

function star(ctx, x, y, r) {
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5, rr = i % 2 ? r * 0.45 : r;
    ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath(); ctx.fillStyle = "#ffffff"; ctx.fill(); ctx.strokeStyle = "#1b1b1b"; ctx.lineWidth = 1.5; ctx.stroke();
}

function cross(ctx, x, y, r) {
  ctx.strokeStyle = "#ff7f0e"; ctx.lineWidth = 3.5; ctx.lineCap = "round";
  ctx.beginPath(); ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r); ctx.stroke();
}

export default function ({ parentElement, data, setStateValue, setTriggerValue }) {
  let S = parentElement.__labStage;
  if (!S || !S.lab.isConnected) {
    S = parentElement.__labStage = new Stage(parentElement);
  }
  S.setStateValue = setStateValue; S.setTriggerValue = setTriggerValue;
  if (!data) return;
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer || data);
  const nl = bytes.indexOf(10);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl)));
  const words = JSON.stringify(head.words || {});
  if (words !== S.wordsSent) { // the words of the session's language; a switch keeps the run and its t
    const relang = S.wordsSent !== undefined && S.run && head.token === S.token;
    S.wordsSent = words; S.setWords(head.words);
    if (relang) {
      const t = S.t;
      S.pause(false);
      S.load({ ...head, t0: t }, new TextDecoder().decode(bytes.subarray(nl + 1))); // the run's texts too
      return;
    }
  }
  if (head.token !== S.token) {
    S.pause(false);
    S.load(head, new TextDecoder().decode(bytes.subarray(nl + 1)));
  } else if (S.reported === S.t) {
    S.report(); // the same run again (the inspector's run, a sidebar change): keep t, and keep the link's t
  }
}
