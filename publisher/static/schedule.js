// Channel schedule page: add/clear daypart rows, and show the share of airtime the form
// would give as it is edited. The server computes the shares (the same function the page
// and the channel use); this only asks it and writes the answers into the share column.
(() => {
  const form = document.getElementById("schedule-form");
  if (!form) return;
  const DELAY_MS = 250;
  let timer = null;
  let asked = 0;

  async function refresh() {
    const ticket = ++asked;
    let answer;
    try {
      const res = await fetch(form.dataset.airtime, {
        method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
      });
      if (!res.ok) return;
      answer = await res.json();
    } catch {
      return;  // offline for a moment: the shares are recomputed on save anyway
    }
    if (ticket !== asked) return;  // a newer edit has asked since
    for (const [category, share] of Object.entries(answer.shares)) {
      const cell = document.getElementById(`share-${category}`);
      if (cell) cell.textContent = share;
    }
    document.getElementById("share-idle").textContent = answer.idle;
    for (const row of form.querySelectorAll("tr[data-category]")) {
      const weight = row.querySelector(`[name="weight-${row.dataset.category}"]`);
      const off = weight.type === "checkbox" ? !weight.checked : Number(weight.value) === 0;
      row.classList.toggle("off", off);
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  }

  function updateAddButton(cell) {
    const button = cell.querySelector("[data-add-daypart]");
    button.hidden = !cell.querySelector("tr.daypart[hidden]");
  }

  for (const cell of form.querySelectorAll("tr[data-category] > td:last-child")) {
    updateAddButton(cell);
    cell.querySelector("[data-add-daypart]").addEventListener("click", () => {
      const next = cell.querySelector("tr.daypart[hidden]");
      if (next) {
        next.hidden = false;
        next.querySelector("input").focus();
      }
      updateAddButton(cell);
    });
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-clear-daypart]");
    if (!button) return;
    const row = button.closest("tr.daypart");
    for (const input of row.querySelectorAll("input")) {
      if (input.type === "checkbox") input.checked = false;
      else input.value = "";
    }
    // Keep one (empty) row in view; hide the others once cleared.
    const cell = row.closest("td");
    const shown = cell.querySelectorAll("tr.daypart:not([hidden])");
    if (shown.length > 1) row.hidden = true;
    updateAddButton(cell);
    later();
  });
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
