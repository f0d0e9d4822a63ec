import { type AddressInfo, createConnection, createServer } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { type ClientTreeOf, defineExporter } from "../../config/define.ts";
import { NotImplementedError } from "../../core/errors.ts";
import { openLocalSession } from "../../exporter/local.ts";
import type { Session } from "../../exporter/session.ts";
import { openBoard, type TestBoard, WIRES, type Wire } from "../../testing/open-board.ts";
import { PowerClient } from "../power/index.ts";
import {
  ConsoleReader,
  liveProcessesWith,
  qemuSkipReason,
  ubootBoard,
  waitUntilGone,
  whenEvent,
} from "./__fixtures__/support.ts";
import { type Qemu, QemuConsoleClient } from "./index.ts";

const skipReason = qemuSkipReason();
/** A bound for a whole test; a hang fails it instead of stalling the run. */
const TEST_MS = 120_000;
/** Generous bounds: TCG on a busy 2-core CI runner. U-Boot reaches its prompt in about a second. */
const BOOT_MS = 60_000;
const PROMPT_MS = 20_000;

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "qemu-uboot" },
  export: { board: { type: "jumpstarter_driver_qemu.driver.Qemu", config: ubootBoard } },
});

let opened: TestBoard<ClientTreeOf<typeof exporter>> | undefined;
let session: Session | undefined;

/** A loopback TCP port nobody listens on right now. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterEach(async () => {
  await opened?.close();
  opened = undefined;
  await session?.close();
  session = undefined;
});

/** The board's client over `wire`, and its machine (the exporter side, to look at QEMU itself). */
async function openQemuBoard(wire: Wire) {
  opened = await openBoard(exporter, wire);
  return { board: opened.client.board, machine: opened.session.driver<Qemu>("board").machine };
}

/** Stops autoboot at U-Boot's countdown and waits for the prompt. */
async function stopAutoboot(reader: ConsoleReader): Promise<string> {
  const boot = await reader.until("Hit any key to stop autoboot", BOOT_MS);
  reader.send(" ");
  await reader.until("=> ", PROMPT_MS);
  return boot;
}

