// Leases across implementations: Jumpstarter's `jmp` CLI and `jmp run` exporter against
// `dutkit controller` (TLS on 127.0.0.1, a client config as `jmp config client create` writes it),
// with dutkit's exporter and client on the other ends, through the controller's router.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { newIdentityToken } from "../../src/controller/jwt.ts";
import {
  type Daemon,
  labEnv,
  selfSignedCert,
  startController,
  startDutkitExporter,
  startJumpstarterExporter,
  writeControllerConfig,
  writeExporterConfig,
} from "./helpers/controller-lab.ts";
import { dutkitCommand, REPO, readInnerResults, runToEnd, scratch, venvBin } from "./helpers/peer.ts";

let dir: string;
let removeDir: (() => Promise<void>) | undefined;
let controller: Daemon | undefined;
let dutkitExporter: Daemon | undefined;
let pythonExporter: Daemon | undefined;
let clientConfig: string;

beforeAll(async () => {
  ({ dir, remove: removeDir } = await scratch("controller"));
  const tls = await selfSignedCert(dir);
  // `opaque` has a token that is not a JWT, as the controller accepts but `jmp shell` does not.
  const clients = { ci: newIdentityToken("ci"), opaque: "opaque-token-0123456789" };
  const exporters = {
    "dk-board": { labels: { board: "dk" }, token: newIdentityToken("dk-board") },
    "py-board": { labels: { board: "py" }, token: newIdentityToken("py-board") },
  };
  const started = await startController(await writeControllerConfig(dir, tls, clients, exporters), dir);
  controller = started.daemon;
  for (const [name, token] of Object.entries(clients)) {
    const created = await runToEnd(
      venvBin("jmp"),
      [
        ...["config", "client", "create", name, "--namespace", "lab", "--name", name],
        ...["--endpoint", started.endpoint, "--token", token],
        ...["--unsafe", "--allow", "", "--insecure-tls", "--nointeractive"],
      ],
      { env: labEnv(dir), timeoutMs: 30_000 },
    );
    expect(created.code, created.stderr).toBe(0);
  }
  clientConfig = join(dir, ".config/jumpstarter/clients/ci.yaml");
  const [dk, py] = await Promise.allSettled([
    writeExporterConfig(dir, "dk-board", started.endpoint, exporters["dk-board"].token).then((f) =>
      startDutkitExporter(f, dir),
    ),
    writeExporterConfig(dir, "py-board", started.endpoint, exporters["py-board"].token).then((f) =>
      startJumpstarterExporter(f, dir),
    ),
  ]);
  if (dk.status === "fulfilled") dutkitExporter = dk.value;
  if (py.status === "fulfilled") pythonExporter = py.value;
  for (const result of [dk, py]) if (result.status === "rejected") throw result.reason;
}, 150_000);

afterAll(async () => {
  await Promise.all([dutkitExporter?.stop(), pythonExporter?.stop()]);
  await controller?.stop();
  await removeDir?.();
}, 30_000);

const jmp = (args: string[], timeoutMs = 60_000) =>
  runToEnd(venvBin("jmp"), args, { env: labEnv(dir), timeoutMs });
const both = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

async function activeLeases(): Promise<{ name: string; selector: string; client: string }[]> {
  const listed = await jmp(["get", "leases", "--client", "ci", "-o", "json"]);
  expect(listed.code, both(listed)).toBe(0);
  return JSON.parse(listed.stdout).leases;
}

/** `jmp shell -l SELECTOR -- sh -c SCRIPT`, bounded by its own acquisition timeout and ours. */
function jmpShell(selector: string, script: string, client = "ci") {
  return jmp(
    ["shell", "--client", client, "-l", selector, "--acquisition-timeout", "40", "--", "sh", "-c", script],
    90_000,
  );
}

