// Pages with background work in progress (plans, estimates, re-plans, LMS syncs): poll the job's
// status, move its progress bar, and once it has finished put the page's new content in place
// and announce it. Without script, the "Check again" link of the same element (hidden here)
// reloads the page.
(function () {
  "use strict";
  var POLL_MS = 250; // a plan solved in 0.2 s shows within about half a second

  function announcer() {
    var region = document.getElementById("job-announcer");
    if (!region) {
      region = document.createElement("p");
      region.id = "job-announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.querySelector("header").appendChild(region);
    }
    return region;
  }

  var page = null; // the page to fetch again: the job box names it (never a #fragment)

  function pageUrl() {
    return page || window.location.pathname + window.location.search;
  }

  function replaceMain(html, message) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
    var main = document.getElementById("main");
    if (!fresh || !main) {
      window.location.replace(pageUrl());
      return;
    }
    var hadFocus = main.contains(document.activeElement);
    main.innerHTML = fresh.innerHTML;
    main.setAttribute("data-updated-at", String(Date.now())); // when the result appeared
    announcer().textContent = message;
    if (hadFocus || document.activeElement === document.body) {
      main.focus();
    }
    document.dispatchEvent(new CustomEvent("jobs:updated"));
    watch(); // the new content may show another job in progress
  }

  function finish(box, job) {
    var message = job.status === "failed"
      ? (box.getAttribute("data-failed-message") || "The work did not finish.")
      : (box.getAttribute("data-done-message") || "Done.");
    fetch(pageUrl(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) { replaceMain(html, message); })
      .catch(function () { window.location.replace(pageUrl()); });
  }

  function poll(box) {
    var url = box.getAttribute("data-job-status-url");
    var bar = box.querySelector("progress");
    var state = box.querySelector("[data-job-state]");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) {
          // The session ended (ran out, or the person was retired): the page says why.
          window.location.replace(pageUrl());
          return new Promise(function () {});
        }
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (job) {
        if (bar) { bar.value = job.progress; bar.textContent = job.progress + " %"; }
        if (state) { state.textContent = job.status; }
        if (job.finished) { finish(box, job); } else { window.setTimeout(function () { poll(box); }, POLL_MS); }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 4 * POLL_MS); });
  }

  function watch() {
    var boxes = document.querySelectorAll("[data-job-status-url]");
    if (boxes.length) {
      page = boxes[0].getAttribute("data-page-url");
      boxes[0].querySelectorAll("[data-job-fallback]").forEach(function (link) { link.hidden = true; });
      announcer();
      poll(boxes[0]); // one page shows one job in progress; its end refreshes the whole page
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
