// The call simulator page: plays what the line answers, in order, and sends key presses at any
// moment (barge-in), silence when a menu times out, and the outcome of a transfer. The server
// walks the real webhooks (ivr/admin/simulator.py); this file only plays and shows.
(() => {
  "use strict";
  const root = document.getElementById("simulator");
  if (!root) return;
  const text = (key) => root.getAttribute("data-t-" + key.replace(/\./g, "-")) || key;
  const $ = (id) => document.getElementById(id);
  const audio = $("sim-audio"), status = $("sim-status"), running = $("sim-running");
  const rows = $("sim-transcript").querySelector("tbody");
  const keyButtons = Array.from(root.querySelectorAll("[data-key]"));
  const callButton = $("sim-call"), hangUpButton = $("sim-hang-up"), dialBox = $("sim-dial");
  let call = null; // {state, listening, dialing, ended}
  let queue = [], current = null, stepHeard = 0, timer = null, gatherTimer = null, busy = false;

  const setStatus = (message) => { status.textContent = message; };
  const setKeys = (on) => keyButtons.forEach((b) => { b.disabled = !on; });

  function cell(row, value, className) {
    const td = document.createElement("td");
    td.textContent = value;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function addRow(line) {
    const row = document.createElement("tr");
    row.dataset.kind = line.kind;
    if (line.prompt) row.dataset.prompt = line.prompt;
    cell(row, String(line.step));
    cell(row, line.lang || "");
    const events = {key: text("sim.key") + " " + line.text, silence: text("sim.silence"),
                    end: text("sim.end"), dial: text("sim.transfer") + " " + line.text,
                    outcome: text("outcome." + line.text)};
    if (line.kind in events) {
      cell(row, events[line.kind], "event").colSpan = 4;
      rows.appendChild(row);
      return row;
    }
    const said = cell(row, line.text);
    if (line.lang) said.lang = line.lang;
    if (line.spoken) said.title = line.spoken; // how Twilio's voice says it (<Say>)
    cell(row, line.lang === "en" ? "" : line.english).lang = "en";
    cell(row, line.kind === "play"
      ? `${line.prompt} (${line.lang}), ${text("sim.version")} ${line.version}, ${line.source}`
      : text("sim.say"));
    cell(row, line.seconds.toFixed(1));
    rows.appendChild(row);
    return row;
  }

  function clearSound() {
    audio.onended = null;
    audio.onerror = null;
    audio.pause();
    clearTimeout(timer);
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    if (current) current.row.classList.remove("now");
    current = null;
  }

  function stopAll() {
    clearSound();
    queue = [];
    clearTimeout(gatherTimer);
  }

  function heardNow() {
    if (!current) return stepHeard;
    const playing = current.line.kind === "play" ? audio.currentTime
      : (performance.now() - current.started) / 1000;
    return stepHeard + Math.min(playing, current.line.seconds);
  }

  function finish() {
    if (!current) return;
    stepHeard += current.line.seconds;
    running.textContent = current.line.running.toFixed(1);
    clearSound();
    playNext();
  }

  function speak(line) {
    const synth = window.speechSynthesis;
    const voice = synth && synth.getVoices().find((v) => v.lang.split("-")[0] === line.lang);
    if (!voice) { // no voice in this browser: the text shows for as long as it would take
      timer = setTimeout(finish, line.seconds * 1000);
      return;
    }
    const utterance = new SpeechSynthesisUtterance(line.spoken || line.text);
    utterance.voice = voice;
    utterance.onend = finish;
    synth.speak(utterance);
  }

  function playNext() {
    current = queue.shift() || null;
    if (!current) { afterPrompts(); return; }
    const line = current.line;
    current.row.classList.add("now");
    current.started = performance.now();
    if (line.kind === "play") {
      setStatus(`${text("sim.status.playing")}: ${line.prompt} (${line.lang})`);
      audio.onended = finish;
      audio.onerror = finish;
      audio.src = line.audio;
      audio.play().catch(() => { timer = setTimeout(finish, line.seconds * 1000); });
    } else {
      setStatus(`${text("sim.status.saying")}: ${line.text}`);
      speak(line);
    }
  }

  function afterPrompts() {
    if (call.listening) {
      setStatus(text("sim.status.listening").replace("{seconds}", call.listening.timeout));
      gatherTimer = setTimeout(() => act({action: "silence"}), call.listening.timeout * 1000);
    } else if (call.dialing) {
      $("sim-dial-number").textContent = call.dialing.numbers;
      dialBox.hidden = false;
      setStatus(`${text("sim.transfer")} ${call.dialing.numbers}`);
    } else if (call.ended) {
      endCall();
    }
  }

  function endCall() {
    stopAll();
    call = null;
    setKeys(false);
    dialBox.hidden = true;
    callButton.disabled = false;
    hangUpButton.disabled = true;
    setStatus(text("sim.status.ended"));
  }

  function receive(data) {
    call = {state: data.state, listening: data.listening, dialing: data.dialing, ended: data.ended};
    stepHeard = 0;
    queue = [];
    data.lines.forEach((line) => {
      const row = addRow(line);
      if (line.kind === "play" || line.kind === "say") queue.push({line, row});
      else running.textContent = line.running.toFixed(1);
    });
    setKeys(Boolean(call.listening));
    playNext();
  }

  async function send(body) {
    busy = true;
    try {
      const response = await fetch(root.dataset.endpoint, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: {"Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf},
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (call) receive(data); // not after "Hang up" pressed while the line was answering
    } catch (error) {
      endCall();
      setStatus(text("sim.status.error"));
    } finally {
      busy = false;
    }
  }

  function act(body) {
    if (!call || busy) return;
    stopAll();
    setKeys(false);
    dialBox.hidden = true;
    send({...body, state: call.state});
  }

  function press(key) {
    if (!call || !call.listening || busy) return;
    act({action: "press", key, heard: heardNow()});
  }

  $("sim-options").addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    stopAll();
    rows.textContent = "";
    running.textContent = "0.0";
    callButton.disabled = true;
    hangUpButton.disabled = false;
    setStatus(text("sim.status.calling"));
    call = {state: null};
    send({action: "start", date: $("sim-date").value, time: $("sim-time").value,
          country: $("sim-country").value, drafts: $("sim-drafts").checked});
  });
  hangUpButton.addEventListener("click", endCall);
  keyButtons.forEach((b) => b.addEventListener("click", () => press(b.dataset.key)));
  root.querySelectorAll("[data-outcome]").forEach((b) => b.addEventListener("click", () => {
    if (call && call.dialing) act({action: "dial", outcome: b.dataset.outcome});
  }));
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest && event.target.closest("input, select, textarea");
    if (!typing && /^[0-9*#]$/.test(event.key) && call && call.listening) {
      event.preventDefault();
      press(event.key);
    }
  });
})();
