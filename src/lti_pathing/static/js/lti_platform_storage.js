// LTI platform storage (1EdTech "LTI Client Side postMessages"; lti/platform_storage.py): the
// login keeps its state and nonce in the platform instead of a cookie, and the launch reads them
// back. Settings come from the data-* fields of #lti-platform-storage; no inline script (CSP).
(function () {
  "use strict";
  // How long the platform may take to answer: lti.capabilities is optional (without an answer the
  // login's lti_storage_target names the frame); a storage frame that exists gets longer, since
  // giving up on it means falling back to cookies.
  var CAPABILITIES_MS = 2000;
  var STORAGE_MS = 5000;
  var page = document.getElementById("lti-platform-storage");
  if (!page) {
    return;
  }
  var data = page.dataset;

  function messageId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "lti-pathing-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // Post one message and wait for its answer: same message_id, subject + ".response", and (for
  // storage messages) sent by the platform's origin. Rejects with the platform's error, if any.
  function ask(target, origin, message, waitMs) {
    return new Promise(function (resolve, reject) {
      var id = messageId();
      var timer = null;
      function answer(event) {
        var reply = event.data;
        if (!reply || typeof reply !== "object" || reply.message_id !== id) {
          return;
        }
        if (reply.subject !== message.subject + ".response") {
          return;
        }
        if (origin !== "*" && event.origin !== origin) {
          return;
        }
        window.removeEventListener("message", answer);
        window.clearTimeout(timer);
        if (reply.error) {
          reject(reply.error);
        } else {
          resolve(reply);
        }
      }
      window.addEventListener("message", answer);
      timer = window.setTimeout(function () {
        window.removeEventListener("message", answer);
        reject({code: "timeout", message: "no answer from the LMS"});
      }, waitMs);
      message.message_id = id;
      try {
        target.postMessage(message, origin);
      } catch (error) {
        window.clearTimeout(timer);
        window.removeEventListener("message", answer);
        reject({code: "unreachable", message: String(error)});
      }
    });
  }

  function frameNamed(name) {
    var parent = window.parent;
    if (!name || name === "_parent") {
      return parent;
    }
    try {
      return parent.frames[name] || null;
    } catch (error) {
      return null;
    }
  }

  // The window that keeps data for this tool: the frame lti.capabilities names for
  // lti.put_data, else the login's lti_storage_target (the platform may not answer capabilities).
  function storageWindow() {
    if (window.parent === window) {
      return Promise.reject({code: "no_frame", message: "not inside the LMS"});
    }
    return ask(window.parent, "*", {subject: "lti.capabilities"}, CAPABILITIES_MS).then(function (reply) {
      var listed = (reply.supported_messages || []).filter(function (entry) {
        return entry && entry.subject === "lti.put_data";
      });
      if (!listed.length) {
        throw {code: "unsupported", message: "the LMS does not keep data for tools"};
      }
      return listed[0].frame || data.target;
    }, function () {
      return data.target;
    }).then(function (name) {
      var frame = frameNamed(name);
      if (!frame) {
        throw {code: "no_frame", message: "the LMS has no frame named " + name};
      }
      return frame;
    });
  }

  function put(frame, key, value) {
    return ask(frame, data.origin, {subject: "lti.put_data", key: key, value: value}, STORAGE_MS);
  }

  function get(frame, key) {
    return ask(frame, data.origin, {subject: "lti.get_data", key: key}, STORAGE_MS).then(function (reply) {
      return reply.value;
    });
  }

  function cookiesKept(flags) {
    document.cookie = "lti_pathing_cookie_check=1; path=/" + flags;
    var kept = document.cookie.indexOf("lti_pathing_cookie_check=1") !== -1;
    document.cookie = "lti_pathing_cookie_check=; path=/; max-age=0" + flags;
    return kept;
  }

  // Login: store state and nonce, then go on to the platform; on any failure, the cookie path.
  function login() {
    if (data.cookieFlags && !cookiesKept(data.cookieFlags)) {
      window.location.replace(data.fallbackUrl); // its cookie check offers a new window
      return;
    }
    storageWindow().then(function (frame) {
      return put(frame, "lti_state_" + data.state, data.state).then(function () {
        return put(frame, "lti_nonce_" + data.nonce, data.nonce);
      });
    }).then(function () {
      window.location.replace(data.authUrl);
    }, function () {
      window.location.replace(data.fallbackUrl);
    });
  }

  function fail(message, details) {
    document.getElementById("lti-storage-progress").hidden = true;
    document.getElementById("lti-storage-reason").textContent = message;
    var list = document.getElementById("lti-storage-details");
    (details || []).forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = String(line);
      list.appendChild(item);
    });
    var box = document.getElementById("lti-storage-failed");
    box.hidden = false;
    box.focus();
  }

  // Launch: read both values back, let the tool compare them with this launch's, then go on.
  function launch() {
    var frame = null;
    storageWindow().then(function (found) {
      frame = found;
      return Promise.all([get(frame, "lti_state_" + data.state), get(frame, "lti_nonce_" + data.nonce)]);
    }).then(function (values) {
      return window.fetch(data.verifyUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({check: data.check, state: values[0] || "", nonce: values[1] || ""})
      });
    }, function (error) {
      throw {message: "The LMS did not give back what lti-pathing stored when it opened (" +
        (error && error.message ? error.message : "no answer") + "). Open lti-pathing again from the LMS."};
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw {message: body.message, details: body.errors};
        }
        return body;
      });
    }).then(function (body) {
      // Done with them: clear both keys (an empty value removes a key in Canvas).
      put(frame, "lti_state_" + data.state, "").catch(function () {});
      put(frame, "lti_nonce_" + data.nonce, "").catch(function () {});
      window.location.replace(body.location);
    }).catch(function (error) {
      fail(error && error.message ? error.message : "lti-pathing could not sign you in.",
        Array.isArray(error && error.details) ? error.details : []);
    });
  }

  if (data.step === "login") {
    login();
  } else if (data.step === "launch") {
    launch();
  }
})();