describe.skipIf(skipReason !== undefined)(
  `Qemu board with U-Boot${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  { timeout: TEST_MS },
  () => {
    describe.each(WIRES)("through the client (%s)", (wire) => {
      test("boots U-Boot, keeps the output printed before a client connects, runs a command, powers off", async () => {
        const { board, machine } = await openQemuBoard(wire);
        expect(board.power).toBeInstanceOf(PowerClient);
        expect(board.console).toBeInstanceOf(QemuConsoleClient);
        await board.power.on();
        expect(liveProcessesWith(machine.name).length).toBeGreaterThan(0);
        // Nobody reads yet: output piles up in the backlog (bounded wait, no timing assumed).
        await whenEvent(
          machine.console,
          "output",
          () => machine.console.backlogLength > 0,
          "U-Boot's first output in the console backlog",
          BOOT_MS,
        );
        expect(machine.console.backlogLength).toBeGreaterThan(0);

        const reader = new ConsoleReader(await board.console.connect());
        const boot = await stopAutoboot(reader);
        // The boot from its very first line: the banner came through the backlog.
        expect(boot.trimStart()).toMatch(/^U-Boot 20\d\d\.\d\d/);

        reader.send("version\n");
        const version = await reader.until("=> ", PROMPT_MS);
        expect(version).toMatch(/U-Boot 20\d\d\.\d\d/);
        expect(version).toMatch(/aarch64-linux-gnu-gcc|GCC|gcc/);

        await board.power.off();
        expect(machine.powered).toBe(false);
        // QEMU itself is gone (its supervisor reaped it before exiting); the watchdog follows.
        expect(liveProcessesWith(machine.name, "qemu-system")).toEqual([]);
        expect(await waitUntilGone(machine.name, 5000)).toEqual([]);
      });

      test("a power cycle boots again on the same console stream; on and off are idempotent", async () => {
        const { board, machine } = await openQemuBoard(wire);
        await board.power.on();
        await board.power.on();
        const reader = new ConsoleReader(await board.console.connect());
        await stopAutoboot(reader);
        const firstPid = machine.supervisorPid;

        await board.power.cycle(0);
        expect(machine.supervisorPid).not.toBe(firstPid);
        const again = await stopAutoboot(reader);
        expect(again).toMatch(/U-Boot 20\d\d\.\d\d/);
        // The old QEMU is gone: one QEMU runs for this board.
        expect(liveProcessesWith(machine.name, "qemu-system")).toHaveLength(1);

        await board.power.off();
        await board.power.off();
        expect(await waitUntilGone(machine.name, 5000)).toEqual([]);
      });

      test("closing the session kills QEMU and ends console streams", async () => {
        const { board, machine } = await openQemuBoard(wire);
        await board.power.on();
        const stream = await board.console.connect();
        const ended = new Promise<void>((resolve) => stream.once("end", resolve));
        stream.resume();
        expect(liveProcessesWith(machine.name).length).toBeGreaterThan(0);
        await opened!.session.close();
        await ended;
        expect(await waitUntilGone(machine.name, 5000)).toEqual([]);
      });

      test("power.read() says a virtual board has no power meter", async () => {
        const { board } = await openQemuBoard(wire);
        const reading = board.power.read().next();
        await expect(reading).rejects.toBeInstanceOf(NotImplementedError);
        await expect(board.power.read().next()).rejects.toThrow(/no power meter/);
      });

      test("a QEMU that cannot start fails power.on() with QEMU's own words and the fix", async () => {
        const bad = await openBoard(
          defineExporter({
            apiVersion: "jumpstarter.dev/v1alpha1",
            kind: "ExporterConfig",
            metadata: { name: "bad-machine" },
            export: { board: { type: "Qemu", config: { ...ubootBoard, machine: "no-such-machine" } } },
          }),
          wire,
        );
        opened = bad;
        const error = await bad.client.board.power.on().catch((e: unknown) => e);
        expect(String(error)).toMatch(/exited \(code 1\) before its serial console connected/);
        expect(String(error)).toMatch(/unsupported machine type/);
        expect(String(error)).toMatch(/check machine, cpu, mem, bios and extra_args/);
        expect(await waitUntilGone(bad.session.driver<Qemu>("board").machine.name, 5000)).toEqual([]);
      });
    });

    // In-process only: it drives the machine itself (on(), the console hub), not a client.
    test("the user-mode network: U-Boot gets a DHCP lease, and host forwards listen on loopback", async () => {
      const hostport = await freeLoopbackPort();
      session = await openLocalSession(
        defineExporter({
          apiVersion: "jumpstarter.dev/v1alpha1",
          kind: "ExporterConfig",
          metadata: { name: "qemu-net" },
          export: {
            board: { type: "Qemu", config: { ...ubootBoard, hostfwd: { ssh: { hostport, guestport: 22 } } } },
          },
        }),
      );
      const machine = session.driver<Qemu>("board").machine;
      await machine.on();
      const reader = new ConsoleReader(machine.console.open());
      await stopAutoboot(reader);
      reader.send("setenv autoload no; dhcp; echo dhcp=$?\n");
      const dhcp = await reader.until(/dhcp=\d/, PROMPT_MS);
      expect(dhcp).toContain("DHCP client bound to address 10.0.2.15");
      expect(dhcp).toMatch(/dhcp=0$/);
      // QEMU itself accepts on the forwarded host port (U-Boot has nothing listening on 22).
      await new Promise<void>((resolve, reject) => {
        const probe = createConnection({ host: "127.0.0.1", port: hostport }, () => {
          probe.destroy();
          resolve();
        });
        probe.once("error", reject);
      });
    });
  },
);
