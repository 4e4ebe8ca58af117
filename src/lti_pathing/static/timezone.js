// Time zone fields left empty get the browser's own zone (an IANA name such as Europe/Berlin),
// which the person can still change; without script the field stays empty and means UTC.
(function () {
  "use strict";
  function fill() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    if (!zone) { return; }
    document.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
      if (!input.value && input.getAttribute("aria-invalid") !== "true") { input.value = zone; }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();
