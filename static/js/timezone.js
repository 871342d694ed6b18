// Offers the browser's own time zone in the "Show times in" control. Without JavaScript the list still works.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }

  function offer(root) {
    root.querySelectorAll("[data-use-browser-zone]").forEach(function (button) {
      var select = button.form && button.form.querySelector("select[name=tz]");
      if (!zone || !select || select.value === zone) { return; }
      button.textContent = "Use my time zone (" + zone.replace(/_/g, " ") + ")";
      button.hidden = false;
      button.addEventListener("click", function () {
        var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
        if (!known) { select.add(new Option(zone, zone)); }
        select.value = zone;
        button.form.requestSubmit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { offer(document); });
  document.addEventListener("htmx:afterSwap", function (event) { offer(event.target); });
})();
