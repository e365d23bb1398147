// Plays the channel's live HLS in the admin (hls.js; native HLS where the browser has it).
(function () {
  const video = document.getElementById("player");
  if (!video) return;
  const status = document.getElementById("player-status");
  const src = video.dataset.src;
  const say = (text) => { if (status) status.textContent = text; };
  video.addEventListener("playing", () => say("直播中 · " + src));
  if (window.Hls && window.Hls.isSupported()) {
    const hls = new window.Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 30 });
    hls.on(window.Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) {
        say("直播流暂时不可用，正在重试…");
        setTimeout(() => hls.loadSource(src), 3000);
      }
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;
  } else {
    say("此浏览器不支持 HLS 播放。");
  }
})();
