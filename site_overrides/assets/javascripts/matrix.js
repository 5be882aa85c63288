/* Claims against evidence: filter the table by actor, source and stance, and sort it.
 *
 * Progressive enhancement: the builder writes a plain Markdown table (readable without JavaScript) inside
 * <div class="claims-matrix" data-actors='[[id, name] …]' data-sources='[[key, label] …]'>, and on each row a
 * hidden, empty <span class="matrix-row" data-actors="id …" data-evidence="key:stance …" data-supports="n"
 * data-contradicts="n" data-qualifies="n" data-origins="n"> (origins: of the supporting evidence). This script adds a
 * small form above the table.
 * The choices are kept in the address (?actor=…&source=…&stance=…&sort=…) so a filtered view can be linked.
 * Self-hosted, no dependencies; works with Material's instant navigation (document$) and without it.
 */
(function () {
  "use strict";

  var STANCES = [["supports", "▲ supports"], ["contradicts", "▼ contradicts"], ["qualifies", "◆ qualifies"]];
  var SORTS = [
    ["book", "Book order"],
    ["claim", "Claim, A to Z"],
    ["supports", "Most supporting evidence"],
    ["contradicts", "Most contradicting evidence"],
    ["origins", "Most independent support"],
    ["single", "Least independent support"]
  ];
  var collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

  function compare(a, b) {  // A to Z, leading quotes and the like ignored
    return collator.compare(a.replace(/^[^\p{L}\p{N}]+/u, ""), b.replace(/^[^\p{L}\p{N}]+/u, ""));
  }
  var counter = 0;

  function parse(text) {
    try { return JSON.parse(text || "[]"); } catch (e) { return []; }
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function select(id, label, options, value) {
    var field = element("select", { id: id, name: id.replace(/^matrix-\d+-/, "") });
    options.forEach(function (option) {
      var item = element("option", { value: option[0] }, [option[1]]);
      if (option[0] === value) item.selected = true;
      field.appendChild(item);
    });
    return element("div", { "class": "matrix-filters__field" }, [element("label", { "for": id }, [label]), field]);
  }

  function number(row, name) {
    return parseInt(row.data.getAttribute("data-" + name), 10) || 0;
  }

  function enhance(wrapper) {
    if (wrapper.getAttribute("data-enhanced")) return;
    var table = wrapper.querySelector("table");
    var body = table && table.tBodies[0];
    if (!body) return;
    wrapper.setAttribute("data-enhanced", "true");
    var id = "matrix-" + (++counter);
    var rows = Array.prototype.map.call(body.rows, function (tr, index) {
      var data = tr.querySelector(".matrix-row");
      var link = tr.cells[0].querySelector("a");
      return {
        tr: tr, index: index, data: data,
        claim: (link ? link.textContent : tr.cells[0].textContent).trim(),
        actors: data ? (data.getAttribute("data-actors") || "").split(" ").filter(Boolean) : [],
        evidence: data ? (data.getAttribute("data-evidence") || "").split(" ").filter(Boolean).map(function (item) {
          var cut = item.lastIndexOf(":");
          return { source: item.slice(0, cut), stance: item.slice(cut + 1) };
        }) : []
      };
    }).filter(function (row) { return row.data; });
    if (!rows.length) return;

    var actors = parse(wrapper.getAttribute("data-actors")).sort(function (a, b) { return compare(a[1], b[1]); });
    var sources = parse(wrapper.getAttribute("data-sources"));
    var params = new URLSearchParams(window.location.search);
    var first = !document.querySelector(".matrix-filters");  // only the first matrix of a page reads the address

    var form = element("form", { "class": "matrix-filters", "aria-label": "Filter and sort the claims" }, [
      select(id + "-actor", "Actor", [["", "Any actor"]].concat(actors), first ? params.get("actor") || "" : ""),
      select(id + "-source", "Source", [["", "Any source"]].concat(sources), first ? params.get("source") || "" : ""),
      select(id + "-stance", "Stance", [["", "Any stance"]].concat(STANCES), first ? params.get("stance") || "" : ""),
      select(id + "-sort", "Sort by", SORTS, first ? params.get("sort") || "book" : "book"),
      element("button", { type: "reset", "class": "md-button matrix-filters__reset" }, ["Show all"])
    ]);
    var status = element("p", { "class": "matrix-filters__status", role: "status", "aria-live": "polite",
                                id: id + "-status" });
    wrapper.insertBefore(status, wrapper.firstChild);
    wrapper.insertBefore(form, status);
    table.setAttribute("aria-describedby", id + "-status");

    function value(name) { return form.elements[name].value; }

    function update(remember) {
      var actor = value("actor"), source = value("source"), stance = value("stance"), sort = value("sort");
      var shown = 0;
      rows.forEach(function (row) {
        var match = (!actor || row.actors.indexOf(actor) >= 0) && (!(source || stance) || row.evidence.some(function (ev) {
          return (!source || ev.source === source) && (!stance || ev.stance === stance);
        }));
        row.tr.hidden = !match;
        if (match) shown += 1;
      });
      var ordered = rows.slice().sort(function (a, b) {
        var by = 0;
        if (sort === "claim") by = compare(a.claim, b.claim);
        else if (sort === "supports" || sort === "contradicts") by = number(b, sort) - number(a, sort);
        else if (sort === "origins") by = number(b, "origins") - number(a, "origins");
        else if (sort === "single") by = number(a, "origins") - number(b, "origins");
        return by || a.index - b.index;
      });
      ordered.forEach(function (row) { body.appendChild(row.tr); });
      var header = table.tHead && table.tHead.rows[0];
      if (header) {
        header.cells[0].setAttribute("aria-sort", sort === "claim" ? "ascending" : "none");
        header.cells[header.cells.length - 1].setAttribute(
          "aria-sort", sort === "supports" || sort === "contradicts" || sort === "origins" ? "descending" :
                       sort === "single" ? "ascending" : "none");
      }
      status.textContent = shown === rows.length ? "Showing all " + rows.length + " claims." :
        "Showing " + shown + " of " + rows.length + " claims." + (shown ? "" : " No claim matches these choices.");
      if (remember && first && window.history && window.history.replaceState) {
        var query = new URLSearchParams(window.location.search);
        [["actor", actor], ["source", source], ["stance", stance], ["sort", sort === "book" ? "" : sort]]
          .forEach(function (pair) { if (pair[1]) query.set(pair[0], pair[1]); else query.delete(pair[0]); });
        var search = query.toString();
        window.history.replaceState(window.history.state, "",
          window.location.pathname + (search ? "?" + search : "") + window.location.hash);
      }
    }

    form.addEventListener("change", function () { update(true); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {  // after the browser has reset the fields
        Array.prototype.forEach.call(form.elements, function (field) {
          if (field.tagName === "SELECT") field.value = field.name === "sort" ? "book" : "";
        });
        update(true);
      }, 0);
    });
    update(false);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".claims-matrix"), enhance);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
