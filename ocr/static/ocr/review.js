/* The review screen: keyboard-first correction of a page's lines beside its image.
 * Plain JavaScript, no build step. Without it the screen is a plain form that still saves.
 * Unsaved edits are kept in localStorage until saved, so leaving the page loses nothing. */
(function () {
  "use strict";
  const form = document.getElementById("rv");
  if (!form) return;
  document.body.classList.add("rv-ready");
  const $ = (id) => document.getElementById(id);
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
  const fields = () => Array.from(list.querySelectorAll("li:not(.hide) input[name^=t]"));
  const dirtyFields = () => Array.from(list.querySelectorAll("li:not(.gone) input[name^=t]"))
    .filter((f) => f.value !== f.defaultValue);

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
      const error = response.status === 403 ? "you are not allowed to do that."
        : "your session has ended: log in again in another tab, then save here.";
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
    $("rv-dirty").textContent = count + " unsaved";
    storeDrafts();
  }
  function storeDrafts() {
    const drafts = {};
    for (const f of dirtyFields()) drafts[idOf(f)] = { text: f.value, token: token(idOf(f)).value };
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
      if (!f || f.value === draft.text) continue;
      f.value = draft.text;
      token(id).value = draft.token; // the version it was typed on: a stale one conflicts on save
      mark(f);
      restored++;
    }
    if (restored) say(restored + " unsaved edit(s) from your last visit restored: Ctrl+S saves them.");
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
    note.append("Changed meanwhile by " + (c.by || "someone") + ": ");
    const q = document.createElement("q");
    q.textContent = c.text;
    note.append(q, ". Yours is in the field.");
    const keep = document.createElement("button"), take = document.createElement("button");
    keep.type = take.type = "button";
    keep.textContent = "Keep mine";
    take.textContent = "Take theirs";
    keep.onclick = () => { token(c.id).value = c.token; note.remove(); mark(field(c.id)); say("Yours will be saved over theirs with the next save."); };
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
    if (busy) return false;
    const dirty = dirtyFields();
    if (!dirty.length) return true;
    if (data.edit !== "1") { say("You may not edit lines."); return false; }
    busy = true;
    say("Saving…");
    const lines = dirty.map((f) => ({ id: +idOf(f), text: f.value, version: versionOf(idOf(f)) }));
    let result;
    try { result = await send(data.save, { lines }, true); } catch (e) {
      busy = false;
      say("Not saved: the server did not answer. Your edits are kept here; try again.");
      return false;
    }
    busy = false;
    const body = result.data;
    (body.saved || []).forEach(applySaved);
    (body.conflicts || []).forEach(showConflict);
    (body.gone || []).forEach((id) => {
      row(id).classList.add("gone");
      field(id).readOnly = true;
    });
    updateCounts(body.counts);
    if (result.ok) { say((body.saved || []).length + " line(s) saved.", true); return true; }
    if (body.conflicts && body.conflicts.length) {
      say(body.conflicts.length + " line(s) were changed by someone else meanwhile: their text is shown under yours. Keep mine or take theirs, then save.");
    } else if (body.gone && body.gone.length) {
      say(body.gone.length + " line(s) no longer exist (deleted, or the page was recognized again). Copy what you need, then reload.");
    } else {
      say("Not saved: " + (body.error || result.status));
    }
    storeDrafts();
    return false;
  }

  async function go(url) {
    if (!url) return;
    if (await save()) { leaving = true; location.href = url; }
  }
  let leaving = false;
  window.addEventListener("beforeunload", (e) => {
    if (!leaving && dirtyFields().length) { e.preventDefault(); e.returnValue = ""; }
  });

  async function markReviewed() {
    if (!$("rv-reviewed")) {
      say($("rv-status").classList.contains("rv-done") ? "The page is already reviewed."
        : "This page cannot be marked reviewed (no permission, or no finished recognition).");
      return;
    }
    if (!(await save())) return;
    const result = await send(data.reviewed, { reviewed: "1" });
    if (!result.ok) { say("Not marked: " + (result.data.error || result.status)); return; }
    showReviewed(true);
    say("Page marked reviewed.", true);
  }
  function showReviewed(reviewed) {
    $("rv-status").textContent = reviewed ? "Reviewed" : "Recognized";
    $("rv-status").classList.toggle("rv-done", reviewed);
    $("rv-reviewed").hidden = reviewed;
    $("rv-unreview").hidden = !reviewed;
  }
  async function unmarkReviewed() {
    const result = await send(data.reviewed, { reviewed: "0" });
    if (!result.ok) { say("Not changed: " + (result.data.error || result.status)); return; }
    showReviewed(false);
    say("Review mark taken back.", true);
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
    if (box(id)) { box(id).classList.add("on"); revealBox(id); }
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
  list.addEventListener("focusin", (e) => { if (e.target.name && e.target.name[0] === "t") activate(idOf(e.target)); });
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
    if (drawing) say("Draw the missed line's box on the image (Esc cancels).", true);
  }
  if ($("rv-draw")) $("rv-draw").onclick = () => setDrawing(!drawing);

  // --- adding, history, revert, delete -----------------------------------------------------
  async function addLine(d) {
    if (d.x1 === undefined || Math.abs(d.x1 - d.x) < 4 || Math.abs(d.y1 - d.y) < 4) return;
    const after = active && row(active) ? +row(active).querySelector("label").textContent : null;
    const result = await send(data.add, {
      x0: Math.min(d.x, d.x1), y0: Math.min(d.y, d.y1), x1: Math.max(d.x, d.x1), y1: Math.max(d.y, d.y1),
      text: "", after,
    }, true);
    if (!result.ok) { say("Line not added: " + result.data.error); return; }
    const line = result.data.line;
    const li = document.createElement("li"), label = document.createElement("label");
    const input = document.createElement("input"), version = document.createElement("input");
    const link = document.createElement("a");
    li.id = "l" + line.id; li.dataset.id = line.id; li.className = "low corr";
    label.htmlFor = input.id = "t" + line.id; label.textContent = line.order;
    input.name = "t" + line.id; input.autocomplete = "off"; input.spellcheck = false;
    version.type = "hidden"; version.name = "v" + line.id; version.value = line.token;
    link.href = lineUrl(line.id); link.className = "rv-h"; link.textContent = "+";
    li.append(label, input, version, link);
    for (const other of list.querySelectorAll("li[data-id] label")) {
      if (+other.textContent >= line.order) other.textContent = +other.textContent + 1;
    }
    const before = after !== null && row(active) ? row(active).nextSibling : null;
    list.insertBefore(li, before);
    const poly = document.createElementNS("http://www.w3.org/2000/svg", "polygon");
    poly.id = "b" + line.id; poly.dataset.id = line.id; poly.setAttribute("class", "low");
    poly.setAttribute("points", line.points.map((p) => p.join(",")).join(" "));
    svg.append(poly);
    updateCounts(result.data.counts);
    input.focus();
    say("Line added: type its text, then save.", true);
  }

  async function history(id) {
    if (!id) return;
    const response = await fetch(lineUrl(id), { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) { say("No history: " + response.status); return; }
    const body = await response.json();
    pop.replaceChildren();
    const h = document.createElement("h2");
    h.textContent = "Line " + (body.line ? body.line.order : "");
    const close = button("×", () => { pop.hidden = true; if (field(id)) field(id).focus(); });
    close.style.float = "right";
    pop.append(close, h);
    if (body.line) {
      const engine = document.createElement("p");
      engine.textContent = "Engine read: " + (body.line.engine_text || "(nothing: added by hand)");
      const actions = document.createElement("div");
      actions.className = "rv-pop-actions";
      if (body.can_edit) {
        actions.append(button("Revert to engine text", () => lineAction(id, "revert")));
      }
      if (body.can_delete) actions.append(button("Delete line", () => lineAction(id, "delete")));
      pop.append(engine, actions);
    }
    const table = document.createElement("table");
    table.innerHTML = "<tr><th>when</th><th>who</th><th>what</th><th>before</th><th>after</th></tr>";
    for (const r of body.history) {
      const tr = table.insertRow();
      for (const v of [r.at.slice(0, 16).replace("T", " "), r.by, r.action, r.before, r.after]) tr.insertCell().textContent = v;
    }
    if (!body.history.length) table.insertRow().insertCell().textContent = "No change yet.";
    pop.append(table);
    pop.hidden = false;
  }
  function button(text, onclick) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.onclick = onclick;
    return b;
  }
  async function lineAction(id, action) {
    if (action === "delete" && !confirm("Delete this line? It stays in the history.")) return;
    const result = await send(lineUrl(id), { action, version: versionOf(id) });
    pop.hidden = true;
    if (result.data.conflict) { showConflict(Object.assign(result.data.conflict, { mine: "" })); say("Changed meanwhile: look again."); return; }
    if (!result.ok) { say("Not done: " + (result.data.error || result.status)); return; }
    if (action === "delete") {
      row(id).remove(); if (box(id)) box(id).remove();
      say("Line deleted (kept in the history).", true);
      storeDrafts();
    } else {
      field(id).value = result.data.line.text;
      applySaved(result.data.line);
      say("Line reverted to the engine's text.", true);
    }
    updateCounts(result.data.counts);
  }
  async function engineText(id) {
    const response = await fetch(lineUrl(id), { headers: { Accept: "application/json" }, credentials: "same-origin" });
    const body = await response.json();
    if (body.line) { field(id).value = body.line.engine_text; mark(field(id)); }
  }
  list.addEventListener("click", (e) => {
    if (e.target.classList.contains("rv-h")) { e.preventDefault(); history(idOf(e.target)); }
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
    if (key === "F1") { e.preventDefault(); help.hidden = !help.hidden; return; }
    if (key === "Escape" && !help.hidden) { help.hidden = true; return; }
    if (key === "Escape" && !pop.hidden) { pop.hidden = true; return; }
    if (key === "Escape" && drawing) { setDrawing(false); say(""); return; }
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (key === "s" || key === "S")) { e.preventDefault(); save(); return; }
    if (e.altKey && !e.ctrlKey) {
      const actions = {
        KeyN: () => go($("rv-next") && $("rv-next").href),
        KeyP: () => go($("rv-prev") && $("rv-prev").href),
        KeyR: markReviewed,
        KeyL: () => onlyLow(!$("rv-only-low").checked),
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
    if (!(f.name && f.name[0] === "t" && f.closest("#rv-lines"))) return;
    if (key === "Enter") { e.preventDefault(); move(e.shiftKey ? -1 : 1); }
    else if (key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (key === "Escape") { e.preventDefault(); f.value = f.defaultValue; mark(f); }
  });

  for (const restore of document.querySelectorAll("form.rv-restore")) {
    restore.addEventListener("submit", (e) => {
      const unsaved = dirtyFields().length ? " Your unsaved edits on this screen will be lost." : "";
      if (!confirm("Make this version the page's text again? The current text is kept as a version too." + unsaved)) {
        e.preventDefault();
        return;
      }
      leaving = true;
      try { localStorage.removeItem(draftKey); } catch (err) { /* nothing stored */ }
    });
  }

  fit();
  restoreDrafts();
  const first = list.querySelector("input[name^=t]");
  const linked = location.hash && field(location.hash.slice(2));
  if (linked || first) focusEnd(linked || first, { preventScroll: !linked });
})();
