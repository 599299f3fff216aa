// The pledge list: on a phone the filters fold into their panel, so that the results come
// first and the "Filter pledges" button opens them; on wide screens the panel stays open
// beside the results (its button is hidden by site.css).
(function () {
  "use strict";
  var panel = document.getElementById("filters-panel");
  if (!panel || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 992px)");
  function fit() {
    panel.open = wide.matches;
  }
  fit();
  wide.addEventListener("change", fit);
})();
