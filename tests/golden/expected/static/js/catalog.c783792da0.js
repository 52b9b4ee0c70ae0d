/* The 政府信息公开 catalog's instant filter: a progressive enhancement of the static pages.
   Without JavaScript the facet links and static pages do the job; with it, the form filters
   every item of catalog.json at once, in the browser. */
(function () {
  "use strict";
  var form = document.getElementById("catalog-filter");
  var table = document.getElementById("catalog");
  if (!form || !table || !window.fetch) return;
  var tbody = table.tBodies[0];
  var caption = table.caption;
  var status = form.querySelector(".filter-status");
  var pager = document.querySelector(".static-pager");
  var sortLinks = document.querySelector(".sort-links");
  var STEP = 30;    // rows drawn at a time; "显示更多" draws the next batch
  var items = [], shown = STEP;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function localUrl(url) {
    // The export carries absolute addresses for reuse; in the page, stay on this host.
    try { var u = new URL(url); return u.pathname + u.search + u.hash; } catch (e) { return url; }
  }

  function values() {
    var v = {};
    Array.prototype.forEach.call(form.elements, function (f) { if (f.name) v[f.name] = f.value.trim(); });
    return v;
  }

  function matches(item, v) {
    if (v.department && item.department !== v.department) return false;
    if (v.category && item.category !== v.category) return false;
    if (v.topic && item.topic !== v.topic) return false;
    if (v.genre && item.genre !== v.genre) return false;
    if (v.validity && item.validity !== v.validity) return false;
    if (v.year && item.published.slice(0, 4) !== v.year) return false;
    if (v.text) {
      var hay = [item.title, item.doc_number, item.index_no, item.keywords.join(" ")].join(" ").toLowerCase();
      var words = v.text.toLowerCase().split(/\s+/);
      for (var i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function sorter(key) {
    var parts = key.split("-"), field = parts[0], dir = parts[1] === "asc" ? 1 : -1;
    return function (a, b) {
      var x = a[field], y = b[field];
      if (x === y) { x = a.published; y = b.published; }
      return x < y ? -dir : x > y ? dir : 0;
    };
  }

  function row(item) {
    var tr = el("tr");
    tr.appendChild(el("td", item.index_no, "index-no"));
    var title = el("td", undefined, "title"), a = el("a", item.title);
    a.href = localUrl(item.url);
    title.appendChild(a);
    tr.appendChild(title);
    tr.appendChild(el("td", item.department));
    tr.appendChild(el("td", item.written));
    tr.appendChild(el("td", item.published.slice(0, 10)));
    tr.appendChild(el("td", item.doc_number || "无"));
    var validity = el("td");
    if (item.validity === "有效") validity.textContent = "有效";
    else validity.appendChild(el("span", item.validity, "badge badge-" + (item.validity === "废止" ? "void" : "expired")));
    tr.appendChild(validity);
    return tr;
  }

  function draw() {
    var v = values();
    var found = items.filter(function (item) { return matches(item, v); }).sort(sorter(v.sort || "published-desc"));
    var filtered = Object.keys(v).some(function (k) { return k !== "sort" && v[k]; });
    tbody.textContent = "";
    found.slice(0, shown).forEach(function (item) { tbody.appendChild(row(item)); });
    if (!found.length) {
      var tr = el("tr"), td = el("td", "没有符合条件的信息，请调整筛选条件。");
      td.colSpan = 7;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    var more = form.parentNode.querySelector(".show-more");
    if (more) more.remove();
    if (found.length > shown) {
      more = el("button", "显示更多（还有 " + (found.length - shown) + " 条）", "show-more");
      more.type = "button";
      more.addEventListener("click", function () { shown += STEP; draw(); });
      table.parentNode.parentNode.insertBefore(more, table.parentNode.nextSibling);
    }
    caption.textContent = (filtered ? "筛选结果" : "全部公开信息") + "（共 " + found.length + " 条）";
    status.textContent = (filtered ? "找到 " : "共 ") + found.length + " 条信息";
  }

  function start(data) {
    items = data;
    form.hidden = false;
    if (pager) pager.hidden = true;      // the filter now shows every item, not one static page
    if (sortLinks) sortLinks.hidden = true;
    var redraw = function () { shown = STEP; draw(); };
    form.addEventListener("input", redraw);
    form.addEventListener("change", redraw);
    form.addEventListener("submit", function (e) { e.preventDefault(); redraw(); });
    form.addEventListener("reset", function () { setTimeout(redraw, 0); });
    // The page's own order and facet (a topic, a year, a category) are where the filter starts.
    var sort = form.elements.sort;
    sort.value = form.getAttribute("data-sort") || "published-desc";
    Array.prototype.forEach.call(sort.options, function (o) { o.defaultSelected = o.selected; });  // "清除" keeps it
    var facet = document.querySelector(".facet-list [aria-current=page]");
    if (facet) {
      var group = facet.closest("section").querySelector("h2").textContent;
      var name = facet.firstChild.textContent.replace(/年$/, "");
      var field = {"信息类别": "category", "主题分类": "topic", "发布年份": "year", "按类别": "category"}[group];
      if (field && form.elements[field]) form.elements[field].value = name;
    }
    draw();
  }

  fetch(form.getAttribute("data-catalog"), {credentials: "same-origin"})
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(start)
    .catch(function () { /* the static table stays as it is */ });
})();
