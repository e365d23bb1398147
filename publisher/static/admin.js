// Small progressive enhancements shared by every admin page.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
// The Content-Security-Policy allows no inline handlers (publisher.security.headers): pages
// mark elements instead. A select with data-autosubmit submits its form when changed; a
// button with data-print prints the page.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
