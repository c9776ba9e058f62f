// Alerts page, workflows section: Approve and Roll back post JSON to /api/workflows/* (a fetch
// from the app's own origin passes the origin check) and reload the page when done.
(function () {
  "use strict";
  const status = document.getElementById("workflows-status");
  document.addEventListener("click", async function (event) {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    const id = button.dataset.approve ?? button.dataset.rollback;
    if (!id) return;
    const path = button.dataset.approve ? "/api/workflows/approve" : "/api/workflows/rollback";
    button.disabled = true;
    try {
      const res = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id: id }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        if (status) status.textContent = body.error ?? res.status + " " + res.statusText;
        button.disabled = false;
        return;
      }
      location.reload();
    } catch (e) {
      if (status) status.textContent = "Failed: " + e.message;
      button.disabled = false;
    }
  });
})();
