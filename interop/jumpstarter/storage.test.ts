// Files across the wire as Jumpstarter moves them (spec 2.7, 5.4, 5.5, 5.7): a resource stream,
// then file_write / file_read with its handle. Jumpstarter's Python client against `dutkit run`
// with the Tftp and HttpServer drivers, a real tftp-hpa download of what it uploaded, and dutkit's
// client against Jumpstarter's exporter in `jmp shell`.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  dutkitCommand,
  type Finished,
  peerEnv,
  python,
  runToEnd,
  type Served,
  scratch,
  serveWithDutkit,
  venvBin,
} from "./helpers/peer.ts";

const TEMPLATE = join(import.meta.dirname, "configs/storage-board.yaml");
/** The fields of upstream's `Metadata` and `EntryMode`, as its stat() sends them. */
const STAT_FIELDS = ["content_disposition", "content_length", "content_md5", "content_type", "etag", "mode"];

let dir: string;
let removeDir: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove: removeDir } = await scratch("storage"));
});
afterAll(() => removeDir?.());

/** The board config with its roots in a fresh directory of this file's scratch directory. */
async function boardConfig(name: string): Promise<{ config: string; root: string }> {
  const root = join(dir, name);
  await mkdir(root, { recursive: true });
  const config = join(root, "board.yaml");
  await writeFile(config, (await readFile(TEMPLATE, "utf8")).replaceAll("__ROOT__", root));
  return { config, root };
}

/** The last stdout line of a finished peer, parsed; a failed run fails with its output. */
function lastJson(result: Finished): any {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
}

