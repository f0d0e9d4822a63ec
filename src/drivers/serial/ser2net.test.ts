import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { SerialPort } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import type { ExpectConsoleOptions } from "../../expect/index.ts";
import { WIRES, type Wire } from "../../testing/open-board.ts";
import { freePort, hasProgram, startPtyPair, startSer2net } from "./__fixtures__/peers.ts";
import { openSerialBoard } from "./__fixtures__/serial-board.ts";
import { IAC } from "./telnet.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** ser2net serving one end of a pty pair; the test plays the device on the other end. */
async function board() {
  const pair = await startPtyPair();
  cleanups.push(() => pair.stop());
  const ser2net = await startSer2net(pair.a);
  cleanups.push(() => ser2net.stop());
  const device = new SerialPort({ path: pair.b, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => device.open((e) => (e ? reject(e) : resolve())));
  device.on("error", () => {});
  cleanups.push(
    () => new Promise<void>((resolve) => (device.isOpen ? device.close(() => resolve()) : resolve())),
  );
  return { pair, ser2net, device };
}

async function consoleFor(config: Record<string, unknown>, wire: Wire, options: ExpectConsoleOptions = {}) {
  const { board, serial } = await openSerialBoard(config, wire);
  cleanups.push(() => board.close());
  const c = await serial.openConsole({ timeout: 5000, ...options });
  cleanups.push(() => c.close());
  return { console: c, serial };
}

/** Sends to the device side and collects what arrives there until `until` was seen. */
function deviceReceives(device: SerialPort, until: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const onData = (d: Buffer) => {
      got.push(d);
      const all = Buffer.concat(got);
      if (all.includes(until)) {
        device.off("data", onData);
        resolve(all);
      }
    };
    device.on("data", onData);
  });
}

describe.skipIf(!hasProgram("ser2net") || !hasProgram("socat")).each(WIRES)(
  "Serial through ser2net (%s)",
  (wire) => {
    it("socket:// carries raw bytes both ways", async () => {
      const { ser2net, device } = await board();
      const { console: c } = await consoleFor({ url: `socket://127.0.0.1:${ser2net.rawPort}` }, wire);
      const received = deviceReceives(device, Buffer.from("\n"));
      await c.sendline("help");
      expect((await received).toString()).toBe("help\n");
      device.write("help\r\n=> ");
      expect((await c.expect("=> ")).before).toBe("help\r\n");
    });

    it("rfc2217:// sets the baud rate remotely and escapes 0xFF both ways", async () => {
      const { pair, ser2net, device } = await board();
      const url = `rfc2217://127.0.0.1:${ser2net.rfc2217Port}`;
      const { console: c } = await consoleFor({ url, baudrate: 57600 }, wire, { encoding: "latin1" });
      // ser2net's config says 9600; the client asked for 57600, and the pty now runs at that speed.
      expect(execFileSync("stty", ["-F", pair.a, "speed"]).toString().trim()).toBe("57600");
      const payload = Buffer.from([0x41, IAC, 0x42, IAC, IAC, 0x0a]);
      const received = deviceReceives(device, Buffer.from([0x0a]));
      await c.send(payload);
      expect([...(await received)]).toEqual([...payload]);
      device.write(Buffer.from([0x78, IAC, 0x79, 0x3e]));
      expect((await c.expect(">")).before).toBe("x\u00ffy");
    });

    it("a raw port that is not RFC 2217 is refused with the fix named", async () => {
      const port = await freePort();
      const server: Server = createServer((socket) => {
        // Answers every Telnet request with a refusal, as a plain Telnet server would for COM-PORT.
        socket.on("data", () => socket.write(Buffer.from([IAC, 254, 44])));
      });
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      await expect(openSerialBoard({ url: `rfc2217://127.0.0.1:${port}` }, wire)).rejects.toThrow(
        /refused the RFC 2217 COM-PORT option.*use socket:\/\//,
      );
    });

    it("nothing listening: check_present names the url and the fix", async () => {
      const port = await freePort();
      await expect(openSerialBoard({ url: `socket://127.0.0.1:${port}` }, wire)).rejects.toThrow(
        new RegExp(`cannot connect to socket://127.0.0.1:${port} \\(ECONNREFUSED\\): nothing listens there`),
      );
    });

    it("ser2net going away ends the wait with an error, not a hang", async () => {
      const { ser2net } = await board();
      const { console: c } = await consoleFor({ url: `socket://127.0.0.1:${ser2net.rawPort}` }, wire);
      const waiting = c.expect("=> ", { timeout: 1000 }).catch((e) => e);
      await ser2net.stop();
      expect((await waiting).code).toBe("ERR_DUTKIT_EXPECT_EOF");
    });
  },
);
