// Served pages only (python -m builder serve): when the book's last rebuild failed, say so at the top of the
// page, with every problem, since the page still shows the last good build (or, when the book was never built,
// the one page saying so). mkdocs reloads the page after each rebuild, and this asks again.
(function () {
  var script = document.currentScript;
  fetch(script.dataset.problems, {cache: "no-store"})
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (found) {
      if (!found || !found.problems.length) return;
      var counts = [];
      if (found.errors) counts.push(found.errors + (found.errors === 1 ? " error" : " errors"));
      if (found.warnings) counts.push(found.warnings + (found.warnings === 1 ? " warning" : " warnings"));
      var box = document.createElement("div");
      box.className = "admonition failure book-problems";
      box.setAttribute("role", "alert");
      var title = document.createElement("p");
      title.className = "admonition-title";
      title.textContent = "The book has " + counts.join(" and ") + (found.built === false ?
        " and has not been built yet. Fix the notes and the site appears." :
        ": this page shows the last good build. Fix the notes and it updates.");
      var list = document.createElement("pre");
      var shown = found.problems.slice(0, 20);
      if (found.problems.length > shown.length) {
        shown.push("… and " + (found.problems.length - shown.length) + " more: the terminal running serve lists them all");
      }
      list.textContent = shown.join("\n");
      list.style.whiteSpace = "pre-wrap";  // long messages wrap inside the box
      list.style.overflowWrap = "anywhere";
      box.appendChild(title);
      box.appendChild(list);
      var place = document.querySelector(".md-content__inner") || document.querySelector("main") || document.body;
      place.insertBefore(box, place.firstChild);
    })
    .catch(function () {});
})();
