// The item page of a video that is still transcoding: ask how far it is every 2 s and
// show it; reload once every channel's clip is ready, so the player appears.
(function () {
  var panel = document.querySelector('.video-panel[data-progress]');
  if (!panel || panel.querySelector('video')) return;
  function poll() {
    fetch(panel.getAttribute('data-progress'), {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (rows) {
        if (!rows || !rows.length) return;
        if (rows.every(function (r) { return r.ready; })) { window.location.reload(); return; }
        var bars = panel.querySelectorAll('progress');
        rows.forEach(function (r, i) {
          if (bars[i] && r.progress !== null) bars[i].value = Math.round(r.progress * 100);
        });
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
