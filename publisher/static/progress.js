// The item page while its slides are being rendered: ask every 3 s where the work stands and
// show the server's words; reload once it is done, so the page shows the new state.
(function () {
  var box = document.querySelector('#render-progress[data-progress-url]');
  if (!box) return;
  var text = box.querySelector('.progress-text');
  function poll() {
    fetch(box.getAttribute('data-progress-url'), {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { setTimeout(poll, 10000); return; }
        if (!state.busy) { window.location.reload(); return; }
        text.textContent = state.text;
        setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 3000);
})();
