// The course page's answer to a tool's lti.capabilities (1EdTech "LTI Client Side postMessages"),
// as Canvas gives it (ui/shared/lti/jquery/subjects/lti.capabilities.ts): lti.put_data and
// lti.get_data go to the platform-storage frame named in data-storage-frame.
(function () {
  "use strict";
  var frame = document.currentScript.dataset.storageFrame;
  window.addEventListener("message", function (event) {
    var message = event.data;
    if (!message || typeof message !== "object" || message.subject !== "lti.capabilities") {
      return;
    }
    var reply = {subject: "lti.capabilities.response", supported_messages: [
      {subject: "lti.capabilities"},
      {subject: "lti.put_data", frame: frame},
      {subject: "lti.get_data", frame: frame}
    ]};
    if (message.message_id) {
      reply.message_id = message.message_id;
    }
    event.source.postMessage(reply, event.origin);
  });
})();
