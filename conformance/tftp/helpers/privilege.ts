/** Starting a server where binding a low port needs privilege, whoever runs the tests. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TftpServer } from "../../../src/tftp/index.ts";

export interface StartFailure {
  code?: string;
  message: string;
}

/** A kernel letting anyone bind low ports: nothing to refuse then. */
export const portsBelow1024AreOpen =
  Number(readFileSync("/proc/sys/net/ipv4/ip_unprivileged_port_start", "utf8").trim()) <= 69;

async function startHere(port: number): Promise<StartFailure> {
  const server = new TftpServer({ root: ".", host: "127.0.0.1", port });
  try {
    await server.start();
    await server.stop();
    return { message: "started" };
  } catch (error) {
    return error as StartFailure;
  }
}

/** As root, binding 69 always works: a child process running as user nobody tries instead. */
function startAsNobody(port: number): Promise<StartFailure> {
  const loader = fileURLToPath(new URL("../../../scripts/ts-loader.mjs", import.meta.url));
  const entry = new URL("../../../src/tftp/index.ts", import.meta.url).href;
  const script = `import { TftpServer } from ${JSON.stringify(entry)};
const server = new TftpServer({ root: "/", host: "127.0.0.1", port: ${port} });
try { await server.start(); await server.stop(); console.log(JSON.stringify({ message: "started" })); }
catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })); }`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", loader, "--input-type=module", "-e", script],
      { uid: 65534, gid: 65534, timeout: 30_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`child running as nobody failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout.trim()) as StartFailure);
      },
    );
  });
}

/** What start() on `port` rejects with for an unprivileged user. */
export function startUnprivileged(port: number): Promise<StartFailure> {
  return process.getuid?.() === 0 ? startAsNobody(port) : startHere(port);
}
