// Alerts page: live states from /api/alerts every second, the history timeline (Plot) from
// /api/alerts/history with a link to each alert's series in Explore, silences (list, create,
// expire) and the rule backtest chart. Every text from the server goes in with textContent,
// never as HTML: labels and annotations come from pushed samples and the config.
import {
  formatExact,
  formatTime,
  TIME_LABEL,
  TIME_MARGIN_RIGHT,
  timeTickFormat,
} from "/assets/format.js";
import { isolated, isolatedText, visible } from "/assets/bidi.js";

(function () {
  const $ = (id) => document.getElementById(id);
  const HIDDEN = new Set(["alertname", "severity", "host"]);
  const state = { rules: [], historyMs: 86_400_000 };

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, v);
    return node;
  }

  // `wrap`: the columns holding names from the data (label values of up to 1 KiB), which break
  // anywhere rather than widen the page (see td.wrap in style.css)
  function row(cells, wrap = []) {
    const tr = document.createElement("tr");
    for (const [i, c] of cells.entries()) {
      const td = document.createElement("td");
      if (wrap.includes(i)) td.className = "wrap";
      if (c instanceof Node) td.append(c);
      else td.textContent = c ?? "";
      tr.append(td);
    }
    return tr;
  }

  // `k="v", k2="v2"` for a chart's axis (SVG text), each value isolated (see bidi.js)
  function labelText(labels) {
    return Object.entries(labels)
      .filter(([k]) => k !== "alertname")
      .map(([k, v]) => `${k}="${isolatedText(v)}"`)
      .join(", ");
  }

  // the same for HTML: each value in its own <bdi>, so a right-to-left override in one value
  // cannot reverse the labels after it
  function labelNodes(labels) {
    const out = document.createDocumentFragment();
    for (const [k, v] of Object.entries(labels).filter(([k]) => k !== "alertname")) {
      if (out.childNodes.length) out.append(", ");
      out.append(`${k}="`, isolated(v), '"');
    }
    return out;
  }

  // a series' labels as the lake writes them (`k=v,k2=v2`, `\`, `,` and `=` escaped): Explore
  // picks the series whose labels are this text, and /api/series parses it
  function canonicalLabels(labels) {
    const esc = (s) => s.replace(/[\\,=]/g, "\\$&");
    return Object.keys(labels).filter((k) => !HIDDEN.has(k)).sort()
      .map((k) => `${esc(k)}=${esc(labels[k])}`).join(",");
  }

  // the labels of the series behind an instance: without the labels its rule adds (the server
  // lists them apart as seriesLabels when the rule has extra_labels)
  function seriesLabelsOf(instance) {
    return instance.seriesLabels ?? instance.labels;
  }

  // the series behind an alert: the rule's metric, its host and the labels that are not the
  // alert's own (alertname, severity), in Explore around the given time span
  function seriesLink(rule, labels, from, to) {
    const metric = state.rules.find((r) => r.alert === rule)?.metric;
    if (!metric) return "";
    const rest = canonicalLabels(labels);
    const q = new URLSearchParams({
      metric,
      series: `${labels.host ?? ""}|${rest}`,
      from: String(Math.round(from - 900_000)),
      to: String(Math.round(to + 900_000)),
    });
    return el("a", metric, { href: "/explore?" + q });
  }

  async function json(url, init) {
    const res = await fetch(url, init);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
    return body;
  }

  // what receivers' delay: holds back: receiver, alert, the state it will hear of, and when
  function showHeld(held) {
    $("held").hidden = held.length === 0;
    $("held-list").replaceChildren(...held.map((h) => {
      const li = el("li");
      const labels = labelNodes(h.labels);
      li.append(
        el("strong", h.receiver),
        ` ← ${h.alert}`,
        ...(labels.childNodes.length ? [" {", labels, "}"] : []),
        " ",
        el("span", h.state, { class: `state state-${h.state}` }),
        `, sends at ${formatTime(h.dueAt, { seconds: true })}`,
      );
      li.dataset.receiver = h.receiver;
      return li;
    }));
  }

  async function refreshLive() {
    try {
      const body = await json("/api/alerts");
      state.rules = body.rules ?? [];
      const tbody = $("alerts-table").tBodies[0];
      const shown = body.alerts.filter((a) => a.state !== "inactive")
        .sort((a, b) => (a.state === "firing" ? 0 : 1) - (b.state === "firing" ? 0 : 1));
      tbody.replaceChildren(...shown.map((a) => {
        const since = a.state === "firing" ? a.firedAt : a.activeAt;
        const muted = [
          ...(a.silencedBy.length ? ["silenced"] : []),
          ...(a.inhibitedBy.length ? ["inhibited"] : []),
        ].join(", ");
        const tr = row([
          el("span", a.state, { class: `state state-${a.state}` }),
          a.rule,
          labelNodes(a.labels),
          a.value === null ? "–" : formatExact(a.value),
          formatTime(since, { seconds: true }),
          muted,
          seriesLink(a.rule, seriesLabelsOf(a), since ?? body.at - 3_600_000, body.at),
        ], [2]);
        tr.dataset.state = a.state;
        // an annotation may quote a label value ({{ $labels.service }}): escaped as names are
        tr.title = Object.values(a.annotations ?? {}).map(visible).join("\n");
        return tr;
      }));
      const firing = body.alerts.filter((a) => a.state === "firing").length;
      const pending = body.alerts.filter((a) => a.state === "pending").length;
      $("alerts-meta").textContent = shown.length === 0
        // the list holds only instances that are not inactive, so it counted 0 of them: "none of
        // 0 alert instances" with two rules evaluated every second
        ? `All quiet: no alert of the ${body.rules?.length ?? 0} rule${
          body.rules?.length === 1 ? "" : "s"
        } is pending or firing.`
        : `${firing} firing, ${pending} pending, of ${body.alerts.length} instance${
          body.alerts.length === 1 ? "" : "s"
        } · ${formatTime(body.at, { seconds: true })}`;
      const receivers = Object.entries(body.receivers ?? {});
      $("receivers-meta").textContent = receivers.length === 0 ? "" : "Receivers: " +
        receivers.map(([name, s]) =>
          `${name} ${s.sent} sent, ${s.failed} failed, ${s.rateLimited} rate-limited` +
          (s.lastError ? ` (last error: ${s.lastError})` : "")
        ).join(" · ");
      showHeld(body.held ?? []);
    } catch (e) {
      $("alerts-meta").textContent = "Could not load alert states: " + e.message;
    }
  }

  // firing (and pending) intervals from the transitions, oldest first
  function intervals(transitions, since, until) {
    const open = new Map();
    const out = [];
    for (const t of transitions) {
      const key = t.instance.fingerprint;
      const prev = open.get(key);
      if (prev) {
        prev.end = t.at;
        out.push(prev);
        open.delete(key);
      }
      if (t.to === "firing" || t.to === "pending") {
        open.set(key, {
          key: `${t.instance.rule} ${labelText(t.instance.labels)}`,
          rule: t.instance.rule,
          labels: t.instance.labels,
          state: t.to,
          start: t.at,
          end: until,
        });
      }
    }
    out.push(...open.values());
    return out.map((i) => ({ ...i, start: Math.max(i.start, since) }));
  }

  function drawIntervals(target, data, since, until) {
    target.replaceChildren();
    if (data.length === 0) return;
    const keys = [...new Set(data.map((d) => d.key))];
    const width = Math.max(320, target.clientWidth || 900);
    const marginLeft = Math.min(360, 8 + 7 * Math.max(...keys.map((k) => k.length)));
    // an interval of seconds on a day's axis was under a pixel wide: the chart looked empty beside
    // a table of transitions. Each bar is at least 3 px (its tooltip keeps the real times).
    const least = 3 * (until - since) / Math.max(1, width - marginLeft - TIME_MARGIN_RIGHT);
    target.append(Plot.plot({
      width,
      height: 40 + 24 * keys.length,
      marginLeft,
      marginRight: TIME_MARGIN_RIGHT,
      x: {
        type: "utc",
        domain: [new Date(since), new Date(until)],
        label: TIME_LABEL,
        tickFormat: timeTickFormat(until - since),
      },
      y: { domain: keys, label: null },
      color: { domain: ["pending", "firing"], range: ["#e0a800", "#c0392b"], legend: true },
      marks: [
        Plot.barX(data, {
          x1: (d) => new Date(d.start),
          x2: (d) => new Date(Math.max(d.end, d.start + least)),
          y: "key",
          fill: "state",
          title: (d) =>
            `${d.state} ${d.key}\n${formatTime(d.start, { seconds: true })} → ${
              formatTime(d.end, { seconds: true })
            }`,
        }),
      ],
    }));
  }

  // Sparklines in the history table: the alert's series over the span of the entry (from the
  // alert's previous change, or 15 minutes before, to its next change or now; at most 3 h either
  // side), with a mark at the change. Kept light: the newest SPARKS rows only, one request at a
  // time, answers cached by URL (an open span's end is rounded up to the minute so that the 30 s
  // refresh reuses them).
  const SPARKS = 20;
  const sparkCache = new Map();

  function sparkSpan(transitions, i, until) {
    const t = transitions[i];
    const key = t.instance.fingerprint;
    let prev;
    let next;
    for (let j = i - 1; j >= 0 && prev === undefined; j--) {
      if (transitions[j].instance.fingerprint === key) prev = transitions[j].at;
    }
    for (let j = i + 1; j < transitions.length && next === undefined; j++) {
      if (transitions[j].instance.fingerprint === key) next = transitions[j].at;
    }
    const from = Math.max(prev ?? t.at - 900_000, t.at - 10_800_000);
    const to = Math.min(next ?? Math.ceil(until / 60_000) * 60_000, t.at + 10_800_000);
    return [from, Math.max(to, t.at + 60_000)];
  }

  function sparkUrl(rule, labels, from, to) {
    const metric = state.rules.find((r) => r.alert === rule)?.metric;
    if (!metric) return undefined;
    const rest = canonicalLabels(labels);
    const q = new URLSearchParams({
      metric,
      labels: rest,
      host: labels.host ?? "",
      from: String(Math.round(from)),
      to: String(Math.round(to)),
      // about 60 points whatever the span
      step: `${Math.max(1, Math.ceil((to - from) / 60_000))}s`,
    });
    return { metric, url: "/api/series?" + q };
  }

  async function drawSpark(td, t, from, to) {
    const target = sparkUrl(t.instance.rule, seriesLabelsOf(t.instance), from, to);
    if (!target) return;
    if (sparkCache.size > 200) sparkCache.clear();
    let body = sparkCache.get(target.url);
    if (!body) {
      body = await json(target.url).catch(() => null);
      if (body) sparkCache.set(target.url, body);
    }
    const points = (body?.ts ?? []).map((ts, i) => ({ t: new Date(ts), v: body.values[i] }));
    const values = points.map((p) => p.v).filter((v) => v !== null);
    if (values.length === 0) {
      td.textContent = "–";
      td.title = `No ${target.metric} samples in this span`;
      return;
    }
    td.title = `${target.metric} ${formatTime(from)} → ${formatTime(to)}: ${
      formatExact(Math.min(...values))
    } … ${formatExact(Math.max(...values))}`;
    td.replaceChildren(Plot.plot({
      width: 120,
      height: 26,
      margin: 2,
      x: { type: "utc", domain: [new Date(from), new Date(to)], axis: null },
      y: { axis: null, nice: false },
      marks: [
        Plot.lineY(points, { x: "t", y: "v", stroke: "currentColor", strokeWidth: 1 }),
        Plot.ruleX([new Date(t.at)], {
          stroke: t.to === "firing" ? "#c0392b" : "#888",
          strokeDasharray: "2,2",
        }),
      ],
    }));
  }

  async function drawSparks(cells) {
    for (const [td, t, from, to] of cells) {
      if (!td.isConnected) return; // a newer refresh replaced the table
      await drawSpark(td, t, from, to);
    }
  }

  async function refreshHistory() {
    const until = Date.now();
    const since = until - state.historyMs;
    try {
      const body = await json(`/api/alerts/history?from=${since}&to=${until}`);
      drawIntervals($("timeline"), intervals(body.transitions, since, until), since, until);
      const all = body.transitions;
      const recent = all.slice(-200).reverse();
      const sparks = [];
      $("history-table").tBodies[0].replaceChildren(...recent.map((t, n) => {
        const spark = el("td", null, { class: "spark" });
        if (n < SPARKS) sparks.push([spark, t, ...sparkSpan(all, all.length - 1 - n, until)]);
        const tr = row([
          formatTime(t.at, { seconds: true }),
          t.instance.rule,
          labelNodes(t.instance.labels),
          `${t.from} → ${t.to}`,
          t.instance.value === null ? "–" : formatExact(t.instance.value),
          seriesLink(
            t.instance.rule,
            seriesLabelsOf(t.instance),
            t.at - 3_600_000,
            Math.min(until, t.at + 3_600_000),
          ),
        ], [2]);
        tr.append(spark);
        return tr;
      }));
      drawSparks(sparks);
      if (recent.length === 0) {
        $("timeline").replaceChildren(
          el("p", "No state changes in this range.", { class: "muted" }),
        );
      }
    } catch (e) {
      $("timeline").replaceChildren(
        el("p", "Could not load the history: " + e.message, { class: "muted" }),
      );
    }
  }

  async function refreshSilences() {
    try {
      const body = await json("/api/silences");
      $("silences-table").tBodies[0].replaceChildren(...body.silences.map((s) => {
        const expire = el("button", "Expire", { type: "button" });
        expire.disabled = s.state === "expired";
        expire.addEventListener("click", async () => {
          expire.disabled = true;
          try {
            await json(`/api/silences/${encodeURIComponent(s.id)}`, { method: "DELETE" });
          } catch (e) {
            $("silence-status").textContent = e.message;
          }
          refreshSilences();
        });
        return row([
          s.state,
          s.matchers.reduce((out, m) => {
            if (out.childNodes.length) out.append(", ");
            out.append(`${m.name}${m.op}"`, isolated(m.value), '"');
            return out;
          }, document.createDocumentFragment()),
          formatTime(s.startsAt),
          formatTime(s.endsAt),
          s.createdBy,
          s.comment,
          expire,
        ], [1, 5]);
      }));
    } catch (e) {
      $("silence-status").textContent = "Could not load silences: " + e.message;
    }
  }

  // splits `a="x", b=~"y,z"` at the commas outside quotes
  function splitMatchers(text) {
    const out = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"' && text[i - 1] !== "\\") quoted = !quoted;
      if ((ch === "," || ch === "\n") && !quoted) {
        if (cur.trim()) out.push(cur.trim());
        cur = "";
      } else cur += ch;
    }
    if (cur.trim()) out.push(cur.trim());
    return out;
  }

  $("silence-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("silence-status");
    status.textContent = "Saving…";
    try {
      const body = {
        matchers: splitMatchers($("silence-matchers").value),
        duration: $("silence-duration").value.trim(),
        comment: $("silence-comment").value,
        createdBy: $("silence-by").value,
      };
      const { silence } = await json("/api/silences", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      status.textContent = `Silenced until ${formatTime(silence.endsAt)}`;
      refreshSilences();
      refreshLive();
    } catch (e) {
      status.textContent = e.message;
    }
  });

  $("backtest-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("backtest-status");
    let rule;
    try {
      rule = JSON.parse($("backtest-rule").value);
    } catch (e) {
      status.textContent = "The rule is not JSON: " + e.message;
      return;
    }
    // the span is checked here: the server would name the "now-…" it was sent, not the field
    const span = $("backtest-from").value.trim();
    if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(span)) {
      status.textContent = `Invalid "Over the last": ${span || "empty"} (use e.g. 7d, 24h, 30m)`;
      return;
    }
    status.textContent = "Replaying…";
    try {
      const body = await json("/api/alerts/backtest", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ rule, from: "now-" + span }),
      });
      const data = body.intervals.map((i) => ({
        key: `${i.alert} ${labelText(i.labels)}`,
        state: "firing",
        start: i.start,
        end: i.end ?? body.until,
      }));
      drawIntervals($("backtest-chart"), data, body.since, body.until);
      const total = data.reduce((s, d) => s + d.end - d.start, 0);
      status.textContent = `${data.length} firing interval${data.length === 1 ? "" : "s"}, ${
        (total / 60_000).toFixed(1)
      } min in all`;
    } catch (e) {
      status.textContent = e.message;
    }
  });

  // the range shown is the pressed button (none was, though the chart spanned a day)
  function markHistoryRange() {
    for (const button of document.querySelectorAll("#history [data-range]")) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.ms) === state.historyMs));
    }
  }
  for (const button of document.querySelectorAll("#history [data-range]")) {
    button.addEventListener("click", () => {
      state.historyMs = Number(button.dataset.ms);
      markHistoryRange();
      refreshHistory();
    });
  }
  markHistoryRange();

  refreshLive().then(refreshHistory);
  refreshSilences();
  setInterval(refreshLive, 1000);
  setInterval(refreshHistory, 30_000);
})();
