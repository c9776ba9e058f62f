import assert from "node:assert/strict";
import { renderTemplate } from "../../alerts/mod.ts";

// A label's value is a pushed sample's: template syntax or replacement patterns in it are text,
// never filled in a second time (a value could otherwise print another label or the reason).
Deno.test("renderTemplate() fills each field once: template syntax in a label value stays as written", () => {
  const labels = { a: "{{ $labels.b }} {{ $value }} $& $1 ${x}", b: "secret" };
  assert.equal(
    renderTemplate("a={{ $labels.a }} v={{$value}}", { value: 2, labels }),
    "a={{ $labels.b }} {{ $value }} $& $1 ${x} v=2",
  );
  assert.equal(
    renderTemplate("{{ $reason }}", { value: 1, labels, reason: "{{ $labels.b }}" }),
    "{{ $labels.b }}",
  );
});
