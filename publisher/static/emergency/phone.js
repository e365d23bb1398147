/* The household's phone page (publisher/emergency/views_phone.py). Plain ES5: old Android
   browsers. The card's token arrives in the URL fragment (never sent to the server), is
   kept on the phone and sent in the X-Household-Token header. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("texts").textContent);
  var STORE = "villagecast.householdToken";
  var POLL_OPEN_MS = 3000, POLL_IDLE_MS = 30000, RETRY_MS = 3000;
  var app = document.getElementById("app");
  var pressButton = document.getElementById("press");
  var cancelButton = document.getElementById("cancel");
  var share = document.getElementById("share");
  var statusBox = document.getElementById("status");
  var statusText = document.getElementById("status-text");
  var statusMore = document.getElementById("status-more");
  var token = null, pendingKey = null, pollTimer = null, retryTimer = null;

  function takeToken() {
    var match = /(?:^#|&)t=([A-Za-z0-9_-]{20,200})/.exec(window.location.hash);
    var stored = null;
    try { stored = window.localStorage.getItem(STORE); } catch (e) { stored = null; }
    if (match) {
      try {
        window.localStorage.setItem(STORE, match[1]);
        // Kept on the phone: take it out of the address bar (screenshots, sharing).
        window.history.replaceState(null, "", window.location.pathname);
      } catch (e) { /* private mode: keep it in the address for the next visit */ }
      return match[1];
    }
    return stored;
  }

  function show(state, text, more) {
    app.setAttribute("data-state", state);
    statusBox.hidden = !text;
    statusText.textContent = text || "";
    statusMore.textContent = more || "";
  }

  function render(data) {
    if (data.household) { document.getElementById("who").textContent = T.title + " · " + data.household; }
    cancelButton.hidden = !data.open;
    pressButton.disabled = false;
    if (data.state === "triggered") {
      show("triggered", T.sent, T.acknowledged_more);
    } else if (data.state === "acknowledged") {
      show("acknowledged", T.acknowledged.replace("{who}", data.acknowledged_by || ""),
           T.acknowledged_more);
    } else if (data.state === "resolved") {
      show("resolved", T.resolved, "");
    } else if (data.state === "cancelled") {
      show("cancelled", T.cancelled, "");
    } else {
      show("idle", "", "");
    }
    schedulePoll(data.open ? POLL_OPEN_MS : POLL_IDLE_MS);
  }

  function post(path, body, done, failed) {
    var request = new XMLHttpRequest();
    request.open("POST", path, true);
    request.setRequestHeader("Content-Type", "application/json");
    request.setRequestHeader("X-Household-Token", token);
    request.timeout = 15000;
    request.onload = function () {
      var data = {};
      try { data = JSON.parse(request.responseText); } catch (e) { data = {}; }
      if (request.status === 404) { invalid(); return; }
      if (request.status >= 500 || request.status === 0) { failed(); return; }
      done(data, request.status);
    };
    request.onerror = failed;
    request.ontimeout = failed;
    request.send(JSON.stringify(body || {}));
  }

  function invalid() {
    pressButton.disabled = true;
    cancelButton.hidden = true;
    show("invalid", T.invalid, "");
  }

  function schedulePoll(ms) {
    window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(poll, ms);
  }

  function poll() {
    if (!token) { return; }
    post("status", {}, function (data) { render(data); },
         function () { schedulePoll(POLL_OPEN_MS); });
  }

  function newKey() {
    return "phone-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  function sendPress(location) {
    var body = {idempotency_key: pendingKey, share_location: !!location, location: location};
    post("press", body, function (data, status) {
      window.clearTimeout(retryTimer);
      if (status >= 400) { show("offline", data.error || T.offline, ""); pressButton.disabled = false; return; }
      if (!location) { pendingKey = data.open ? pendingKey : null; }
      render(data);
    }, function () {
      // No data or the server unreachable: say so, offer the SMS, and keep trying with
      // the same key (a press that did arrive is not counted twice).
      show("offline", T.offline, "");
      pressButton.disabled = false;
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(function () { sendPress(location); }, RETRY_MS);
    });
  }

  function press() {
    if (!token) { return; }
    pressButton.disabled = true;
    pendingKey = pendingKey || newKey();
    show("sending", T.sending, "");
    sendPress(null);  // never wait for the location: the call goes first
    if (share.checked && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (position) {
        sendPress({lat: position.coords.latitude, lon: position.coords.longitude,
                   accuracy: position.coords.accuracy});
      }, function () { statusMore.textContent = T.no_location; },
      {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
    }
  }

  function cancel() {
    if (!window.confirm(T.confirm_cancel)) { return; }
    post("cancel", {}, function (data) { pendingKey = null; render(data); },
         function () { show("offline", T.offline, ""); });
  }

  token = takeToken();
  if (!token) {
    document.getElementById("nocard").hidden = false;
    pressButton.disabled = true;
  } else {
    pressButton.addEventListener("click", press);
    cancelButton.addEventListener("click", cancel);
    poll();
  }
  window.addEventListener("online", poll);
  if ("serviceWorker" in navigator) {
    // Opens the page from the phone's cache when there is no data, so the SMS is offered.
    navigator.serviceWorker.register("sw.js").catch(function () { return null; });
  }
}());
