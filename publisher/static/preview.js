// "预览电视画面": ask the server to render the slide(s), then poll the job until the
// pages are ready and show them with how long each stays on air.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const zh = document.documentElement.lang !== "en";
  const T = zh
    ? { queued: "已提交，正在排队渲染…", running: "正在渲染…", failed: "渲染失败：", error: "无法预览：",
        slow: "渲染时间较长，请稍后再试。", page: (n, c) => `第 ${n}/${c} 页`, secs: (s) => `播出 ${s} 秒`,
        total: (s, c) => `共 ${c} 页，约 ${s} 秒` }
    : { queued: "Queued for rendering…", running: "Rendering…", failed: "Rendering failed: ", error: "Cannot preview: ",
        slow: "Rendering is taking long, please try again later.", page: (n, c) => `Page ${n}/${c}`,
        secs: (s) => `${s} s on air`, total: (s, c) => `${c} page(s), about ${s} s` };
  const POLL_MS = 1000;
  const GIVE_UP_AFTER = 120;  // polls: the clock process renders within seconds normally

  function show(panel, text, isError) {
    panel.hidden = false;
    const status = panel.querySelector(".preview-status");
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function renderPages(panel, pages) {
    const box = panel.querySelector(".preview-pages");
    box.replaceChildren();
    let total = 0;
    for (const p of pages) {
      total += Number(p.duration_s) || 0;
      const fig = document.createElement("figure");
      const img = document.createElement("img");
      img.src = p.url;
      img.alt = T.page(p.page_no, p.page_count);
      img.loading = "lazy";
      const cap = document.createElement("figcaption");
      cap.textContent = `${T.page(p.page_no, p.page_count)} · ${T.secs(Number(p.duration_s).toFixed(1))}`;
      fig.append(img, cap);
      box.append(fig);
    }
    show(panel, T.total(total.toFixed(0), pages.length));
  }

  async function poll(panel, url, tries) {
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    if (!res.ok) return show(panel, T.error + res.status, true);
    const job = await res.json();
    if (job.state === "done") return renderPages(panel, job.pages);
    if (job.state === "failed") return show(panel, T.failed + (job.error || ""), true);
    if (tries >= GIVE_UP_AFTER) return show(panel, T.slow, true);
    show(panel, job.state === "running" ? T.running : T.queued);
    setTimeout(() => poll(panel, url, tries + 1), POLL_MS);
  }

  async function start(button) {
    const panel = document.getElementById(button.dataset.panel || "preview");
    const formId = button.dataset.form;
    const body = formId ? new FormData(document.getElementById(formId)) : new FormData();
    panel.querySelector(".preview-pages").replaceChildren();
    show(panel, T.queued);
    button.disabled = true;
    try {
      const res = await fetch(button.dataset.preview, {
        method: "POST", body, headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) {
        const details = Object.values(answer.fields || {}).flat().join(" ");
        return show(panel, T.error + (answer.error || res.status) + (details ? " " + details : ""), true);
      }
      panel.scrollIntoView({ behavior: "smooth", block: "start" });
      await poll(panel, answer.status_url, 0);
    } catch (err) {
      show(panel, T.error + err, true);
    } finally {
      button.disabled = false;
    }
  }

  document.querySelectorAll("[data-preview]").forEach((button) =>
    button.addEventListener("click", () => start(button)));
})();
