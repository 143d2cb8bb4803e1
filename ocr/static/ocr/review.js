/* The review screen: keyboard-first correction of a page's lines beside its image.
 * Plain JavaScript, no build step. Without it the screen is a plain form that still saves.
 * Unsaved edits are kept in localStorage until saved, so leaving the page loses nothing. */
(function () {
  "use strict";
  const form = document.getElementById("rv");
  if (!form) return;
  document.body.classList.add("rv-ready");
  const $ = (id) => document.getElementById(id);
  // Django's JavaScript catalog (jsi18n) when loaded: the screen speaks the admin's language.
  const _ = window.gettext || ((text) => text);
  const fmt = (text, ...args) => (window.interpolate ? window.interpolate(text, args)
    : text.replace(/%s/g, () => args.shift()));
  const data = form.dataset;
  const csrf = form.elements.csrfmiddlewaretoken.value;
  const pageW = +data.w, pageH = +data.h, displayW = +data.dw;
  const view = $("rv-view"), canvas = $("rv-canvas"), img = $("rv-img"), svg = $("rv-svg");
  const list = $("rv-lines"), msg = $("rv-msg"), help = $("rv-help"), pop = $("rv-pop");
  const draftKey = "rv-draft-" + data.page;
  const lineUrl = (id) => data.line.replace(/0\/$/, id + "/");
  let active = null, scale = 1, fullLoaded = false, busy = false;

  const field = (id) => $("t" + id);
  const box = (id) => $("b" + id);
  const row = (id) => $("l" + id);
  const token = (id) => form.elements["v" + id];
  const versionOf = (id) => parseInt(token(id).value, 10);
  const idOf = (el) => el && el.closest("[data-id]") && el.closest("[data-id]").dataset.id;
  const fields = () => Array.from(list.querySelectorAll("li:not(.hide) > input:not([type=hidden])"));
  const lineRows = () => Array.from(list.querySelectorAll("li[data-id]:not(.rv-new)"));
  const pendingRows = () => Array.from(list.querySelectorAll("li.rv-new"));
  const dirtyFields = () => Array.from(list.querySelectorAll("li:not(.gone) input[name^=t]"))
    .filter((f) => f.value !== f.defaultValue);
  // Kept in the browser until saved: lines that are gone too (their text must not vanish).
  const unsavedFields = () => Array.from(list.querySelectorAll("li input[name^=t]"))
    .filter((f) => f.value !== f.defaultValue);
  let orphans = {}; // drafts of lines no longer on this page, kept until the corrector lets go

  function say(text, ok) { msg.textContent = text; msg.className = ok ? "ok" : ""; }

  async function send(url, body, json) {
    const headers = { "X-CSRFToken": csrf, Accept: "application/json" };
    if (json) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method: "POST", headers, credentials: "same-origin",
      body: json ? JSON.stringify(body) : new URLSearchParams(body),
    });
    if (!(response.headers.get("Content-Type") || "").includes("json")) {
      // Redirected to the login page: the session ended. Nothing was saved; edits stay here.
      const error = response.status === 403 ? _("you are not allowed to do that.")
        : _("your session has ended: log in again in another tab, then save here.");
      return { ok: false, status: response.status, data: { error } };
    }
    const payload = await response.json();
    return { ok: response.ok, status: response.status, data: payload };
  }

  // --- dirty lines, drafts ---------------------------------------------------------------
  function mark(f) {
    const id = idOf(f), dirty = f.value !== f.defaultValue;
    row(id).classList.toggle("dirty", dirty);
    if (box(id)) box(id).classList.toggle("dirty", dirty);
    const count = dirtyFields().length;
    $("rv-dirty").hidden = !count;
    $("rv-dirty").textContent = fmt(_("%s unsaved"), count);
    storeDrafts();
  }
  function storeDrafts() {
    const drafts = Object.assign({}, orphans);
    for (const f of unsavedFields()) drafts[idOf(f)] = { text: f.value, token: token(idOf(f)).value };
    try {
      if (Object.keys(drafts).length) localStorage.setItem(draftKey, JSON.stringify(drafts));
      else localStorage.removeItem(draftKey);
    } catch (e) { /* storage full or disabled: the beforeunload question still guards */ }
  }
  function restoreDrafts() {
    let drafts = {};
    try { drafts = JSON.parse(localStorage.getItem(draftKey) || "{}"); } catch (e) { return; }
    let restored = 0;
    for (const [id, draft] of Object.entries(drafts)) {
      const f = field(id);
      if (!f) { orphans[id] = draft; continue; }
      if (f.value === draft.text) continue;
      f.value = draft.text;
      token(id).value = draft.token; // the version it was typed on: a stale one conflicts on save
      mark(f);
      restored++;
    }
    if (restored) say(fmt(_("%s unsaved edit(s) from your last visit restored: Ctrl+S saves them."), restored));
    if (Object.keys(orphans).length) showOrphans();
  }
  function showOrphans() {
    // Edits typed on lines that have gone since (recognized again, restored, joined): shown
    // so that they can be copied where they belong; kept until the corrector lets them go.
    msg.replaceChildren(fmt(_("%s unsaved edit(s) from your last visit belong to lines that no longer exist; copy what you need:"),
      Object.keys(orphans).length));
    const texts = document.createElement("ul");
    for (const draft of Object.values(orphans)) {
      const item = document.createElement("li");
      item.textContent = draft.text;
      texts.append(item);
    }
    const forget = button(_("Forget them"), () => { orphans = {}; storeDrafts(); say(""); });
    msg.append(texts, forget);
    msg.className = "";
  }

  // --- saving -----------------------------------------------------------------------------
  function applySaved(line) {
    const f = field(line.id);
    if (!f) return;
    const typedSince = f.value !== f.defaultValue && f.value !== line.text;
    f.defaultValue = line.text;
    if (!typedSince) f.value = line.text;
    token(line.id).value = line.token;
    row(line.id).classList.toggle("corr", line.corrected);
    if (line.low !== undefined) { // a corrected line no longer needs attention
      row(line.id).classList.toggle("low", line.low);
      if (box(line.id)) box(line.id).classList.toggle("low", line.low);
    }
    const old = row(line.id).querySelector(".rv-conflict");
    if (old) old.remove();
    mark(f);
  }
  function showConflict(c) {
    const li = row(c.id);
    if (!li) return;
    let note = li.querySelector(".rv-conflict");
    if (note) note.remove();
    note = document.createElement("div");
    note.className = "rv-conflict";
    note.append(fmt(_("Changed meanwhile by %s:"), c.by || _("someone")) + " ");
    const q = document.createElement("q");
    q.textContent = c.text;
    note.append(q, " " + _("Yours is in the field."));
    const keep = document.createElement("button"), take = document.createElement("button");
    keep.type = take.type = "button";
    keep.textContent = _("Keep mine");
    take.textContent = _("Take theirs");
    keep.onclick = () => { token(c.id).value = c.token; note.remove(); mark(field(c.id)); say(_("Yours will be saved over theirs with the next save.")); };
    take.onclick = () => { applySaved({ id: c.id, text: c.text, token: c.token, corrected: li.classList.contains("corr") }); field(c.id).value = c.text; mark(field(c.id)); };
    note.append(keep, take);
    li.append(note);
  }
  function updateCounts(counts) {
    if (!counts) return;
    $("rv-n").textContent = counts.lines;
    $("rv-low").textContent = counts.low;
    $("rv-corr").textContent = counts.corrected;
  }

  async function save() {
    // One save at a time: a second Ctrl+S (or Alt+N) while one is on its way waits for none.
    if (busy) return false;
    const dirty = dirtyFields();
    const pending = pendingRows().filter((li) => li.querySelector("input").value.trim());
    if (!dirty.length && !pending.length) return true;
    if (dirty.length && data.edit !== "1") { say(_("You may not edit lines.")); return false; }
    busy = true;
    try {
      const edited = dirty.length ? await saveEdits(dirty) : true;
      return (await savePending(pending)) && edited;
    } finally {
      busy = false;
    }
  }

  async function saveEdits(dirty) {
    say(_("Saving…"));
    const lines = dirty.map((f) => ({ id: +idOf(f), text: f.value, version: versionOf(idOf(f)) }));
    let result;
    try { result = await send(data.save, { lines }, true); } catch (e) {
      say(_("Not saved: the server did not answer. Your edits are kept here; try again."));
      return false;
    }
    const body = result.data;
    (body.saved || []).forEach(applySaved);
    (body.conflicts || []).forEach(showConflict);
    (body.gone || []).forEach((id) => {
      row(id).classList.add("gone");
      field(id).readOnly = true;
    });
    updateCounts(body.counts);
    if (result.ok) { say(fmt(_("%s line(s) saved."), (body.saved || []).length), true); return true; }
    if (body.conflicts && body.conflicts.length) {
      say(fmt(_("%s line(s) were changed by someone else meanwhile: their text is shown under yours. Keep mine or take theirs, then save."), body.conflicts.length));
    } else if (body.gone && body.gone.length) {
      say(fmt(_("%s line(s) no longer exist (deleted, or the page was recognized again). Copy what you need, then reload."), body.gone.length));
    } else {
      say(fmt(_("Not saved: %s"), body.error || result.status));
    }
    storeDrafts();
    return false;
  }

  async function go(url) {
    if (!url) return;
    if (await save()) { leaving = true; location.href = url; }
  }
  let leaving = false;
  const unsavedNew = () => pendingRows().some((li) => li.querySelector("input").value.trim());
  window.addEventListener("beforeunload", (e) => {
    if (!leaving && (dirtyFields().length || unsavedNew())) { e.preventDefault(); e.returnValue = ""; }
  });
  function reloadAt(id) {
    leaving = true;
    window.history.replaceState(null, "", location.pathname + location.search + "#t" + id);
    location.reload();
  }

  async function markReviewed() {
    if (!$("rv-reviewed")) {
      say($("rv-status").classList.contains("rv-done") ? _("The page is already reviewed.")
        : _("This page cannot be marked reviewed (no permission, or no finished recognition)."));
      return;
    }
    if (!(await save())) return;
    const result = await send(data.reviewed, { reviewed: "1" });
    if (!result.ok) { say(fmt(_("Not marked: %s"), result.data.error || result.status)); return; }
    showReviewed(true);
    say(_("Page marked reviewed."), true);
  }
  function showReviewed(reviewed) {
    $("rv-status").textContent = reviewed ? _("Reviewed") : _("Recognized");
    $("rv-status").classList.toggle("rv-done", reviewed);
    $("rv-reviewed").hidden = reviewed;
    $("rv-unreview").hidden = !reviewed;
  }
  async function unmarkReviewed() {
    const result = await send(data.reviewed, { reviewed: "0" });
    if (!result.ok) { say(fmt(_("Not changed: %s"), result.data.error || result.status)); return; }
    showReviewed(false);
    say(_("Review mark taken back."), true);
  }

  // --- focus and highlight, both ways -------------------------------------------------------
  function activate(id, fromBox) {
    if (active && active !== id) {
      row(active) && row(active).classList.remove("on");
      box(active) && box(active).classList.remove("on");
    }
    active = id;
    if (!row(id)) return;
    row(id).classList.add("on");
    if (!fromBox) row(id).scrollIntoView({ block: "nearest" });
    if (box(id)) { box(id).classList.add("on"); readable(id); revealBox(id); }
  }
  function readable(id) {
    // A line drawn smaller than this on screen cannot be read against its text: zoom in.
    const b = box(id).getBBox(), s = canvas.clientWidth / pageW, short = Math.min(b.width, b.height);
    if (short * s < 9 && short > 0) zoom((16 / short));
  }
  function revealBox(id) {
    // Centre the box when it fits the view; a longer line shows its start (left, or top
    // for a vertical column), where reading begins.
    const b = box(id).getBBox(), s = canvas.clientWidth / pageW, margin = 16;
    const left = canvas.offsetLeft + b.x * s, top = canvas.offsetTop + b.y * s;
    const right = left + b.width * s, bottom = top + b.height * s;
    if (right - left > view.clientWidth - 2 * margin) view.scrollLeft = left - margin;
    else if (left < view.scrollLeft || right > view.scrollLeft + view.clientWidth)
      view.scrollLeft = (left + right - view.clientWidth) / 2;
    if (bottom - top > view.clientHeight - 2 * margin) view.scrollTop = top - margin;
    else if (top < view.scrollTop || bottom > view.scrollTop + view.clientHeight)
      view.scrollTop = (top + bottom - view.clientHeight) / 2;
  }
  function hover(id, on) {
    if (row(id)) row(id).classList.toggle("hover", on);
    if (box(id)) box(id).classList.toggle("hover", on);
  }
  list.addEventListener("focusin", (e) => { if (e.target.id && e.target.id[0] === "t") activate(idOf(e.target)); });
  list.addEventListener("input", (e) => { if (e.target.name && e.target.name[0] === "t") mark(e.target); });
  list.addEventListener("mouseover", (e) => { const id = idOf(e.target); if (id) hover(id, true); });
  list.addEventListener("mouseout", (e) => { const id = idOf(e.target); if (id) hover(id, false); });
  svg.addEventListener("mouseover", (e) => { const id = idOf(e.target); if (id) hover(id, true); });
  svg.addEventListener("mouseout", (e) => { const id = idOf(e.target); if (id) hover(id, false); });
  svg.addEventListener("click", (e) => {
    const id = idOf(e.target);
    if (!id || panned || drawing) return;
    activate(id, true);
    focusEnd(field(id), { preventScroll: true });
    row(id).scrollIntoView({ block: "nearest" });
  });

  function focusEnd(f, options) {
    f.focus(options);
    f.setSelectionRange(f.value.length, f.value.length);
  }
  function move(step) {
    const all = fields(), at = all.indexOf(document.activeElement);
    const next = all[Math.min(all.length - 1, Math.max(0, at + step))];
    if (next) focusEnd(next);
  }

  // --- only low confidence ---------------------------------------------------------------
  function onlyLow(on) {
    $("rv-only-low").checked = on;
    for (const li of list.querySelectorAll("li[data-id]")) {
      const hide = on && !li.classList.contains("low");
      li.classList.toggle("hide", hide);
      if (box(li.dataset.id)) box(li.dataset.id).classList.toggle("hide", hide);
    }
  }
  $("rv-only-low").addEventListener("change", (e) => onlyLow(e.target.checked));
  function toggleLow() {
    onlyLow(!$("rv-only-low").checked);
    const shown = fields();
    if (!shown.length) { say(fmt(_("No line is under %s: Alt+L shows them all again."), data.low)); return; }
    if (active && row(active) && !row(active).classList.contains("hide")) { focusEnd(field(active)); return; }
    focusNear(active && row(active));
  }
  function focusNear(li) {
    // The next shown line after li, else the one before it, else the first.
    let next = li && li.nextElementSibling;
    while (next && (next.classList.contains("hide") || !next.dataset.id)) next = next.nextElementSibling;
    let prev = li && li.previousElementSibling;
    while (prev && (prev.classList.contains("hide") || !prev.dataset.id)) prev = prev.previousElementSibling;
    const target = next || prev || list.querySelector("li[data-id]:not(.hide)");
    if (target) focusEnd(target.querySelector("input:not([type=hidden])"));
  }

  // --- zoom and pan --------------------------------------------------------------------------
  function zoom(next) {
    const cx = (view.scrollLeft + view.clientWidth / 2 - canvas.offsetLeft) / (pageW * scale);
    const cy = (view.scrollTop + view.clientHeight / 2 - canvas.offsetTop) / (pageH * scale);
    scale = Math.min(8 * displayW / pageW, Math.max(0.05, next));
    canvas.style.width = pageW * scale + "px";
    canvas.style.height = pageH * scale + "px";
    if (!fullLoaded && img.dataset.full && pageW * scale * (window.devicePixelRatio || 1) > displayW * 1.15) {
      fullLoaded = true; // past the display size: the full scan, on demand
      const full = new Image();
      full.onload = () => { img.src = full.src; };
      full.src = img.dataset.full;
    }
    view.scrollLeft = canvas.offsetLeft + cx * pageW * scale - view.clientWidth / 2;
    view.scrollTop = canvas.offsetTop + cy * pageH * scale - view.clientHeight / 2;
  }
  const fit = () => zoom((view.clientWidth - 4) / pageW);
  $("rv-zoom-in").onclick = () => zoom(scale * 1.25);
  $("rv-zoom-out").onclick = () => zoom(scale / 1.25);
  $("rv-zoom-fit").onclick = fit;
  view.addEventListener("wheel", (e) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    zoom(scale * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
  }, { passive: false });

  let pan = null, panned = false, drawing = false, draw = null;
  function pagePoint(e) {
    const r = canvas.getBoundingClientRect(), s = r.width / pageW;
    return [Math.round((e.clientX - r.left) / s), Math.round((e.clientY - r.top) / s)];
  }
  view.addEventListener("mousedown", (e) => {
    if (e.button !== 0) return;
    panned = false;
    if (drawing) {
      const [x, y] = pagePoint(e);
      const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      rect.setAttribute("class", "rv-rect");
      svg.append(rect);
      draw = { x, y, rect };
      e.preventDefault();
      return;
    }
    pan = { x: e.clientX, y: e.clientY, left: view.scrollLeft, top: view.scrollTop };
    view.classList.add("rv-panning");
  });
  window.addEventListener("mousemove", (e) => {
    if (draw) {
      const [x, y] = pagePoint(e);
      draw.x1 = x; draw.y1 = y;
      draw.rect.setAttribute("x", Math.min(draw.x, x));
      draw.rect.setAttribute("y", Math.min(draw.y, y));
      draw.rect.setAttribute("width", Math.abs(x - draw.x));
      draw.rect.setAttribute("height", Math.abs(y - draw.y));
    } else if (pan) {
      const dx = e.clientX - pan.x, dy = e.clientY - pan.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) panned = true;
      view.scrollLeft = pan.left - dx;
      view.scrollTop = pan.top - dy;
    }
  });
  window.addEventListener("mouseup", () => {
    if (draw) { const d = draw; draw = null; d.rect.remove(); setDrawing(false); addLine(d); }
    pan = null;
    view.classList.remove("rv-panning");
  });
  function setDrawing(on) {
    drawing = on && !!$("rv-draw");
    view.classList.toggle("rv-drawing", drawing);
    if (drawing) say(_("Draw the missed line's box on the image (Esc cancels)."), true);
  }
  if ($("rv-draw")) $("rv-draw").onclick = () => setDrawing(!drawing);

  // --- adding, history, revert, delete -----------------------------------------------------
  let pendingCount = 0;
  function addLine(d) {
    // A drawn box becomes a new line on the screen; it is saved with its text (an empty one never is).
    if (d.x1 === undefined || Math.abs(d.x1 - d.x) < 4 || Math.abs(d.y1 - d.y) < 4) return;
    const key = "new" + ++pendingCount;
    const b = { x0: Math.min(d.x, d.x1), y0: Math.min(d.y, d.y1), x1: Math.max(d.x, d.x1), y1: Math.max(d.y, d.y1) };
    const li = document.createElement("li"), label = document.createElement("label");
    const input = document.createElement("input");
    li.id = "l" + key; li.dataset.id = key; li.className = "rv-new";
    li.dataset.box = JSON.stringify(b);
    label.htmlFor = input.id = "t" + key; label.textContent = "+";
    input.autocomplete = "off"; input.spellcheck = false;
    input.setAttribute("aria-label", _("New line: type its text"));
    li.append(label, input);
    const anchor = active && row(active);
    list.insertBefore(li, anchor ? anchor.nextSibling : null);
    const poly = document.createElementNS("http://www.w3.org/2000/svg", "polygon");
    poly.id = "b" + key; poly.dataset.id = key; poly.setAttribute("class", "dirty");
    poly.setAttribute("points", [[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1], [b.x0, b.y1]].map((p) => p.join(",")).join(" "));
    svg.append(poly);
    focusEnd(input);
    say(_("New line: type its text, then save (Ctrl+S). Left empty, it is not kept."), true);
  }
  function dropPending(li) {
    const key = li.dataset.id;
    if (box(key)) box(key).remove();
    focusNear(li);
    li.remove();
  }
  async function savePending(pending) {
    let ok = true;
    for (const li of pending) {
      const key = li.dataset.id, input = li.querySelector("input");
      let result;
      try {
        result = await send(data.add, Object.assign(JSON.parse(li.dataset.box), { text: input.value }), true);
      } catch (e) {
        say(_("Not saved: the server did not answer. Your edits are kept here; try again."));
        return false;
      }
      if (!result.ok) { say(fmt(_("Line not added: %s"), result.data.error || result.status)); ok = false; continue; }
      const line = result.data.line, id = String(line.id);
      for (const other of lineRows()) {
        const l = other.querySelector("label");
        if (+l.textContent >= line.order) l.textContent = +l.textContent + 1;
      }
      const version = document.createElement("input"), link = document.createElement("a");
      version.type = "hidden"; version.name = "v" + id; version.value = line.token;
      link.href = lineUrl(id); link.className = "rv-h"; link.textContent = "+";
      li.classList.remove("rv-new"); li.classList.add("corr");
      li.id = "l" + id; li.dataset.id = id; delete li.dataset.box;
      input.id = "t" + id; input.name = "t" + id; input.defaultValue = line.text; input.value = line.text;
      input.removeAttribute("aria-label");
      const label = li.querySelector("label");
      label.htmlFor = input.id; label.textContent = line.order;
      li.append(version, link);
      const after = line.after_id ? row(line.after_id) : null;
      const focused = document.activeElement === input;
      list.insertBefore(li, after ? after.nextSibling : list.firstChild);
      if (focused) focusEnd(input); // moving the row took the focus away
      const poly = box(key);
      if (poly) { poly.id = "b" + id; poly.dataset.id = id; poly.setAttribute("class", ""); }
      if (active === key) active = id;
      updateCounts(result.data.counts);
    }
    if (ok && pending.length) say(fmt(_("%s new line(s) saved, read in their place on the page."), pending.length), true);
    return ok;
  }

  // --- moving, splitting, joining ----------------------------------------------------------
  async function moveBy(id, step) {
    if (!id || !row(id) || row(id).classList.contains("rv-new")) return;
    if (data.edit !== "1") { say(_("You may not move lines.")); return; }
    if ($("rv-only-low").checked) { say(_("Show all lines (Alt+L) to move or join lines.")); return; }
    const all = lineRows(), at = all.indexOf(row(id)), to = at + step;
    if (to < 0) { say(_("This is already the first line.")); return; }
    if (to >= all.length) { say(_("This is already the last line.")); return; }
    const rest = all.filter((li) => li !== row(id));
    await moveAfter(id, to === 0 ? 0 : +rest[to - 1].dataset.id, rest[to] || null);
  }
  async function moveAfter(id, after, beforeRow) {
    const result = await send(lineUrl(id), { action: "move", version: versionOf(id), after });
    if (refused(result, _("Not moved: %s"))) return;
    const labels = lineRows().map((li) => li.querySelector("label").textContent);
    list.insertBefore(row(id), beforeRow);
    lineRows().forEach((li, i) => { li.querySelector("label").textContent = labels[i]; });
    applySaved(result.data.line);
    focusEnd(field(id));
    row(id).scrollIntoView({ block: "nearest" });
    say(fmt(_("Line moved: now line %s. Exports read it there."), result.data.line.order), true);
  }
  // Drag by the handle, drop on another item: the dragged one goes just before it.
  function sortable(container, itemSelector, onDrop) {
    let dragged = null;
    const clear = () => { for (const other of container.querySelectorAll(".rv-drop")) other.classList.remove("rv-drop"); };
    container.addEventListener("dragstart", (e) => {
      if (!e.target.classList || !e.target.classList.contains("rv-grip")) return;
      dragged = e.target.closest(itemSelector);
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", dragged ? dragged.id || "item" : "");
    });
    container.addEventListener("dragover", (e) => {
      const target = e.target.closest && e.target.closest(itemSelector);
      if (!dragged || !target) return;
      e.preventDefault();
      clear();
      target.classList.add("rv-drop");
    });
    container.addEventListener("dragend", () => { dragged = null; clear(); });
    container.addEventListener("drop", (e) => {
      const target = e.target.closest && e.target.closest(itemSelector);
      const moving = dragged;
      dragged = null;
      clear();
      if (!moving || !target || target === moving) return;
      e.preventDefault();
      const rest = Array.from(container.querySelectorAll(itemSelector)).filter((item) => item !== moving);
      const at = rest.indexOf(target);
      onDrop(moving, at === 0 ? null : rest[at - 1], target);
    });
  }
  sortable(list, "li[data-id]:not(.rv-new)", (moving, previous, target) => {
    if ($("rv-only-low").checked) { say(_("Show all lines (Alt+L) to move or join lines.")); return; }
    moveAfter(moving.dataset.id, previous ? +previous.dataset.id : 0, target);
  });
  async function splitHere(id) {
    if (!id || !row(id) || row(id).classList.contains("rv-new")) return;
    // The server counts characters, not UTF-16 units (a rare character may take two).
    const f = field(id), at = Array.from(f.value.slice(0, f.selectionStart)).length;
    if (!at || at >= Array.from(f.value).length) { say(_("Put the cursor where the line should be cut, then Alt+Enter.")); return; }
    if (!(await save())) return;
    const result = await send(lineUrl(id), { action: "split", version: versionOf(id), at });
    if (refused(result, _("Not split: %s"))) return;
    reloadAt(result.data.lines[1].id);
  }
  async function joinNext(id) {
    if (!id || !row(id) || row(id).classList.contains("rv-new")) return;
    if ($("rv-only-low").checked) { say(_("Show all lines (Alt+L) to move or join lines.")); return; }
    const all = lineRows(), next = all[all.indexOf(row(id)) + 1];
    if (!next) { say(_("There is no next line to join onto this one.")); return; }
    if (!(await save())) return;
    const result = await send(lineUrl(id), {
      action: "merge", version: versionOf(id), with: next.dataset.id, with_version: versionOf(next.dataset.id),
    });
    if (refused(result, _("Not joined: %s"))) return;
    reloadAt(result.data.line.id);
  }

  async function history(id) {
    if (!id) return;
    const response = await fetch(lineUrl(id), { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) { say(fmt(_("No history: %s"), response.status)); return; }
    const body = await response.json();
    pop.replaceChildren();
    const h = document.createElement("h2");
    h.textContent = fmt(_("Line %s"), body.line ? body.line.order : "");
    const close = button("×", () => { pop.hidden = true; if (field(id)) field(id).focus(); });
    close.style.float = "right";
    pop.append(close, h);
    if (body.line) {
      const engine = document.createElement("p");
      engine.textContent = fmt(_("Engine read: %s"), body.line.engine_text || _("(nothing: added by hand)"));
      const actions = document.createElement("div");
      actions.className = "rv-pop-actions";
      if (body.can_edit) {
        actions.append(button(_("Revert to engine text"), () => lineAction(id, "revert")));
      }
      if (body.can_delete) actions.append(button(_("Delete line"), () => lineAction(id, "delete")));
      pop.append(engine, actions);
    }
    const table = document.createElement("table");
    const head = table.insertRow();
    for (const name of [_("when"), _("who"), _("what"), _("before"), _("after")]) {
      const th = document.createElement("th");
      th.textContent = name;
      head.append(th);
    }
    for (const r of body.history) {
      const tr = table.insertRow();
      for (const v of [r.at.slice(0, 16).replace("T", " "), r.by, r.action, r.before, r.after]) tr.insertCell().textContent = v;
    }
    if (!body.history.length) table.insertRow().insertCell().textContent = _("No change yet.");
    pop.append(table);
    pop.hidden = false;
  }
  function refused(result, failure) {
    // A conflict shows the other's text at the line; any other refusal says why.
    if (result.data.conflict) {
      showConflict(Object.assign(result.data.conflict, { mine: "" }));
      say(_("Changed meanwhile: look again."));
      return true;
    }
    if (!result.ok) { say(fmt(failure, result.data.error || result.status)); return true; }
    return false;
  }
  function button(text, onclick) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.onclick = onclick;
    return b;
  }
  async function lineAction(id, action) {
    if (action === "delete" && !confirm(_("Delete this line? It stays in the history."))) return;
    const result = await send(lineUrl(id), { action, version: versionOf(id) });
    pop.hidden = true;
    if (refused(result, _("Not done: %s"))) return;
    if (action === "delete") {
      focusNear(row(id));
      row(id).remove(); if (box(id)) box(id).remove();
      say(_("Line deleted (kept in the history)."), true);
      storeDrafts();
    } else {
      field(id).value = result.data.line.text;
      applySaved(result.data.line);
      say(_("Line reverted to the engine's text."), true);
    }
    updateCounts(result.data.counts);
  }
  async function engineText(id) {
    if (!row(id) || row(id).classList.contains("rv-new")) return;
    const response = await fetch(lineUrl(id), { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) { say(fmt(_("No history: %s"), response.status)); return; }
    const body = await response.json();
    if (body.line) { field(id).value = body.line.engine_text; mark(field(id)); }
  }
  list.addEventListener("click", (e) => {
    if (e.target.classList.contains("rv-h")) { e.preventDefault(); history(idOf(e.target)); }
  });

  // --- the character picker ------------------------------------------------------------------
  // Variant forms (Unihan, OpenCC) of the character at the cursor, and the characters this
  // book already uses, for forms an input method does not offer.
  let picking = null; // {id, start, end}: the field and the character range to replace
  function charAtCursor(f) {
    const selected = f.value.slice(f.selectionStart, f.selectionEnd);
    if (Array.from(selected).length === 1 && selected.trim()) {
      return { start: f.selectionStart, end: f.selectionEnd, char: selected };
    }
    const at = f.selectionStart, before = Array.from(f.value.slice(0, at)).pop();
    if (before && before.trim()) return { start: at - before.length, end: at, char: before };
    const after = Array.from(f.value.slice(at))[0];
    if (after && after.trim()) return { start: at, end: at + after.length, char: after };
    return { start: at, end: at, char: "" };
  }
  async function openPicker(id) {
    const f = id && field(id);
    if (!f || f.readOnly) return;
    const found = charAtCursor(f);
    picking = { id, start: found.start, end: found.end };
    const body = await charactersOf("c=" + encodeURIComponent(found.char));
    if (!body) return;
    pop.replaceChildren();
    const h = document.createElement("h2");
    h.textContent = found.char ? fmt(_("Variants of %s"), found.char) : _("Characters");
    const close = button("×", closePicker);
    close.style.float = "right";
    close.setAttribute("aria-label", _("Close"));
    const forms = document.createElement("div");
    forms.className = "rv-pick"; forms.id = "rv-pick-forms";
    body.variants.slice(0, 9).forEach((form, i) => forms.append(pickButton(form, (i + 1) + " " + form)));
    if (!body.variants.length) forms.textContent = found.char ? fmt(_("No variant form known for %s."), found.char) : "";
    const label = document.createElement("label"), search = document.createElement("input");
    label.textContent = _("Characters used in this book:") + " ";
    search.type = "search"; search.id = "rv-pick-q"; search.placeholder = _("a character, or U+7570");
    search.autocomplete = "off";
    label.append(search);
    const used = document.createElement("div");
    used.className = "rv-pick"; used.id = "rv-pick-used";
    showUsed(used, body.used);
    let timer = null;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const found = await charactersOf("q=" + encodeURIComponent(search.value));
        if (found) showUsed(used, found.used);
      }, 200);
    });
    search.addEventListener("keydown", (e) => {
      const first = used.querySelector("button");
      if (e.key === "Enter" && first) { e.preventDefault(); first.click(); }
    });
    pop.append(close, h, forms, label, used);
    pop.hidden = false;
    (forms.querySelector("button") || search).focus();
  }
  async function charactersOf(query) {
    const response = await fetch(data.chars + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) { say(fmt(_("No characters: %s"), response.status)); return null; }
    return response.json();
  }
  function showUsed(box, used) {
    box.replaceChildren();
    for (const [character, count] of used.slice(0, 60)) box.append(pickButton(character, character + " ×" + count));
    if (!used.length) box.textContent = _("None in this book yet.");
  }
  function pickButton(character, text) {
    const b = button(text, () => insertCharacter(character));
    b.lang = "zh";
    b.title = "U+" + character.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    return b;
  }
  function insertCharacter(character) {
    if (!picking) return;
    const f = field(picking.id);
    f.value = f.value.slice(0, picking.start) + character + f.value.slice(picking.end);
    const at = picking.start + character.length;
    closePicker();
    f.setSelectionRange(at, at);
    mark(f);
    say(fmt(_("Inserted %s: Ctrl+S saves."), character), true);
  }
  function closePicker() {
    pop.hidden = true;
    const f = picking && field(picking.id);
    picking = null;
    if (f) f.focus();
  }
  pop.addEventListener("keydown", (e) => {
    if (!picking) return;
    if (/^[1-9]$/.test(e.key) && e.target.id !== "rv-pick-q") {
      const choice = pop.querySelectorAll("#rv-pick-forms button")[+e.key - 1];
      if (choice) { e.preventDefault(); choice.click(); }
    }
  });

  // --- buttons that leave the page, and the keyboard ---------------------------------------
  for (const [id, target] of [["rv-prev", null], ["rv-next", null], ["rv-queue", null]]) {
    const link = $(id);
    if (link) link.addEventListener("click", (e) => { e.preventDefault(); go(target || link.href); });
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const action = e.submitter ? e.submitter.value : "save";
    if (action === "save_next") go($("rv-next") && $("rv-next").href);
    else if (action === "save_prev") go($("rv-prev") && $("rv-prev").href);
    else if (action === "reviewed") markReviewed();
    else if (action === "unreview") unmarkReviewed();
    else save();
  });
  $("rv-help-open").onclick = () => { help.hidden = false; };
  help.addEventListener("click", () => { help.hidden = true; });

  document.addEventListener("keydown", (e) => {
    const key = e.key, code = e.code;
    const typing = e.target.matches && e.target.matches("input:not([type=checkbox]), textarea");
    if (key === "F1" || (key === "?" && !typing)) { e.preventDefault(); help.hidden = !help.hidden; return; }
    if (key === "Escape" && !help.hidden) { help.hidden = true; return; }
    if (key === "Escape" && !pop.hidden) { if (picking) closePicker(); else pop.hidden = true; return; }
    if (key === "Escape" && drawing) { setDrawing(false); say(""); return; }
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (key === "s" || key === "S")) { e.preventDefault(); save(); return; }
    if (e.altKey && !e.ctrlKey) {
      const actions = {
        KeyN: () => ($("rv-next") ? go($("rv-next").href)
          : say(_("This is the last page of the book. “Next to review” opens a page not yet reviewed."))),
        KeyP: () => ($("rv-prev") ? go($("rv-prev").href) : say(_("This is the first page of the book."))),
        KeyR: markReviewed,
        KeyL: toggleLow,
        ArrowUp: () => moveBy(active, -1),
        ArrowDown: () => moveBy(active, 1),
        Enter: () => splitHere(active),
        KeyJ: () => joinNext(active),
        KeyV: () => openPicker(active),
        KeyA: () => setDrawing(!drawing),
        KeyH: () => history(active),
        KeyE: () => active && engineText(active),
        Equal: () => zoom(scale * 1.25),
        Minus: () => zoom(scale / 1.25),
        Digit0: fit,
      };
      if (actions[code]) { e.preventDefault(); actions[code](); }
      return;
    }
    const f = e.target;
    if (key === "Escape" && f.closest && f.closest("li.rv-new") && !f.value.trim()) { e.preventDefault(); dropPending(f.closest("li")); return; }
    if (!(f.id && f.id[0] === "t" && f.closest("#rv-lines"))) return;
    if (key === "Enter") { e.preventDefault(); move(e.shiftKey ? -1 : 1); }
    else if (key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (key === "Escape") { e.preventDefault(); f.value = f.defaultValue; mark(f); }
  });

  // --- the regions' reading order: buttons (plain forms) and drag, then a fresh screen --------
  async function moveRegion(url, after, order) {
    if (!(await save())) return;
    const result = await send(url, { after, order });
    if (refused(result, _("Region not moved: %s"))) return;
    reloadAt(active || "");
  }
  for (const move of document.querySelectorAll("form.rv-region-move")) {
    move.addEventListener("submit", (e) => {
      e.preventDefault();
      moveRegion(move.action, move.elements.after.value, move.elements.order.value);
    });
  }
  const regionList = document.querySelector(".rv-region-list");
  if (regionList) {
    sortable(regionList, "li[data-region]", (moving, previous) => {
      const form = moving.querySelector("form");
      if (form) moveRegion(form.action, previous ? previous.dataset.region : 0, moving.dataset.order);
    });
  }

  for (const restore of document.querySelectorAll("form.rv-restore")) {
    restore.addEventListener("submit", (e) => {
      const unsaved = dirtyFields().length ? " " + _("Your unsaved edits on this screen will be lost.") : "";
      if (!confirm(_("Make this version the page's text again? The current text is kept as a version too.") + unsaved)) {
        e.preventDefault();
        return;
      }
      leaving = true;
      try { localStorage.removeItem(draftKey); } catch (err) { /* nothing stored */ }
    });
  }

  for (const grip of list.querySelectorAll(".rv-grip")) grip.title = data.grip;

  fit();
  restoreDrafts();
  const first = list.querySelector("input[name^=t]");
  // A line named by ?line= (a search hit; a #l<id> fragment would take the focus back
  // when the browser scrolls to it) or by the fragment, else the first hit of the search.
  const wanted = new URLSearchParams(location.search).get("line");
  const linked = (wanted && field(wanted)) || (location.hash && field(location.hash.slice(2)));
  const hit = list.querySelector("li.hit input[name^=t]");
  if (linked || hit || first) focusEnd(linked || hit || first, { preventScroll: !(linked || hit) });
})();
