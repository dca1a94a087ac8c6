// The briefing page's only script: a citation opens its source beside the briefing, the quote marked.
// Text from the sources is inserted with textContent only, never as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("briefing-data").textContent);
  var pane = document.getElementById("pane");
  var label = document.getElementById("pane-label");
  var title = document.getElementById("pane-title");
  var meta = document.getElementById("pane-meta");
  var body = document.getElementById("pane-body");
  var text = document.getElementById("pane-text");
  var close = document.getElementById("pane-close");
  var opener = null;
  var blank = [label.textContent, title.textContent, meta.textContent];

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // Append source[from:to] to parent, web boilerplate greyed.
  function append(parent, source, from, to) {
    var cuts = [from, to];
    source.boilerplate.forEach(function (b) {
      if (b[1] > from && b[0] < to) cuts.push(Math.max(b[0], from), Math.min(b[1], to));
    });
    cuts.sort(function (a, b) { return a - b; });
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], z = cuts[i + 1];
      if (a >= z) continue;
      var piece = source.text.slice(a, z);
      var boiler = source.boilerplate.some(function (b) { return b[0] <= a && z <= b[1]; });
      parent.appendChild(boiler ? el("span", "boilerplate", piece) : document.createTextNode(piece));
    }
  }

  function heading(source) {
    label.textContent = source.label + (source.encoding ? " · " + source.encoding : "");
    title.textContent = source.title || source.path;
    meta.textContent = source.path + (source.about ? " · " + source.about : "");
  }

  function open(node) {
    if (opener && opener !== node) opener.removeAttribute("aria-current");
    opener = node;
    node.setAttribute("aria-current", "true");
    pane.setAttribute("data-open", "true");
  }

  function showCitation(node, n) {
    var c = data.citations[n - 1];
    open(node);
    text.textContent = "";
    if (c.source < 0) {
      label.textContent = "Citation " + n;
      title.textContent = c.path;
      meta.textContent = "characters " + c.start + "–" + c.end;
      text.appendChild(el("p", "missing", c.missing));
      text.appendChild(el("mark", "", c.quote));
      body.scrollTop = 0;
      return;
    }
    var source = data.sources[c.source];
    heading(source);
    meta.textContent = source.path + (source.about ? " · " + source.about : "") + " · citation " + n +
      (c.page ? ", page " + c.page : "") + ", characters " + c.start + "–" + c.end;
    append(text, source, 0, c.from);
    var mark = el("mark");
    mark.id = "quote";
    append(mark, source, c.from, c.to);
    text.appendChild(mark);
    append(text, source, c.to, source.text.length);
    body.scrollTop = Math.max(0, mark.offsetTop - body.clientHeight / 3);
  }

  function showSource(node, index) {
    var source = data.sources[index];
    open(node);
    heading(source);
    text.textContent = "";
    append(text, source, 0, source.text.length);
    body.scrollTop = 0;
  }

  function hide() {
    if (pane.getAttribute("data-open") !== "true") return;
    pane.setAttribute("data-open", "false");
    label.textContent = blank[0];
    title.textContent = blank[1];
    meta.textContent = blank[2];
    text.textContent = "";
    if (opener) {
      opener.removeAttribute("aria-current");
      opener.focus();
    }
    opener = null;
  }

  document.addEventListener("click", function (event) {
    var node = event.target.closest("a.cite, a.read");
    if (!node) return;
    event.preventDefault();
    if (node.classList.contains("cite")) showCitation(node, Number(node.getAttribute("data-cite")));
    else showSource(node, Number(node.getAttribute("data-source")));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
  close.addEventListener("click", hide);
})();
