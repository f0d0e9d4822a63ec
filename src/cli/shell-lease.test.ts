// `dutkit shell --lease NAME -- cmd` as the README and --help describe it: the command reaches the
// leased board through JUMPSTARTER_HOST, its exit status is the shell's, and the lease, created
// beforehand, is kept afterwards.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Lab, startLab, writeClientConfigFile } from "../controller/__fixtures__/lab.ts";
import { within } from "./__fixtures__/output-watch.ts";
import { runCli } from "./__fixtures__/run-cli.ts";
import { DUTKIT_ARGV } from "./__fixtures__/spawn-cli.ts";

let lab: Lab;
let clientConfig: string;

beforeAll(async () => {
  lab = await startLab();
  await lab.startExporter("mock-board");
  clientConfig = await writeClientConfigFile(lab);
});
afterAll(() => lab?.close());

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
/** `dutkit j …` as a shell command line, run from the sources. */
const j = (...args: string[]) => [...DUTKIT_ARGV, "j", ...args].map(quote).join(" ");

/** `dutkit shell --lease ID -- sh -c script`: its exit code and what the shell itself printed. */
async function shellOnLease(id: string, script: string) {
  const args = ["shell", "--lease", id, "--client-config", clientConfig, "--", "sh", "-c", script];
  return within(runCli(args), 50_000, `dutkit ${args.join(" ")}`);
}

test("dutkit shell --lease runs the command against the leased board, passes its exit status on and keeps the lease", async () => {
  const create = ["lease", "create", "-l", "board=mock", "--duration", "10m", "--wait", "-o", "name"];
  const created = await within(
    runCli([...create, "--client-config", clientConfig]),
    30_000,
    "dutkit lease create --wait",
  );
  expect(created, "dutkit lease create").toMatchObject({ code: 0 });
  const id = created.stdout.trim();
  try {
    const first = join(lab.dir, "first.txt");
    const script = `{ echo "$JMP_LEASE"; ${j("power", "on")} && ${j("power", "state")}; } > ${quote(first)} 2>&1; exit 7`;
    const result = await shellOnLease(id, script);
    const printed = await readFile(first, "utf8");
    expect(result.code, `dutkit shell: ${result.stderr}\nthe command printed:\n${printed}`).toBe(7);
    expect(printed).toBe(`${id}\non\n`);

    // Kept: the controller has not ended it, the client still lists it as ready, and a second
    // shell on it finds the board as the first one left it.
    expect(lab.controller.book.lease(id)?.ended).toBeUndefined();
    const listed = await runCli(["lease", "list", "-o", "json", "--client-config", clientConfig]);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id, state: "ready", exporter: "mock-board" }]);
    const second = join(lab.dir, "second.txt");
    const again = await shellOnLease(id, `${j("power", "state")} > ${quote(second)} 2>&1`);
    expect(again.code, `second dutkit shell: ${again.stderr}\n${await readFile(second, "utf8")}`).toBe(0);
    expect(await readFile(second, "utf8")).toBe("on\n");
    expect(lab.controller.book.lease(id)?.ended).toBeUndefined();
  } finally {
    await runCli(["lease", "delete", id, "--client-config", clientConfig]);
  }
  expect(lab.controller.book.lease(id)?.ended).toBeDefined();
}, 180_000);
