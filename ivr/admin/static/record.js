// Record a prompt in the browser (progressive enhancement: the upload form works without it).
// The microphone's recording is sent as a file through the same upload form, CSRF token included.
(function () {
  "use strict";
  var box = document.getElementById("recorder");
  var form = document.getElementById("upload-form");
  if (!box || !form || !window.MediaRecorder || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia || !window.fetch) {
    return;
  }
  var start = box.querySelector("[data-record=start]");
  var stop = box.querySelector("[data-record=stop]");
  var status = box.querySelector("[data-record=status]");
  var recorder = null;
  var chunks = [];
  box.hidden = false;

  // Show the page the server names (with its message); a change of #fragment alone would not
  // load it again, so reload then.
  function go(location) {
    var target = new URL(location, window.location.href);
    var here = window.location;
    if (target.pathname === here.pathname && target.search === here.search) {
      here.hash = target.hash;
      here.reload();
    } else {
      here.assign(target.href);
    }
  }

  function send(blob) {
    var data = new FormData();
    data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    data.append("recording", blob, "browser-recording");
    status.textContent = box.dataset.sending;
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"X-Recorder": "1"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        // Anything but our JSON (e.g. the sign-in page after the session expired): show it.
        return json ? response.json() : {location: response.url};
      })
      .then(function (reply) { go(reply.location); })
      .catch(function (error) {
        status.textContent = box.dataset.failed + " (" + error.message + ")";
        start.disabled = false;
      });
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) { chunks.push(event.data); }
      });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        send(new Blob(chunks, {type: recorder.mimeType || "audio/webm"}));
      });
      recorder.start();
      start.disabled = true;
      stop.disabled = false;
      status.textContent = box.dataset.recording;
      stop.focus();
    }).catch(function () {
      status.textContent = box.dataset.denied;
    });
  });

  stop.addEventListener("click", function () {
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    stop.disabled = true;
  });
}());
