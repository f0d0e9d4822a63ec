import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DeadlineExceededError, FailedPreconditionError } from "../../core/errors.ts";
import { openBoard, type TestBoard, WIRES } from "../../testing/open-board.ts";
import { PowerClient, type PowerReading } from "../power/index.ts";

function boardYaml(dir: string, extra = ""): string {
  const log = join(dir, "log");
  return `
apiVersion: jumpstarter.dev/v1alpha1
kind: ExporterConfig
metadata: { name: command-power-board }
export:
  power:
    type: CommandPower
    config:
      cmd_on: "echo on >> '${log}'"
      cmd_off: "echo off >> '${log}'"
      cmd_read: "printf '12 0.5\\\\n5 2\\\\n'"
      ${extra}
`;
}

async function readAll(readings: AsyncIterable<PowerReading>): Promise<PowerReading[]> {
  const all: PowerReading[] = [];
  for await (const reading of readings) all.push(reading);
  return all;
}

describe.each(WIRES)("CommandPower through PowerClient (%s)", (wire) => {
  let dir: string;
  let board: TestBoard | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dutkit-command-power-"));
  });
  afterEach(async () => {
    await board?.close();
    board = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  test("on, off and cycle run the configured commands, in order", async () => {
    board = await openBoard(boardYaml(dir), wire);
    const power = board.client.power as PowerClient;
    expect(power).toBeInstanceOf(PowerClient);
    await power.on();
    await power.off();
    await power.cycle(0);
    expect(readFileSync(join(dir, "log"), "utf8")).toBe("on\noff\noff\non\n");
  });

  test("read() streams the readings the read command prints", async () => {
    board = await openBoard(boardYaml(dir), wire);
    const power = board.client.power as PowerClient;
    expect(await readAll(power.read())).toEqual([
      { voltage: 12, current: 0.5, apparentPower: 6 },
      { voltage: 5, current: 2, apparentPower: 10 },
    ]);
  });

  test("a command that exits non-zero fails with its exit code and stderr; the driver serves on", async () => {
    const yaml = boardYaml(dir).replace(
      /cmd_on: "echo on[^\n]*/,
      `cmd_on: "echo relay 3 is stuck >&2; exit 7"`,
    );
    board = await openBoard(yaml, wire);
    const power = board.client.power as PowerClient;
    const error = await power.on().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect(String((error as Error).message)).toMatch(
      /CommandPower on: .* failed with exit code 7; stderr: relay 3 is stuck/,
    );
    await power.off();
    expect(readFileSync(join(dir, "log"), "utf8")).toBe("off\n");
  });

  test("a command that outlives its timeout is killed and fails naming the timeout", async () => {
    const yaml = boardYaml(dir, "timeout: 0.3").replace(/cmd_off: "echo off[^\n]*/, `cmd_off: "sleep 30"`);
    board = await openBoard(yaml, wire);
    const power = board.client.power as PowerClient;
    const error = await power.off().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(String((error as Error).message)).toMatch(
      /did not finish within 0.3 s and was killed; raise `timeout`/,
    );
  });

  test("a timeout kills what the command started, not only the shell", async () => {
    const marker = join(dir, "late");
    const yaml = boardYaml(dir, "timeout: 0.3").replace(
      /cmd_off: "echo off[^\n]*/,
      `cmd_off: "sleep 1; touch '${marker}'"`,
    );
    board = await openBoard(yaml, wire);
    const power = board.client.power as PowerClient;
    await expect(power.off()).rejects.toThrow(DeadlineExceededError);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(existsSync(marker)).toBe(false);
  });

  test("without cmd_read, read() says what to add", async () => {
    board = await openBoard(boardYaml(dir).replace(/\s*cmd_read: "[^\n]*/, ""), wire);
    const power = board.client.power as PowerClient;
    await expect(readAll(power.read())).rejects.toThrow(/no `cmd_read` command is configured/);
  });

  test("a read command printing something else fails naming the line", async () => {
    const yaml = boardYaml(dir).replace(/cmd_read: "[^\n]*/, `cmd_read: "echo twelve volts"`);
    board = await openBoard(yaml, wire);
    const power = board.client.power as PowerClient;
    await expect(readAll(power.read())).rejects.toThrow(
      /printed "twelve volts", expected "<voltage> <current>"/,
    );
  });
});

test("a config without `on` is refused naming the field", async () => {
  const yaml = `
apiVersion: jumpstarter.dev/v1alpha1
kind: ExporterConfig
metadata: { name: bad }
export:
  power: { type: CommandPower, config: { cmd_off: "true" } }
`;
  await expect(openBoard(yaml, "in-process")).rejects.toThrow(
    /export\.power\.config\.cmd_on: missing required field "cmd_on"/,
  );
});
