// Reports page: "Generate now" posts JSON to /api/reports (a fetch from the app's own origin, so
// it passes the origin check; JSON is what the route accepts) and reloads the list when done.
(function () {
  "use strict";
  const button = document.getElementById("generate");
  const status = document.getElementById("generate-status");
  if (!button || !status) return;
  button.addEventListener("click", async function () {
    button.disabled = true;
    status.textContent = "Generating… (the analysis can take a minute)";
    try {
      const res = await fetch("/api/reports", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        status.textContent = body.error ?? res.status + " " + res.statusText;
        button.disabled = false;
        return;
      }
      status.textContent = "Wrote " + body.name + " in " + (body.elapsedMs / 1000).toFixed(1) +
        " s";
      location.reload();
    } catch (e) {
      status.textContent = "Could not generate: " + e.message;
      button.disabled = false;
    }
  });
})();
