// Dynamic registration is done: tell the LMS to close its registration window or frame.
(window.opener || window.parent).postMessage({subject: "org.imsglobal.lti.close"}, "*");
