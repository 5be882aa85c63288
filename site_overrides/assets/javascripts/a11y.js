/* Small accessibility fixes to Material's own markup, applied on every page (and after instant navigation).
 * - The search overlay is a role="dialog" without a name: name it after its search field.
 */
(function () {
  "use strict";

  function fix() {
    var dialog = document.querySelector('.md-search[role="dialog"]');
    if (dialog && !dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      var field = dialog.querySelector(".md-search__input");
      dialog.setAttribute("aria-label", (field && field.getAttribute("aria-label")) || "Search");
    }
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(fix);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fix);
  } else {
    fix();
  }
})();
