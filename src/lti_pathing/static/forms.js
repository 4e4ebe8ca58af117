// After a post, move the keyboard focus to what says what happened: the error summary of a
// refused form, else the status message of one that went through (not the top of the page).
(function () {
  "use strict";
  function focusOutcome() {
    var target = document.getElementById("error-summary") || document.getElementById("flashes");
    if (target) {
      target.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusOutcome);
  } else {
    focusOutcome();
  }
})();
