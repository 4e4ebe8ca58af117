// Submits the page's form as soon as it loads (the LTI answer posted back to the platform).
// A file, not an inline handler: the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) {
    form.submit();
  }
});
