/**
 * Real peers for the serial tests (not part of the package's API): a pair of ptys joined by
 * socat, and ser2net serving a pty over raw TCP and RFC 2217 on loopback. Every wait is bounded;
 * `stop()` kills the process and waits for it to exit.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const START_MS = 5000;

export function hasProgram(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface Peer {
  process: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess, cleanup: () => void = () => {}): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(START_MS)]);
    }
    cleanup();
  };
}

/** Two ptys whose bytes socat copies to each other: what is written to one is read from the other. */
export async function startPtyPair(): Promise<Peer & { a: string; b: string }> {
  const child = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const stop = stopper(child);
  let log = "";
  try {
    const [a, b] = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`socat did not start within ${START_MS} ms:\n${log}`)),
        START_MS,
      );
      child.once("error", (e) =>
        reject(new Error(`cannot run socat (${e.message}); install it: apt-get install socat`)),
      );
      child.once("exit", (code) =>
        reject(new Error(`socat exited (${code}) before its ptys were ready:\n${log}`)),
      );
      child.stderr!.on("data", (d: Buffer) => {
        log += d.toString();
        const ptys = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
        if (ptys.length === 2 && log.includes("starting data transfer loop")) {
          clearTimeout(timer);
          resolve(ptys);
        }
      });
    });
    return { process: child, stop, a: a!, b: b! };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether something listens on 127.0.0.1:port, read from /proc/net/tcp rather than by
 * connecting: a connection would make ser2net open and close the device, and a test's own
 * connection right after could find it still closing.
 */
function listening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1] === local && fields[3] === "0A";
    });
}

/**
 * ser2net serving `device` on two loopback ports: raw TCP (`rawPort`) and Telnet with
 * RFC 2217 (`rfc2217Port`), from a config file of its own (the system's is not read).
 */
export async function startSer2net(device: string): Promise<Peer & { rawPort: number; rfc2217Port: number }> {
  const [rawPort, rfc2217Port] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "dutkit-ser2net-"));
  const config = join(dir, "ser2net.yaml");
  const connection = (name: string, accepter: string) =>
    `connection: &${name}\n  accepter: ${accepter}\n  enable: on\n  options:\n    kickolduser: true\n` +
    `  connector: serialdev,${device},9600n81,local\n`;
  writeFileSync(
    config,
    `%YAML 1.1\n---\n${connection("raw", `tcp,127.0.0.1,${rawPort}`)}\n` +
      `${connection("rfc", `telnet(rfc2217),tcp,127.0.0.1,${rfc2217Port}`)}`,
  );
  const child = spawn("ser2net", ["-n", "-u", "-c", config, "-P", join(dir, "pid")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  // Wait until both ports accept: at most 50 tries, 100 ms apart.
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (listening(rawPort) && listening(rfc2217Port)) return { process: child, stop, rawPort, rfc2217Port };
    await sleep(100);
  }
  await stop();
  throw new Error(`ser2net did not listen on ports ${rawPort} and ${rfc2217Port}:\n${log}`);
}