describe("the real `jmp` CLI against `dutkit controller` (TLS, insecure: true, JWT-shaped tokens)", () => {
  test("jmp create lease, get leases and delete lease", { timeout: 90_000 }, async () => {
    const created = await jmp([
      "create",
      "lease",
      "--client",
      "ci",
      "-l",
      "board=dk",
      "--duration",
      "1m",
      "-o",
      "name",
    ]);
    expect(created.code, both(created)).toBe(0);
    const name = created.stdout.trim();
    expect(name).toMatch(/^[0-9a-f-]{36}$/);
    expect(await activeLeases()).toContainEqual(
      expect.objectContaining({ name, selector: "board=dk", client: "ci" }),
    );

    const deleted = await jmp(["delete", "lease", "--client", "ci", name]);
    expect(deleted.code, both(deleted)).toBe(0);
    expect(deleted.stdout).toContain(`lease "${name}" deleted`);
    expect((await activeLeases()).map((l) => l.name)).not.toContain(name);

    const again = await jmp(["delete", "lease", "--client", "ci", name]);
    expect(again.code, both(again)).not.toBe(0);
    expect(again.stderr).toContain("has already ended");
  });

  test("an opaque client token: jmp shell cannot decode it, as the controller warned at start", {
    timeout: 60_000,
  }, async () => {
    expect(controller!.output()).toMatch(
      /warning: client "opaque" has a token that is not a JWT.*--new-token opaque/,
    );
    expect(controller!.output()).not.toContain('client "ci" has a token');
    const shell = await jmpShell("board=dk", "true", "opaque");
    expect(shell.code, both(shell)).not.toBe(0);
    expect(both(shell)).toContain("Invalid JSON Web Signature");
  });

  test("jmp shell -l reaches dutkit's exporter through the router, twice; each ends cleanly", {
    timeout: 200_000,
  }, async () => {
    for (const round of [1, 2]) {
      const from = dutkitExporter!.output().length;
      const shell = await jmpShell("board=dk", `j power on && j shell hello dk${round}`);
      expect(shell.code, both(shell)).toBe(0);
      expect(shell.stdout).toContain(`hello dk${round}\n`);
      // EndSession: the exporter reports AVAILABLE and keeps serving; the client deletes the lease.
      // (jmp shell logs to stdout when it is not a terminal.)
      const log = both(shell);
      expect(log).toMatch(/Status changed: LEASE_READY -> AVAILABLE/);
      const lease = /Acquiring lease (\S+)/.exec(log)![1]!;
      expect(log).toContain(`Releasing Lease ${lease}`);
      expect((await activeLeases()).map((l) => l.name)).not.toContain(lease);
      await dutkitExporter!.waitFor(
        new RegExp(`lease ${lease} ended`),
        `"lease ${lease} ended"`,
        20_000,
        from,
      );
    }
  });
});

describe("Jumpstarter's exporter (`jmp run`) registered with `dutkit controller`", () => {
  test("jmp shell -l reaches it twice: the controller offers it again after EndSession's AVAILABLE", {
    timeout: 200_000,
  }, async () => {
    for (const round of [1, 2]) {
      const from = pythonExporter!.output().length;
      const shell = await jmpShell("board=py", `j shell hello py${round}`);
      expect(shell.code, both(shell)).toBe(0);
      expect(shell.stdout).toContain(`hello py${round}\n`);
      await pythonExporter!.waitFor(/EndSession requested/, '"EndSession requested"', 20_000, from);
      const lease = /Acquiring lease (\S+)/.exec(both(shell))![1]!;
      expect((await activeLeases()).map((l) => l.name)).not.toContain(lease);
    }
  });

  test("a describeBoard with a selector leases it through dutkit controller and its suite passes", {
    timeout: 150_000,
  }, async () => {
    // The fixture finds the client config as jmp does: here through the UserConfig's current-client.
    const use = await jmp(["config", "client", "use", "ci"]);
    expect(use.code, both(use)).toBe(0);
    const results = join(dir, "leased-board.json");
    const run = await runToEnd(
      process.execPath,
      [
        join(REPO, "node_modules/vitest/vitest.mjs"),
        "run",
        "--config",
        join(REPO, "interop/jumpstarter/suites/vitest.config.ts"),
      ],
      {
        env: labEnv(dir, { DUTKIT_INNER_RESULTS: results, LEASED_SELECTOR: "board=py" }),
        timeoutMs: 140_000,
      },
    );
    const parsed = await readInnerResults<{
      testResults: { assertionResults: { fullName: string; status: string }[] }[];
    }>(results, "vitest", both(run));
    const statuses = Object.fromEntries(
      parsed.testResults.flatMap((file) => file.assertionResults.map((t) => [t.fullName, t.status])),
    );
    const block = "Jumpstarter's exporter leased by selector";
    expect(statuses, both(run)).toEqual({
      [`${block} the lease is remote and the board is not dutkit's`]: "passed",
      [`${block} power switches and streams its readings`]: "passed",
      [`${block} a shell method runs with its arguments and exit code`]: "passed",
    });
    expect(run.code, both(run)).toBe(0);
    // Released after the block, not left for its 30 minutes.
    expect(await activeLeases()).toEqual([]);
  });

  test("dutkit shell -l leases it through dutkit controller: power.on and a shell method cross", {
    timeout: 150_000,
  }, async () => {
    const [node, dutkit] = dutkitCommand();
    const cli = [node, ...dutkit].map((part) => `'${part}'`).join(" ");
    const from = pythonExporter!.output().length;
    const [command, args] = dutkitCommand(
      ...["shell", "--client-config", clientConfig, "-l", "board=py", "--acquisition-timeout", "40s"],
      ...["--", "sh", "-c", `${cli} j power on && ${cli} j shell hello dk`],
    );
    const shell = await runToEnd(command, args, { env: labEnv(dir), timeoutMs: 120_000 });
    expect(shell.code, both(shell)).toBe(0);
    expect(shell.stdout).toContain('"stdout":"hello dk\\n"');
    await pythonExporter!.waitFor(
      /INFO:driver\.MockPower:power on/,
      "MockPower logging power on",
      20_000,
      from,
    );
    expect(await activeLeases()).toEqual([]);
  });
});
