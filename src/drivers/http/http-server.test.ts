import { mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FailedPreconditionError } from "../../core/errors.ts";
import { findDriverType } from "../../core/registry.ts";
import { exporterConfig, openBoard, WIRES } from "../../testing/open-board.ts";
import "./index.ts";
import type { HttpServerClient } from "./client.ts";

let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "dutkit-http-driver-")));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(WIRES)("HttpServer driver (%s)", (wire) => {
  test("putFile answers a URL that serves the bytes; ranges work; files go on close", async () => {
    const root = join(dir, `root-${wire}`);
    const board = await openBoard(
      exporterConfig({
        http: { type: "HttpServer", config: { root_dir: root, host: "127.0.0.1", port: 0 } },
      }),
      wire,
    );
    const http: HttpServerClient = board.client.http;
    try {
      await expect(http.getUrl()).rejects.toThrow(
        /HTTP server is not running and its port is 0.*call start\(\) first/,
      );
      await http.start();
      const port = await http.getPort();
      expect(await http.getUrl()).toBe(`http://127.0.0.1:${port}`);
      const data = Buffer.from("0123456789".repeat(100));
      const url = await http.putFile("images/disk image.raw", data);
      expect(url).toBe(`http://127.0.0.1:${port}/images/disk%20image.raw`);
      const whole = await fetch(url);
      expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
      const part = await fetch(url, { headers: { Range: "bytes=10-14" } });
      expect([part.status, await part.text()]).toEqual([206, "01234"]);
      expect((await fetch(`${await http.getUrl()}/images/`)).status).toBe(403);
      expect((await http.stats()).byStatus).toMatchObject({ "200": 1, "206": 1, "403": 1 });
      await http.stop();
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      await board.close();
    }
    expect(await readdir(root)).toEqual([]);
  });

  test("a local file is uploaded by path", async () => {
    const board = await openBoard(
      exporterConfig({ http: { type: "HttpServer", config: { host: "127.0.0.1", port: 0 } } }),
      wire,
    );
    try {
      const local = join(dir, `page-${wire}.html`);
      await writeFile(local, "<p>hi</p>");
      await board.client.http.start();
      const res = await fetch(await board.client.http.putFile("/index.html", local));
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await res.text()).toBe("<p>hi</p>");
    } finally {
      await board.close();
    }
  });

  test("a port in use makes start() fail with the reason and the way out", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    const board = await openBoard(
      exporterConfig({ http: { type: "HttpServer", config: { host: "127.0.0.1", port } } }),
      wire,
    );
    try {
      const failure = board.client.http.start();
      await expect(failure).rejects.toThrow(FailedPreconditionError);
      await expect(failure).rejects.toThrow(/already in use/);
    } finally {
      await board.close();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("HttpServer driver config", () => {
  test("config: Jumpstarter's name and defaults", () => {
    const spec = findDriverType("jumpstarter_driver_http.driver.HttpServer")!;
    expect(spec.id).toBe("HttpServer");
    expect(spec.config.parse({})).toMatchObject({ host: "", port: 8080, remove_created_on_close: true });
    expect(() => spec.config.parse({ port: -1 })).toThrow();
  });
});
