// The content form's recorder (村广播): record / stop / listen / record again, on a phone.
// The microphone is asked for only when "开始录音" is tapped. What is recorded is put into the
// form's file input, so it is sent with the form like an uploaded file and checked the same
// way on the server. Messages come from the template (data-msg-*), already translated.
(() => {
  const box = document.getElementById("recording-box");
  if (!box) return;
  const panel = box.querySelector("[data-recorder]");
  const input = box.querySelector('input[type="file"]');
  const playback = panel.querySelector("[data-playback]");
  const status = panel.querySelector("[data-status]");
  const clock = panel.querySelector("[data-time]");
  const buttons = {};
  for (const b of panel.querySelectorAll("[data-action]")) buttons[b.dataset.action] = b;
  const maxSeconds = Number(box.dataset.maxSeconds) || 300;
  const maxBytes = Number(box.dataset.maxBytes) || 0;
  // Opus in WebM (Chrome, Android, WeChat), Ogg (Firefox), AAC in MP4 (Safari).
  const TYPES = [["audio/webm;codecs=opus", "webm"], ["audio/ogg;codecs=opus", "ogg"],
                 ["audio/mp4", "m4a"], ["audio/webm", "webm"]];
  let recorder = null;
  let stream = null;
  let chunks = [];
  let started = 0;
  let ticker = null;
  let playbackUrl = null;

  function say(text, bad = false) {
    status.textContent = text;
    status.classList.toggle("error", bad);
  }

  function mmss(seconds) {
    const s = Math.max(0, Math.round(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  function show(state) {  // "idle", "recording" or "recorded"
    buttons.record.hidden = state !== "idle";
    buttons.stop.hidden = state !== "recording";
    buttons.again.hidden = state !== "recorded";
    playback.hidden = state !== "recorded";
    panel.classList.toggle("live", state === "recording");
  }

  const secondsField = panel.querySelector("[data-seconds]");

  // The air-time estimate (estimate.js) counts the recording from its length: told here,
  // since the file itself goes to the server only when the form is saved.
  function tellLength(seconds) {
    secondsField.value = seconds ? seconds.toFixed(1) : "";
    box.closest("form").dispatchEvent(new Event("change"));
  }

  function clearRecording() {
    if (playbackUrl) URL.revokeObjectURL(playbackUrl);
    playbackUrl = null;
    playback.removeAttribute("src");
    input.value = "";
    if (secondsField.value) tellLength(0);
  }

  function release() {
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    clearInterval(ticker);
  }

  async function start() {
    clearRecording();
    say("");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: true, autoGainControl: true },
      });
    } catch (err) {
      release();
      const denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
      const missing = err && (err.name === "NotFoundError" || err.name === "OverconstrainedError");
      say(denied ? box.dataset.msgDenied : missing ? box.dataset.msgNomic : box.dataset.msgFailed, true);
      return;
    }
    const [mimeType, ext] = TYPES.find(([t]) => MediaRecorder.isTypeSupported(t)) || ["", "webm"];
    recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    chunks = [];
    recorder.addEventListener("dataavailable", (e) => { if (e.data.size) chunks.push(e.data); });
    recorder.addEventListener("stop", () => finish(ext, recorder.mimeType || mimeType));
    recorder.addEventListener("error", () => { release(); show("idle"); say(box.dataset.msgFailed, true); });
    recorder.start(1000);
    started = performance.now();
    clock.textContent = mmss(0);
    ticker = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      clock.textContent = mmss(elapsed);
      if (elapsed >= maxSeconds) {
        say(box.dataset.msgTooLong);
        stop();
      }
    }, 250);
    show("recording");
    say(box.dataset.msgRecording);
  }

  function stop() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    release();
  }

  function finish(ext, type) {
    const seconds = (performance.now() - started) / 1000;
    const blob = new Blob(chunks, { type: (type || "audio/webm").split(";")[0] });
    if (!blob.size) {
      show("idle");
      say(box.dataset.msgFailed, true);
      return;
    }
    const file = new File([blob], `录音.${ext}`, { type: blob.type });
    const files = new DataTransfer();
    files.items.add(file);
    input.files = files.files;
    playbackUrl = URL.createObjectURL(blob);
    playback.src = playbackUrl;
    clock.textContent = mmss(seconds);
    show("recorded");
    say(box.dataset.msgRecorded.replace("{t}", mmss(seconds)));
    box.dataset.recorded = String(Math.round(seconds * 10) / 10);
    tellLength(seconds);
  }

  input.addEventListener("change", () => {
    if (secondsField.value) tellLength(0);  // a chosen file replaces what was recorded
    const file = input.files && input.files[0];
    if (file && maxBytes && file.size > maxBytes) {
      say(box.dataset.msgTooBig.replace("{mb}", `${(file.size / 1048576).toFixed(1)} MB`), true);
      input.value = "";
    }
  });

  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder)) {
    panel.hidden = false;
    show("none");
    say(box.dataset.msgUnsupported);
    return;
  }
  buttons.record.addEventListener("click", start);
  buttons.stop.addEventListener("click", stop);
  buttons.again.addEventListener("click", () => { clearRecording(); start(); });
  panel.hidden = false;
  show("idle");
})();
