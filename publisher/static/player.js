// Plays the channel's live HLS in the admin as a live picture, the way a TV shows it: no seek
// bar, a 直播 mark, the delay behind live in words, and it stays near the live edge — hls.js
// plays slightly faster to catch up, jumps forward when it falls too far behind, and after a
// pause or a hidden tab the 回到直播 button (or coming back to the tab) goes straight to live.
(function () {
  const video = document.getElementById("player");
  if (!video) return;
  const status = document.getElementById("player-status");
  const liveButton = document.getElementById("player-live");
  const soundButton = document.getElementById("player-sound");
  const src = video.dataset.src;
  const FAR_BEHIND_S = 8; // beyond this the 回到直播 button shows
  let hls = null;
  const say = (text) => { if (status) status.textContent = text; };

  // Where "live" is now: hls.js's own sync point, else the end of what can be played.
  function liveEdge() {
    if (hls && Number.isFinite(hls.liveSyncPosition)) return hls.liveSyncPosition;
    const ranges = video.seekable;
    return ranges.length ? ranges.end(ranges.length - 1) - 3 : null;
  }
  function behind() {
    const edge = liveEdge();
    return edge === null ? 0 : Math.max(0, edge - video.currentTime);
  }
  function goLive() {
    const edge = liveEdge();
    if (edge !== null) video.currentTime = edge;
    video.play().catch(() => {});
  }
  window.villagecastPlayer = { behind, goLive };

  if (liveButton) liveButton.addEventListener("click", goLive);
  if (soundButton) {
    soundButton.addEventListener("click", () => {
      video.muted = !video.muted;
      soundButton.textContent = video.muted ? "开启声音" : "关闭声音";
      soundButton.setAttribute("aria-pressed", String(!video.muted));
    });
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) goLive(); });
  video.addEventListener("playing", () => say("直播中"));
  setInterval(() => {
    const late = behind();
    if (liveButton) liveButton.hidden = !(video.paused || late > FAR_BEHIND_S);
    if (video.paused) { say("已暂停 · 点“回到直播”继续"); return; }
    if (video.readyState < 2) return;
    const delay = hls && Number.isFinite(hls.latency) ? hls.latency : late;
    say("直播中 · 比实时晚约 " + Math.round(delay) + " 秒");
  }, 1000);

  if (window.Hls && window.Hls.isSupported()) {
    hls = new window.Hls({
      liveSyncDurationCount: 2, // start two segments from the end
      liveMaxLatencyDurationCount: 5, // further behind than this: jump back to live
      maxLiveSyncPlaybackRate: 1.2, // a little behind: catch up by playing a little faster
      manifestLoadingMaxRetry: 30,
    });
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
