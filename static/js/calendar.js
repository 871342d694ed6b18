// A day chosen in a times page's calendar: htmx swaps in that day's times and leaves the calendar as it is, so the
// chosen mark moves here. Without JavaScript each day is a plain link and the page marks it.
(function () {
  "use strict";
  document.addEventListener("htmx:afterRequest", function (event) {
    var link = event.detail.elt;
    if (!event.detail.successful || !link.matches || !link.matches("a.calendar__day")) { return; }
    var grid = link.closest("table");
    grid.querySelectorAll("[aria-current]").forEach(function (day) { day.removeAttribute("aria-current"); });
    link.setAttribute("aria-current", "true");
  });
})();
