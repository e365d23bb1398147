// Check-in with location: only when the cadre ticks the box, the phone's position is read
// once, as the report is sent (the browser asks for permission then). Nothing is tracked.
(function () {
  const box = document.getElementById("attach-location");
  if (!box) return;
  const form = box.form;
  const status = document.getElementById("loc-status");
  const field = (id) => document.getElementById(id);
  let located = false;
  form.addEventListener("submit", (event) => {
    if (!box.checked || located || !navigator.geolocation) return;
    event.preventDefault();
    const submitter = event.submitter;
    status.textContent = "正在读取位置…";
    const send = () => {
      located = true;
      if (submitter && submitter.name) {
        const carry = document.createElement("input");
        carry.type = "hidden"; carry.name = submitter.name; carry.value = submitter.value;
        form.appendChild(carry);
      }
      form.submit();
    };
    navigator.geolocation.getCurrentPosition((pos) => {
      field("loc-lat").value = pos.coords.latitude.toFixed(6);
      field("loc-lon").value = pos.coords.longitude.toFixed(6);
      field("loc-accuracy").value = Math.round(pos.coords.accuracy);
      status.textContent = "已读取位置，正在报告…";
      send();
    }, () => {
      status.textContent = "没有读到位置，报告不带位置。";
      send();
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 });
  });
})();
