// The example exporter configs load unchanged in Jumpstarter: `jmp shell --exporter-config F`
// builds every driver of the file and runs a command against it.
import { afterAll, beforeAll, expect, test } from "vitest";
import { peerEnv, REPO, runToEnd, scratch, venvBin } from "./helpers/peer.ts";

let dir: string;
let removeDir: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove: removeDir } = await scratch("configs"));
});
afterAll(() => removeDir?.());

// example-tests/qemu-uboot/exporter.yaml is not here: its Qemu and UbootConsole configs are
// dutkit's (see the README's driver table), and Jumpstarter's Qemu driver takes other fields.
test.each([
  ["mock-board", ["power", "shell", "board"]],
  ["tftp-board", ["tftp"]],
  ["http-board", ["http"]],
  ["loop-console", ["serial"]],
])(
  "example-tests/%s/exporter.yaml loads in jmp shell with its drivers",
  { timeout: 60_000 },
  async (board, drivers) => {
    const result = await runToEnd(
      venvBin("jmp"),
      ["shell", "--exporter-config", `${REPO}/example-tests/${board}/exporter.yaml`, "--", "j", "--help"],
      { env: peerEnv(dir), timeoutMs: 50_000 },
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    for (const name of drivers) expect(result.stdout).toMatch(new RegExp(`^  ${name}\\s`, "m"));
  },
);
