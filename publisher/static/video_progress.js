// The item page of a video that is still transcoding: ask how far it is every 2 s and
// move its bars; reload when a transcode starts (the page then draws its bar) and once
// every channel's clip is ready (the page then shows the player).
(function () {
  var panel = document.querySelector('.video-panel[data-progress]');
  if (!panel || panel.querySelector('video')) return;
  function poll() {
    fetch(panel.getAttribute('data-progress'), {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (rows) {
        if (!rows || !rows.length) return;
        var bars = panel.querySelectorAll('progress');
        var started = rows.some(function (r, i) { return r.progress !== null && !bars[i]; });
        if (started || rows.every(function (r) { return r.ready; })) {
          window.location.reload();
          return;
        }
        rows.forEach(function (r, i) {
          if (bars[i] && r.progress !== null) {
            var pct = Math.round(r.progress * 100);
            bars[i].value = pct;
            var label = bars[i].nextElementSibling;
            if (label && label.hasAttribute('data-percent')) label.textContent = pct + '%';
          }
        });
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
