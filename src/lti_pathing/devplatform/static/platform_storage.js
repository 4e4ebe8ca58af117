// The platform-storage frame (1EdTech "LTI postMessage Storage"): what a tool stores with
// lti.put_data it reads back with lti.get_data, kept per tool origin in this origin's
// localStorage, with Canvas's limits and answers (ui/shared/lti/jquery/platform_storage.ts,
// subjects/lti.put_data.ts, lti.get_data.ts, response_messages.ts). An empty value clears a key.
(function () {
  "use strict";
  var KEY_LIMIT = 500;
  var CHAR_LIMIT = 4096;
  var PREFIX = "lti|platform_storage|";

  function storageKey(origin, key) {
    return PREFIX + origin + "|" + key;
  }

  function used(origin) {
    var keys = 0;
    var chars = 0;
    for (var i = 0; i < window.localStorage.length; i++) {
      var name = window.localStorage.key(i);
      if (name.indexOf(PREFIX + origin + "|") === 0) {
        keys += 1;
        chars += name.length - (PREFIX + origin + "|").length + window.localStorage.getItem(name).length;
      }
    }
    return {keys: keys, chars: chars};
  }

  function handle(message, origin) {
    var key = message.key;
    if (!key) {
      return {error: {code: "bad_request", message: "Missing required 'key' field"}};
    }
    if (!message.message_id) {
      return {error: {code: "bad_request", message: "Missing required 'message_id' field"}};
    }
    if (message.subject === "lti.get_data") {
      return {key: key, value: window.localStorage.getItem(storageKey(origin, key))};
    }
    if (!message.value) {
      window.localStorage.removeItem(storageKey(origin, key));
      return {key: key};
    }
    var now = used(origin);
    if (now.keys >= KEY_LIMIT || now.chars + key.length + String(message.value).length > CHAR_LIMIT) {
      return {error: {code: "storage_exhaustion", message: "Reached the storage limit for tool"}};
    }
    window.localStorage.setItem(storageKey(origin, key), String(message.value));
    return {key: key, value: String(message.value)};
  }

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (!message || typeof message !== "object" || typeof message.subject !== "string" ||
        /\.response$/.test(message.subject)) {
      return;
    }
    var reply;
    if (message.subject === "lti.put_data" || message.subject === "lti.get_data") {
      reply = handle(message, event.origin);
    } else {
      reply = {error: {code: "unsupported_subject"}};
    }
    reply.subject = message.subject + ".response";
    if (message.message_id) {
      reply.message_id = message.message_id;
    }
    event.source.postMessage(reply, event.origin);
  });
})();