describe("Jumpstarter's client against dutkit's exporter (Tftp, HttpServer)", () => {
  let served: Served;
  let root: string;
  const big = randomBytes(6 * 1024 * 1024 + 123);
  let source: string;
  beforeAll(async () => {
    const board = await boardConfig("dutkit-board");
    root = board.root;
    source = join(root, "local-big.bin");
    await writeFile(source, big);
    served = await serveWithDutkit(board.config, root);
  }, 40_000);
  afterAll(() => served?.stop());
  const env = () => peerEnv(root, { JUMPSTARTER_HOST: served.socket });
  const py = (lines: string[], timeoutMs = 60_000) =>
    python(
      ["import json", "from jumpstarter.utils.env import env", "with env() as client:", ...lines].join("\n"),
      {
        env: env(),
        timeoutMs,
      },
    );

  test("write_from_path, write_bytes, read_bytes, read_into_path, stat, list, exists: byte-exact", async () => {
    const back = join(root, "local-back.bin");
    const result = lastJson(
      await py([
        "    s = client.tftp.storage",
        `    s.write_from_path("t1/boot.bin", ${JSON.stringify(source)})`,
        '    s.write_bytes("t1/cmdline.txt", b"console=ttyS0\\n")',
        `    s.read_into_path("t1/boot.bin", ${JSON.stringify(back)})`,
        "    h = client.http.storage",
        '    h.write_bytes("www/index.html", b"<p>hi</p>")',
        "    print(json.dumps({",
        '        "cmdline": s.read_bytes("t1/cmdline.txt").decode(),',
        '        "html": h.read_bytes("www/index.html").decode(),',
        '        "stat": s.stat("t1/boot.bin").model_dump(),',
        '        "stat_wire": s.call("stat", "t1/boot.bin"),',
        '        "dir_is_dir": h.stat("www").mode.is_dir(),',
        '        "list": sorted(s.list("t1/")),',
        '        "exists": [s.exists("t1/boot.bin"), s.exists("t1/nope.bin")],',
        '        "created": sorted(p for p in s.get_created_resources() if p.startswith("t1")),',
        "    }))",
      ]),
    );
    expect((await readFile(join(root, "tftp", "t1", "boot.bin"))).equals(big)).toBe(true);
    expect((await readFile(back)).equals(big)).toBe(true);
    expect(await readFile(join(root, "http", "www", "index.html"), "utf8")).toBe("<p>hi</p>");
    expect(result).toMatchObject({
      cmdline: "console=ttyS0\n",
      html: "<p>hi</p>",
      stat: { content_length: big.length, mode: { entry_is_file: true, entry_is_dir: false } },
      dir_is_dir: true,
      // dutkit lists the entries only; upstream's fs listing also names "t1/" itself.
      list: ["t1/boot.bin", "t1/cmdline.txt"],
      exists: [true, false],
      created: ["t1", "t1/boot.bin", "t1/cmdline.txt"],
    });
    expect(Object.keys(result.stat_wire).sort()).toEqual(STAT_FIELDS);
    expect(Object.keys(result.stat_wire.mode).sort()).toEqual(["entry_is_dir", "entry_is_file"]);
  });

  test("tftp-hpa downloads what the Python client uploaded, byte-exact, from dutkit's Tftp", async () => {
    const upload = join(root, "local-tftp.bin");
    const fetched = join(root, "local-tftp-fetched.bin");
    const data = randomBytes(3 * 1024 * 1024 + 7);
    await writeFile(upload, data);
    const result = lastJson(
      await py([
        "    import subprocess",
        `    client.tftp.storage.write_from_path("kernel.img", ${JSON.stringify(upload)})`,
        "    client.tftp.start()",
        "    port = int(client.tftp.get_port())",
        "    got = subprocess.run(['tftp', '127.0.0.1', str(port), '-m', 'binary', '-c', 'get', 'kernel.img',",
        `        ${JSON.stringify(fetched)}], capture_output=True, text=True, timeout=60)`,
        "    client.tftp.stop()",
        "    print(json.dumps({'port': port, 'stdout': got.stdout, 'stderr': got.stderr}))",
      ]),
    );
    expect(result.port).toBeGreaterThan(0);
    const got = await readFile(fetched).catch(() => Buffer.alloc(0));
    expect(got.length, JSON.stringify(result)).toBe(data.length);
    expect(got.equals(data)).toBe(true);
  });

  test("the content encoding it asks for is not accepted, so it sends plain bytes (as upstream)", async () => {
    const text = "decoded by the client\n".repeat(1000);
    const result = lastJson(
      await py([
        "    import gzip",
        "    from io import BytesIO",
        "    from jumpstarter_driver_opendal.client import BytesIOStream",
        "    s = client.tftp.storage",
        '    f = s.open("enc.txt", "wb")',
        `    packed = gzip.compress(${JSON.stringify(text)}.encode())`,
        "    with s.portal.wrap_async_context_manager(BytesIOStream(buf=BytesIO(packed))) as stream:",
        '        with s.portal.wrap_async_context_manager(s.resource_async(stream, content_encoding="gzip")) as handle:',
        '            s.call("file_write", f.fd, handle)',
        "    f.close()",
        "    print(json.dumps({'handle': handle}))",
      ]),
    );
    expect(result.handle).toEqual({
      kind: "client_stream",
      uuid: expect.any(String),
      x_jmp_content_encoding: null,
    });
    expect(await readFile(join(root, "tftp", "enc.txt"), "utf8")).toBe(text);
  });

  test("a failed upload, then file_close, leaves nothing and keeps the old file", async () => {
    await writeFile(join(root, "tftp", "old.bin"), "old content");
    const result = lastJson(
      await py([
        "    s = client.tftp.storage",
        "    errors = []",
        '    for dst in ["old.bin", "fresh/never.bin"]:',
        "        try:",
        `            s.write_from_path(dst, ${JSON.stringify(join(root, "no-such-local-file"))})`,
        "        except Exception as e:",
        "            errors.append(str(e))",
        "    print(json.dumps({'errors': errors, 'list': sorted(s.list('/')),",
        "        'created': sorted(s.get_created_resources())}))",
      ]),
    );
    // The local file is missing: upstream's client fails before file_write, then calls file_close.
    expect(result.errors).toHaveLength(2);
    for (const error of result.errors) expect(error).toMatch(/nothing was written/);
    expect(result.list).not.toContain("fresh/");
    expect(result.created).not.toContain("fresh/never.bin");
    expect(await readFile(join(root, "tftp", "old.bin"), "utf8")).toBe("old content");
    expect((await readdir(join(root, "tftp"))).filter((name) => /never|\.part$|^fresh$/.test(name))).toEqual(
      [],
    );
  });

  test("an upload cut off by the client's death leaves nothing and keeps the old file", async () => {
    await writeFile(join(root, "tftp", "victim.bin"), "old victim");
    // Its stream sends 1 MiB, says so, and then stalls until the test kills it.
    const child = spawn(
      venvBin("python"),
      [
        "-c",
        [
          "import anyio",
          "from anyio.abc import ObjectStream",
          "from jumpstarter.utils.env import env",
          "class Stalling(ObjectStream):",
          "    sent = 0",
          "    async def receive(self):",
          "        if self.sent == 4:",
          "            print('stalled', flush=True)",
          "            await anyio.sleep_forever()",
          "        self.sent += 1",
          "        return b'x' * 262144",
          "    async def send(self, item): pass",
          "    async def send_eof(self): pass",
          "    async def aclose(self): pass",
          "with env() as client:",
          "    s = client.tftp.storage",
          '    f = s.open("victim.bin", "wb")',
          "    with s.portal.wrap_async_context_manager(Stalling()) as stream:",
          "        with s.portal.wrap_async_context_manager(s.resource_async(stream)) as handle:",
          '            s.call("file_write", f.fd, handle)',
        ].join("\n"),
      ],
      { env: env(), stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let output = "";
    const stalled = new Promise<void>((resolve) => {
      const seen = (d: Buffer) => {
        output += d;
        if (output.includes("stalled")) resolve();
      };
      child.stdout.on("data", seen);
      child.stderr.on("data", seen);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the client did not say "stalled" within 30000 ms:\n${output}`)),
        30_000,
      );
      void stalled.then(() => {
        clearTimeout(timer);
        resolve();
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the client exited before its upload stalled:\n${output}`));
      });
    });
    const part = await waitFor(
      async () => (await readdir(join(root, "tftp"))).find((name) => name.endsWith(".part")),
      "the upload's temporary file in the Tftp root",
      30_000,
    );
    child.kill("SIGKILL");
    await exited;
    await waitFor(
      async () => !(await readdir(join(root, "tftp"))).includes(part),
      `dutkit to discard ${part} after the client died (${output})`,
      30_000,
    );
    expect(await readFile(join(root, "tftp", "victim.bin"), "utf8")).toBe("old victim");
  });
});

