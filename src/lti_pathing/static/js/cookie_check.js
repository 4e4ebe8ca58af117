// The LTI login's cookie check: if this frame keeps a test cookie, go on to the platform;
// otherwise show the "open in a new window" choice. Settings come from the page's data-* fields.
(function () {
  var page = document.getElementById("lti-cookie-check");
  var next = page.dataset.continueUrl;
  var flags = page.dataset.cookieFlags;
  document.cookie = "lti_pathing_cookie_check=1; path=/" + flags;
  if (document.cookie.indexOf("lti_pathing_cookie_check=1") !== -1) {
    document.cookie = "lti_pathing_cookie_check=; path=/; max-age=0" + flags;
    window.location.replace(next);
    return;
  }
  document.getElementById("lti-cookie-loading").hidden = true;
  document.getElementById("lti-cookie-blocked").hidden = false;
})();
