import { describe, expect, it } from "vitest";
import { acquired, at, calls, failed, released, requested, testRecord } from "./__fixtures__/lease-events.ts";
import type { LeaseEvent } from "./events.ts";
import { renderLeaseUsageHtml } from "./html.ts";
import { buildLeaseUsageReport, type TestUsageRecord } from "./report.ts";

const voidElements = new Set(["meta", "br", "link", "img", "hr", "input"]);

/** Problems that make the page not well-formed: unbalanced tags, bad attributes, raw `<` or `&`. */
function wellFormednessProblems(html: string): string[] {
  const problems: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>\n/, "").replace(/<style>[^<]*<\/style>/, "<style></style>");
  const open: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const match of body.matchAll(tag)) {
    const text = body.slice(last, match.index);
    if (/[<>]/.test(text)) problems.push(`raw < or > in text: ${text.slice(0, 60)}`);
    if (/&(?!(amp|lt|gt|quot|#39);)/.test(text)) problems.push(`bare & in text: ${text.slice(0, 60)}`);
    last = match.index + match[0].length;
    const [, closing, name = "", , selfClosing] = match;
    if (closing) {
      const expected = open.pop();
      if (expected !== name) problems.push(`</${name}> closes <${expected}>`);
    } else if (!selfClosing && !voidElements.has(name)) {
      open.push(name);
    }
  }
  if (/[<>]/.test(body.slice(last))) problems.push("raw < or > after the last tag");
  if (open.length > 0) problems.push(`unclosed: ${open.join(", ")}`);
  return problems;
}

function page(events: LeaseEvent[], tests: TestUsageRecord[] = []) {
  const report = buildLeaseUsageReport({
    runner: "vitest",
    run: { startedAt: at(0), endedAt: at(60_000) },
    events,
    tests,
    generatedAt: at(60_000),
  });
  return { report, html: renderLeaseUsageHtml(report) };
}

const hostile = `<script>alert("x")</script> & 'quotes'`;

describe("renderLeaseUsageHtml", () => {
  it("is checked by a checker that does catch broken markup", () => {
    expect(wellFormednessProblems("<p><b>x</p>")).not.toEqual([]);
    expect(wellFormednessProblems('<p title="a>b">x</p>')).not.toEqual([]);
    expect(wellFormednessProblems("<p>a & b</p>")).not.toEqual([]);
  });

  it("is well-formed, with every piece of recorded text escaped", () => {
    const { html } = page(
      [
        requested(hostile, 0, { holder: hostile, selector: hostile, context: { [hostile]: hostile } }),
        acquired(hostile, 100, hostile, { [hostile]: hostile }),
        released(
          hostile,
          1_000,
          { [hostile]: { [hostile]: { calls: 1, errors: 1, lastError: hostile } } },
          hostile,
        ),
        requested("L2", 0),
        failed("L2", 10, `${hostile}\u0000\u001b[31m`),
      ],
      [{ ...testRecord(hostile, "failed", [{ leaseId: hostile, calls: {} }]), file: hostile }],
    );
    expect(wellFormednessProblems(html)).toEqual([]);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("\u0000");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;");
  });

  it("is self-contained: no scripts, no external assets", () => {
    const { html } = page([requested("L1", 0), acquired("L1", 10), released("L1", 20)]);
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|@import|url\(/);
    expect(html.match(/https?:\/\/[^"]*/g)).toEqual(["http://www.w3.org/2000/svg"]);
  });

  it("draws one bar group per lease, a held bar per acquired lease and a wait bar for each", () => {
    const { html } = page([
      requested("L1", 0),
      acquired("L1", 1_000),
      released("L1", 20_000),
      requested("L2", 0),
      acquired("L2", 25_000),
      released("L2", 30_000),
      requested("L3", 0, { kind: "remote", selector: "board=x" }),
      failed("L3", 5_000, "unsatisfiable"),
      requested("L4", 40_000),
      acquired("L4", 41_000, "board-b"),
    ]);
    expect(html.match(/<g class="lease"/g)).toHaveLength(4);
    expect(html.match(/<rect class="wait/g)).toHaveLength(4);
    expect(html.match(/<rect class="held/g)).toHaveLength(3);
    expect(html).toContain('class="wait failed remote"');
    expect(html).toContain('class="held unreleased local"');
    // One row per exporter: board-a, board-b and the never-assigned remote lease.
    expect(html.match(/class="row-label"/g)).toHaveLength(3);
  });

  it("places the bars on the run's time axis", () => {
    const { html } = page([requested("L1", 0), acquired("L1", 30_000), released("L1", 60_000)]);
    const bar = (kind: string) =>
      html.match(new RegExp(`<rect class="${kind} local" x="([\\d.]+)" y="\\d+" width="([\\d.]+)"`));
    const wait = bar("wait");
    const held = bar("held");
    // The plot spans x = 200 to 980 for the 60 s run.
    expect(wait?.slice(1, 3)).toEqual(["200.0", "390.0"]);
    expect(held?.slice(1, 3)).toEqual(["590.0", "390.0"]);
    expect(html).toContain(">+10 s</text>");
  });

  it("stacks overlapping leases of one exporter in separate lanes", () => {
    const { html } = page([
      requested("L1", 0),
      acquired("L1", 0),
      released("L1", 30_000),
      requested("L2", 10_000),
      acquired("L2", 10_000),
      released("L2", 40_000),
    ]);
    const ys = [...html.matchAll(/<rect class="held local" x="[\d.]+" y="(\d+)"/g)].map((m) => m[1]);
    expect(new Set(ys).size).toBe(2);
    expect(html.match(/class="row-label"/g)).toHaveLength(1);
  });

  it("shows the leases' tests and calls", () => {
    const { html } = page(
      [requested("L1", 0), acquired("L1", 0), released("L1", 10, calls({ "power.on": 3, "": 1 }))],
      [testRecord("boots to a prompt", "passed", [{ leaseId: "L1", calls: calls({ "power.on": 1 }) }])],
    );
    expect(html).toContain("boots to a prompt");
    expect(html).toContain("<code>(root)</code>");
    expect(html).toContain('<td class="num">3</td>');
  });

  it("links each test's console transcripts relative to the page", () => {
    const events = [requested("L1", 0), acquired("L1", 0), released("L1", 10)];
    const test = testRecord("boots", "passed", [{ leaseId: "L1", calls: {} }]);
    const { html } = page(events, [
      { ...test, consoles: [{ name: "board.serial", file: "consoles/0001-boots-board.serial.txt" }] },
      { ...test, name: "no consoles" },
    ]);
    expect(html).toContain(
      '<a href="consoles/0001-boots-board.serial.txt" type="text/plain">board.serial</a>',
    );
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toContain("<th>consoles, traces</th>");
    expect(wellFormednessProblems(html)).toEqual([]);
  });

  it("keeps console links inside the report's directory whatever the file says", () => {
    const test = testRecord("t", "passed", [{ leaseId: "L1", calls: {} }]);
    const files = [
      "javascript:alert(1)",
      "/etc/passwd",
      "../../secret.txt",
      "consoles/./a b#c?.txt",
      hostile,
    ];
    const { html } = page(
      [requested("L1", 0)],
      [{ ...test, consoles: files.map((file) => ({ name: hostile, file })) }],
    );
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([
      "javascript%3Aalert(1)",
      "etc/passwd",
      "secret.txt",
      "consoles/a%20b%23c%3F.txt",
      expect.stringMatching(/^%3Cscript%3Ealert\(%22x%22\)%3C\/script%3E/),
    ]);
    expect(wellFormednessProblems(html)).toEqual([]);
  });

  it("renders a run without leases", () => {
    const { html } = page([]);
    expect(wellFormednessProblems(html)).toEqual([]);
    expect(html).toContain("No leases in this run.");
    expect(html).not.toContain("<svg");
  });

  it("shows every time in UTC with the local time beside it", () => {
    const report = page([requested("L1", 0), acquired("L1", 100), released("L1", 900)]).report;
    const html = renderLeaseUsageHtml(report, { timeZone: "Asia/Kolkata" });
    // The run starts at 2025-03-01 10:00:00 UTC: 15:30 in India.
    expect(html).toContain(
      '<time datetime="2025-03-01T10:00:00.000Z">2025-03-01 10:00:00.000 UTC</time> <span class="muted">(2025-03-01 15:30:00 GMT+5:30)</span>',
    );
  });

  it("names the file and the wanted selector of a lease that never got a board", () => {
    const { html } = page([
      requested("pending", 0, { kind: "remote", selector: "board=rpi4", file: "lab/rpi.test.ts" }),
    ]);
    expect(html).toContain(
      '<span class="errors">not assigned</span><br><span class="muted">wanted: board=rpi4</span>',
    );
    expect(html).toContain('ci@lab-host<br><span class="muted">lab/rpi.test.ts</span>');
  });
});
