import { SerialPort } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { type ExpectConsole, UBOOT_BAD_PATTERNS } from "../../expect/index.ts";
import { WIRES, type Wire } from "../../testing/open-board.ts";
import { type Peer, startPtyPair } from "./__fixtures__/peers.ts";
import { openSerialBoard } from "./__fixtures__/serial-board.ts";
import { SerialClient } from "./index.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(config: Record<string, unknown>, wire: Wire) {
  const { board, serial } = await openSerialBoard(config, wire);
  cleanups.push(() => board.close());
  return { board, serial };
}

async function console(serial: SerialClient): Promise<ExpectConsole> {
  const c = await serial.openConsole({ timeout: 5000 });
  cleanups.push(() => c.close());
  return c;
}

async function ptys(): Promise<Peer & { a: string; b: string }> {
  const pair = await startPtyPair();
  cleanups.push(() => pair.stop());
  return pair;
}

/** The far end of a pty pair, opened with serialport like any device. */
async function farEnd(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on("error", () => {});
  cleanups.push(
    () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  );
  return port;
}

describe.each(WIRES)("Serial on loop:// (%s)", (wire) => {
  it("reads back what it writes, through the client", async () => {
    const { serial } = await open({ url: "loop://" }, wire);
    expect(serial).toBeInstanceOf(SerialClient);
    const c = await console(serial);
    await c.sendline("hello loop");
    expect((await c.expect("loop\n")).before).toBe("hello ");
  });

  it("paces writes with cps and keeps every byte in order", async () => {
    const { serial } = await open({ url: "loop://", cps: 2000 }, wire);
    const c = await console(serial);
    const text = "0123456789".repeat(20);
    await c.sendline(`${text}END`);
    expect((await c.expect("END\n")).before).toBe(text);
    // Paced writes arrive in several pieces, not as one chunk.
    expect(c.transcript.slice().filter((e) => e.direction === "in").length).toBeGreaterThan(1);
  });

  it("has no modem lines: set_dtr names the fix", async () => {
    const { serial } = await open({ url: "loop://" }, wire);
    await expect(serial.setDtr(false)).rejects.toThrow(/no modem lines; DTR and RTS need a device path/);
    await expect(serial.call("set_rts", "yes")).rejects.toThrow(/give true or false/);
  });
});

describe.each(WIRES)("Serial on a pty from socat (%s)", (wire) => {
  it("talks both ways with the far end", async () => {
    const pair = await ptys();
    const far = await farEnd(pair.b);
    const { serial } = await open({ url: pair.a, disable_hupcl: true }, wire);
    const c = await console(serial);
    const got: Buffer[] = [];
    const line = new Promise<string>((resolve) =>
      far.on("data", (d: Buffer) => {
        got.push(d);
        if (d.includes(0x0a)) resolve(Buffer.concat(got).toString());
      }),
    );
    far.write("U-Boot 2023.01\r\n=> ");
    await c.expect("=> ");
    await c.sendline("version");
    expect(await line).toBe("version\n");
    far.write("version\r\nU-Boot 2023.01\r\n=> ");
    expect((await c.expect("=> ")).before).toBe("version\r\nU-Boot 2023.01\r\n");
  });

  it("a port that vanishes mid-wait fails the wait with a clear error, and later sends fail too", async () => {
    const pair = await ptys();
    const { serial } = await open({ url: pair.a }, wire);
    const c = await serial.openConsole({ badPatterns: UBOOT_BAD_PATTERNS });
    cleanups.push(() => c.close());
    const waiting = c.expect("=> ", { timeout: 1000 }).catch((e) => e);
    await pair.stop();
    const error = await waiting;
    expect(error.code).toBe("ERR_DUTKIT_EXPECT_EOF");
    expect(error.message).toContain(`serial port ${pair.a} cannot be used, it went away`);
    expect(error.cause.code).toBe("ERR_DUTKIT_UNAVAILABLE");
    await expect(c.send("x")).rejects.toMatchObject({ code: "ERR_DUTKIT_EXPECT_CLOSED" });
  });

  it("check_present fails at start, naming the missing path", async () => {
    await expect(open({ url: "/dev/dutkit-no-such-tty" }, wire)).rejects.toThrow(
      /serial port \/dev\/dutkit-no-such-tty is not present .*plug the device in or fix url/,
    );
  });

  it("without check_present the driver starts, and connect names the missing path", async () => {
    const { serial } = await open({ url: "/dev/dutkit-no-such-tty", check_present: false }, wire);
    await expect(serial.connect()).rejects.toMatchObject({ code: "ERR_DUTKIT_NOT_FOUND" });
  });

  it("a second connection while one holds the device says it is in use", async () => {
    const pair = await ptys();
    const { serial } = await open({ url: pair.a }, wire);
    await console(serial);
    await expect(serial.connect()).rejects.toThrow(/is in use .*close the other connection/);
  });

  it("close() force-closes the open connection; a new one works after", async () => {
    const pair = await ptys();
    const far = await farEnd(pair.b);
    const { serial } = await open({ url: pair.a }, wire);
    const first = await console(serial);
    const waiting = first.expect("never", { timeout: 5000 }).catch((e) => e);
    await serial.closeConnections();
    expect((await waiting).code).toBe("ERR_DUTKIT_EXPECT_EOF");
    const second = await console(serial);
    far.write("again");
    await second.expect("again");
  });

  it("set_dtr on a pty reports that it has no modem lines", async () => {
    const pair = await ptys();
    const { serial } = await open({ url: pair.a }, wire);
    await expect(serial.setDtr(true)).rejects.toThrow(/has no modem control lines/);
  });

  it("ending the stream closes the port, so it can be opened again", async () => {
    const pair = await ptys();
    const { serial } = await open({ url: pair.a }, wire);
    const stream = await serial.connect();
    stream.resume();
    await new Promise<void>((resolve) => stream.end(resolve));
    await new Promise<void>((resolve) => (stream.closed ? resolve() : stream.once("close", () => resolve())));
    const again = await serial.connect();
    again.destroy();
  });
});
