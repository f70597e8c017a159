(function () {
  "use strict";
  // Sortable tables: a header's button sorts by its column, numbers as
  // numbers (a cell's data-sort wins over its text).
  function key(td) {
    var s = td.getAttribute("data-sort");
    if (s === null) s = td.textContent.trim();
    var n = parseFloat(s);
    return isNaN(n) || !/^[-+]?[0-9.]/.test(s) ? s.toLowerCase() : n;
  }
  function label(root) {
    root.querySelectorAll("table.sortable th button").forEach(function (b) {
      b.title = "sort by " + b.textContent;
    });
  }
  label(document);
  document.addEventListener("click", function (e) {
    var b = e.target.closest("table.sortable th button");
    if (!b) return;
    var th = b.parentElement, table = th.closest("table"), col = Array.prototype.indexOf.call(th.parentElement.children, th);
    var down = th.getAttribute("aria-sort") === "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", down ? "descending" : "ascending");
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = key(r1.cells[col]), c = key(r2.cells[col]);
      if (typeof a !== typeof c) { a = String(a); c = String(c); }
      return (a < c ? -1 : a > c ? 1 : 0) * (down ? -1 : 1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
  // A live page: the run's figures arrive as server-sent events; once the
  // run is over the finished page replaces this one.
  var live = document.body.getAttribute("data-live");
  if (live && window.EventSource) {
    var es = new EventSource(live);
    es.addEventListener("page", function (e) {
      var main = document.getElementById("main");
      main.innerHTML = JSON.parse(e.data);
      label(main);
    });
    es.addEventListener("done", function () { es.close(); location.reload(); });
  }
})();
