import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { OutputWatch } from "./__fixtures__/output-watch.ts";
import { runCli } from "./__fixtures__/run-cli.ts";
import { spawnCli } from "./__fixtures__/spawn-cli.ts";
import type { CliIo } from "./context.ts";
import { DEFAULT_JS_WORKERS, serveTftp } from "./tftp.ts";

const exec = promisify(execFile);

const dutkit = (...args: string[]) => runCli(args);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-cli-tftp-"));
  await writeFile(join(dir, "hello.txt"), "hello over tftp\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function busyboxGet(port: number, remote: string): Promise<string> {
  const local = join(dir, `got-${Math.random().toString(16).slice(2)}`);
  await exec("busybox", ["tftp", "-g", "-r", remote, "-l", local, "127.0.0.1", String(port)], {
    timeout: 30_000,
  });
  return readFile(local, "utf8");
}

describe("dutkit tftp serve", () => {
  test("--help lists the options", async () => {
    const { code, stdout } = await dutkit("tftp", "serve", "--help");
    expect(code).toBe(0);
    for (const option of [
      "--root <dir>",
      "--host <address>",
      "--port <n>",
      "--blksize-max <n>",
      "--windowsize-max <n>",
      "--per-client-root",
      "--write",
      "--max-transfers <n>",
      "--workers <n>",
      "-v, --verbose",
    ]) {
      expect(stdout).toContain(option);
    }
  });

  test("a port in use is a clear message and exit 1, without a stack trace", async () => {
    const blocker = createSocket("udp4");
    await new Promise<void>((resolve) => blocker.bind(0, "127.0.0.1", resolve));
    try {
      const port = String(blocker.address().port);
      const { code, stdout, stderr } = await dutkit(
        "tftp",
        "serve",
        "--root",
        dir,
        "--host",
        "127.0.0.1",
        "--port",
        port,
      );
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `dutkit: UDP 127.0.0.1 port ${port} is already in use (another TFTP server such as tftpd-hpa?): stop it, or choose another port (port 0 picks a free one) (ERR_TFTP_ADDRESS_IN_USE)\n`,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(resolve));
    }
  });

  test("a missing root and a bad number are refused with what to do", async () => {
    const missing = await dutkit("tftp", "serve", "--root", join(dir, "nope"), "--port", "0");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/is not an existing directory: create it or pass another root/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const bad = await dutkit("tftp", "serve", "--root", dir, "--blksize-max", "4");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--blksize-max must be an integer from 8 to 65464");
    const noRoot = await dutkit("tftp", "serve");
    expect(noRoot.code).toBe(1);
    expect(noRoot.stderr).toContain("required option '--root <dir>' not specified");
  });

  test("serves until stopped, with a line per finished transfer when verbose", async () => {
    const watch = new OutputWatch();
    const io: CliIo = {
      stdout: (text) => watch.append("stdout", text),
      stderr: (text) => watch.append("stderr", text),
    };
    let stop: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const serving = serveTftp({ root: dir, host: "127.0.0.1", port: 0, verbose: true }, io, stopped);
    void serving.then(
      () => watch.end("serveTftp returned"),
      (error: Error) => watch.end(`serveTftp failed: ${error.message}`),
    );
    const [, port] = await watch.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "the TFTP server's address");
    expect(await busyboxGet(Number(port), "hello.txt")).toBe("hello over tftp\n");
    await watch.waitFor(/^read .*$/m, "the verbose line of the finished transfer");
    stop("SIGINT");
    await serving;
    const { stdout } = watch;
    expect(stdout).toMatch(
      /^read 127\.0\.0\.1:\d+ "hello\.txt" completed 16 B 1 blocks 0 retransmits [\d.]+ ms/m,
    );
    const engine = `(native read loop|JavaScript only, ${DEFAULT_JS_WORKERS} transfer workers)`;
    expect(stdout).toMatch(new RegExp(`read-only, ${engine}\\); Ctrl-C stops it\n`));
    expect(stdout).toMatch(
      /SIGINT: stopping the TFTP server\nstopped after 1 transfers: 1 completed, 0 failed, 0 aborted\n$/,
    );
  }, 30_000);

  test("the real bin stops cleanly on SIGINT (--no-native sends from JavaScript)", async () => {
    const args = ["tftp", "serve", "--root", dir, "--host", "127.0.0.1", "--port", "0", "--no-native", "-v"];
    const cli = spawnCli(args);
    try {
      const [, port] = await cli.line(
        new RegExp(
          `listening on 127\\.0\\.0\\.1:(\\d+) .*JavaScript only, ${DEFAULT_JS_WORKERS} transfer workers\\)`,
        ),
      );
      expect(await busyboxGet(Number(port), "hello.txt")).toBe("hello over tftp\n");
      const [line] = await cli.line(/^read .* completed.*$/m);
      expect(line).not.toMatch(/ native$/);
      expect(await cli.stop("SIGINT")).toBe(0);
      expect(cli.output().stdout).toContain("stopped after 1 transfers: 1 completed");
      expect(cli.output().stderr).toBe("");
    } finally {
      cli.child.kill("SIGKILL");
    }
  }, 120_000);
});
