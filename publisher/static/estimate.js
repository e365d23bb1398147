// The content form's "预计播出 3 页，共 1 分 20 秒": asked of the server (the renderer's own
// pagination and timing, nothing drawn) when the form opens and shortly after each change.
(() => {
  const line = document.getElementById("air-estimate");
  if (!line) return;
  const form = document.getElementById(line.dataset.form);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const WAIT_MS = 700;  // after the last keystroke
  let timer = null;
  let asked = 0;

  async function ask() {
    const mine = ++asked;
    const body = new FormData(form);
    for (const [name, value] of [...body]) if (value instanceof File) body.delete(name);  // no photo
    try {
      const res = await fetch(line.dataset.estimate, {
        method: "POST", body,
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
      const answer = await res.json().catch(() => ({}));
      if (mine !== asked) return;  // a later change has asked again
      line.classList.toggle("error", !res.ok && res.status !== 400);
      line.textContent = res.ok ? answer.text : (answer.error || "");
      line.dataset.seconds = res.ok ? answer.seconds : "";
    } catch (err) {
      if (mine === asked) line.textContent = "";
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  ask();
})();
