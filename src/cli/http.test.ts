import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { OutputWatch } from "./__fixtures__/output-watch.ts";
import { runCli } from "./__fixtures__/run-cli.ts";
import { spawnCli } from "./__fixtures__/spawn-cli.ts";
import type { CliIo } from "./context.ts";
import { serveHttp } from "./http.ts";

const dutkit = (...args: string[]) => runCli(args);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-cli-http-"));
  await writeFile(join(dir, "index.html"), "<h1>board</h1>");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("dutkit http serve", () => {
  test("--help lists the options", async () => {
    const { code, stdout } = await dutkit("http", "serve", "--help");
    expect(code).toBe(0);
    for (const option of ["--root <dir>", "--host <address>", "--port <n>", "-v, --verbose"]) {
      expect(stdout).toContain(option);
    }
  });

  test("a port in use is a clear message and exit 1, without a stack trace", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    try {
      const port = String((blocker.address() as { port: number }).port);
      const { code, stderr } = await dutkit(
        "http",
        "serve",
        "--root",
        dir,
        "--host",
        "127.0.0.1",
        "--port",
        port,
      );
      expect(code).toBe(1);
      expect(stderr).toBe(
        `dutkit: TCP 127.0.0.1 port ${port} is already in use by another program: stop it, or choose another port (port 0 picks a free one) (ERR_HTTP_ADDRESS_IN_USE)\n`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test("an address of another machine is refused with what to use", async () => {
    const { code, stderr } = await dutkit(
      "http",
      "serve",
      "--root",
      dir,
      "--host",
      "192.0.2.1",
      "--port",
      "0",
    );
    expect(code).toBe(1);
    expect(stderr).toContain("Cannot listen on 192.0.2.1: it is not an address of this machine");
  });

  test("serves until stopped, with a line per request when verbose", async () => {
    const watch = new OutputWatch();
    const io: CliIo = {
      stdout: (text) => watch.append("stdout", text),
      stderr: (text) => watch.append("stderr", text),
    };
    let stop: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const serving = serveHttp({ root: dir, host: "127.0.0.1", port: 0, verbose: true }, io, stopped);
    void serving.then(
      () => watch.end("serveHttp returned"),
      (error: Error) => watch.end(`serveHttp failed: ${error.message}`),
    );
    const [, url] = await watch.waitFor(/, (http:\/\/127\.0\.0\.1:\d+)\)/, "the HTTP server's URL");
    expect(await (await fetch(`${url}/index.html`)).text()).toBe("<h1>board</h1>");
    await watch.waitFor(/ GET /, "the verbose line of the request");
    stop("SIGTERM");
    await serving;
    const { stdout } = watch;
    expect(stdout).toMatch(/^127\.0\.0\.1 GET "\/index\.html" 200 14 B$/m);
    expect(stdout).toMatch(/SIGTERM: stopping the HTTP server\nstopped after 1 requests\n$/);
  }, 30_000);

  test("the real bin stops cleanly on SIGTERM", async () => {
    const cli = spawnCli(["http", "serve", "--root", dir, "--host", "127.0.0.1", "--port", "0"]);
    try {
      const [, url] = await cli.line(/, (http:\/\/127\.0\.0\.1:\d+)\)/);
      expect((await fetch(`${url}/index.html`)).status).toBe(200);
      expect(await cli.stop("SIGTERM")).toBe(0);
      expect(cli.output().stdout).toContain("SIGTERM: stopping the HTTP server");
      expect(cli.output().stderr).toBe("");
    } finally {
      cli.child.kill("SIGKILL");
    }
  }, 120_000);
});
