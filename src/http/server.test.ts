import { once } from "node:events";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HttpFileServer } from "./server.ts";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the target sent exactly as given (fetch would normalise `..` away). */
function raw(
  port: number,
  target: string,
  options: { method?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: target, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("HttpFileServer", () => {
  let base: string;
  let root: string;
  let server: HttpFileServer;
  let port: number;
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "dutkit-http-"));
    root = join(base, "root");
    await mkdir(join(root, "boot"), { recursive: true });
    await writeFile(join(root, "boot", "Image"), data);
    await writeFile(join(root, "index.html"), "<h1>hi</h1>");
    await writeFile(join(root, "empty.txt"), "");
    await writeFile(join(root, "has space.bin"), "spaced");
    await writeFile(join(base, "secret"), "secret");
    await symlink(join(base, "secret"), join(root, "leak"));
    server = new HttpFileServer({ root, host: "127.0.0.1", port: 0 });
    await server.start();
    port = server.address().port;
  });
  afterAll(async () => {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  });

  test("GET serves the file byte-exact with length, type and validators", async () => {
    const res = await fetch(`${server.url()}/boot/Image`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    expect(res.headers.get("content-length")).toBe("1000");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers.get("last-modified")).toMatch(/GMT$/);
    const html = await fetch(`${server.url()}/index.html`);
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await html.text()).toBe("<h1>hi</h1>");
  });

  test("HEAD answers the same headers without a body", async () => {
    const res = await raw(port, "/boot/Image", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBe("1000");
    expect(res.body.length).toBe(0);
  });

  test("a byte range is 206 with Content-Range; suffix and open ranges work", async () => {
    const res = await raw(port, "/boot/Image", { headers: { Range: "bytes=10-19" } });
    expect(res.status).toBe(206);
    expect(res.headers["content-range"]).toBe("bytes 10-19/1000");
    expect(res.headers["content-length"]).toBe("10");
    expect(res.body.equals(data.subarray(10, 20))).toBe(true);
    const tail = await raw(port, "/boot/Image", { headers: { Range: "bytes=-5" } });
    expect(tail.body.equals(data.subarray(995))).toBe(true);
    const open = await raw(port, "/boot/Image", { headers: { Range: "bytes=990-" } });
    expect(open.headers["content-range"]).toBe("bytes 990-999/1000");
  });

  test("a range past the end is 416 with the size", async () => {
    const res = await raw(port, "/boot/Image", { headers: { Range: "bytes=1000-" } });
    expect(res.status).toBe(416);
    expect(res.headers["content-range"]).toBe("bytes */1000");
  });

  test("If-Range with a stale validator serves the whole file", async () => {
    const res = await raw(port, "/boot/Image", { headers: { Range: "bytes=0-0", "If-Range": '"stale"' } });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(1000);
  });

  test("an empty file, a percent-encoded name and a leading double slash", async () => {
    const empty = await raw(port, "/empty.txt");
    expect([empty.status, empty.headers["content-length"], empty.body.length]).toEqual([200, "0", 0]);
    expect((await raw(port, "/has%20space.bin")).body.toString()).toBe("spaced");
    expect((await raw(port, "//boot//Image")).status).toBe(200);
  });

  test.each([
    ["/", 403],
    ["/boot", 403],
    ["/missing", 404],
    ["/../secret", 403],
    ["/boot/../../secret", 403],
    ["/%2e%2e/secret", 403],
    ["/..%5csecret", 403],
    ["/leak", 403],
    ["/a%00b", 400],
    ["/a%0ab", 400],
    ["/%zz", 400],
  ])("%s is %i, with no directory listing or server path", async (target, status) => {
    const res = await raw(port, target);
    expect(res.status).toBe(status);
    expect(res.body.toString()).not.toContain(base);
    expect(res.body.toString()).not.toContain("secret\n");
  });

  test("other methods are 405 with Allow", async () => {
    const res = await raw(port, "/index.html", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD");
  });

  test("every answered request is reported", async () => {
    const reported = once(server, "request");
    await raw(port, "/index.html");
    const [event] = await reported;
    expect(event).toMatchObject({ method: "GET", target: "/index.html", status: 200, bytes: 11 });
  });
});

describe("HttpFileServer start and stop", () => {
  test("a port in use is a clear error that says what to do", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    const server = new HttpFileServer({ root: tmpdir(), host: "127.0.0.1", port });
    try {
      await expect(server.start()).rejects.toMatchObject({
        code: "ERR_HTTP_ADDRESS_IN_USE",
        message: expect.stringContaining("port 0 picks a free one"),
      });
      expect(server.running).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test("a missing root is refused at start", async () => {
    const server = new HttpFileServer({ root: join(tmpdir(), "dutkit-no-such-root"), port: 0 });
    await expect(server.start()).rejects.toMatchObject({ code: "ERR_HTTP_ROOT_NOT_FOUND" });
  });

  test("stop closes idle keep-alive connections and frees the port", async () => {
    const server = new HttpFileServer({ root: tmpdir(), host: "127.0.0.1", port: 0 });
    await server.start();
    const { port } = server.address();
    await fetch(`http://127.0.0.1:${port}/`);
    await server.stop();
    expect(() => server.address()).toThrow(/not running/);
    const again = new HttpFileServer({ root: tmpdir(), host: "127.0.0.1", port });
    await again.start();
    await again.stop();
  });

  test("a bad port is refused up front", () => {
    expect(() => new HttpFileServer({ root: tmpdir(), port: 70000 })).toThrow(/0 to 65535/);
  });
});