describe("dutkit's client against Jumpstarter's exporter (jmp shell --exporter-config)", () => {
  test("dutkit j writeFromPath / readIntoPath / writeBytes / readBytes / stat: byte-exact", {
    timeout: 150_000,
  }, async () => {
    const { config, root } = await boardConfig("python-board");
    const big = randomBytes(5 * 1024 * 1024 + 3);
    const source = join(root, "local-big.bin");
    const back = join(root, "local-back.bin");
    await writeFile(source, big);
    const [node, dutkit] = dutkitCommand();
    const j = [node, ...dutkit, "j"].map((part) => `'${part}'`).join(" ");
    const script = [
      `${j} tftp.storage writeFromPath boot.bin '${source}' || { echo "step 11 failed"; exit 11; }`,
      `${j} tftp.storage readIntoPath boot.bin '${back}' || { echo "step 12 failed"; exit 12; }`,
      `${j} http.storage writeBytes hello.txt 'hello from dutkit' || { echo "step 13 failed"; exit 13; }`,
      `${j} http.storage readBytes hello.txt > '${root}/read.json' || { echo "step 14 failed"; exit 14; }`,
      `${j} tftp.storage stat boot.bin > '${root}/stat.json' || { echo "step 15 failed"; exit 15; }`,
      `cmp '${source}' '${root}/tftp/boot.bin' || { echo "step 16 failed"; exit 16; }`,
      "echo storage-script-done",
    ].join("\n");
    const result = await runToEnd(
      venvBin("jmp"),
      ["shell", "--exporter-config", config, "--", "sh", "-c", script],
      {
        env: peerEnv(root),
        timeoutMs: 140_000,
      },
    );
    // jmp shell (0.9.0) exits 0 whatever the command did: the script's last line says it got there.
    expect(result.stdout, `${result.stdout}\n${result.stderr}`).toContain("storage-script-done");
    expect((await readFile(back)).equals(big)).toBe(true);
    const read = JSON.parse(await readFile(join(root, "read.json"), "utf8"));
    expect(Buffer.from(read.data).toString()).toBe("hello from dutkit");
    const stat = JSON.parse(await readFile(join(root, "stat.json"), "utf8"));
    expect(Object.keys(stat).sort()).toEqual(STAT_FIELDS);
    expect(stat).toMatchObject({
      content_length: big.length,
      mode: { entry_is_file: true, entry_is_dir: false },
    });
  });
});

/** Polls `check` until it gives a truthy value; bounded, and the failure says what it waited for. */
async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 100_000; round++) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`waited ${timeoutMs} ms for ${what}`);
}
