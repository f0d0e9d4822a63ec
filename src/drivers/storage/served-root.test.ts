// A root_dir that cannot hold boot files is refused when the exporter starts, naming the config
// file, the entry, the field and the fix; nothing is created and nothing hangs.
import { mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openLocalSession } from "../../exporter/local.ts";
import "../index.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-root-dir-"));
  await writeFile(join(dir, "a-file"), "not a directory");
  await symlink(join(dir, "gone"), join(dir, "dangling"));
  await symlink("/proc/self", join(dir, "to-proc"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function configWith(type: string, rootDir: string): Promise<string> {
  const path = join(dir, `${type}-${Math.random().toString(16).slice(2)}.yaml`);
  const lines = [
    "apiVersion: jumpstarter.dev/v1alpha1",
    "kind: ExporterConfig",
    "metadata: {namespace: lab, name: roots}",
    "export:",
    "  files:",
    `    type: ${type}`,
    `    config: {root_dir: ${JSON.stringify(rootDir)}, host: 127.0.0.1, port: 0}`,
  ];
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

// In-process only: these fail or pass when the exporter starts, before any client or wire.
describe.each(["Tftp", "HttpServer"])("%s root_dir", (type) => {
  test.each([
    [
      "/proc/tftpboot",
      /config\.root_dir \/proc\/tftpboot is under \/proc, a kernel filesystem: give a directory on a disk/,
    ],
    ["to-proc", /config\.root_dir to-proc \(.*\/to-proc\) is under \/proc, a kernel filesystem/],
    ["a-file", /config\.root_dir a-file \(.*\/a-file\) is a file, not a directory: give a directory/],
    [
      "a-file/boot",
      /config\.root_dir a-file\/boot \(.*\) goes through a file: give a path whose parents are directories/,
    ],
    [
      "dangling",
      /config\.root_dir dangling \(.*\) is a symbolic link to .*\/gone, which does not exist: create the target/,
    ],
  ])("%s is refused naming the file, the entry and the fix", async (rootDir, message) => {
    const config = await configWith(type, rootDir);
    const failure = await openLocalSession(config).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "ERR_DUTKIT_CONFIG" });
    expect(String((failure as Error).message)).toContain(`${config}: export.files: `);
    expect((failure as Error).message).toMatch(message);
  });

  test("a missing directory is created, as Jumpstarter creates it", async () => {
    const config = await configWith(type, `fresh-${type}`);
    const session = await openLocalSession(config);
    try {
      expect(await readdir(join(dir, `fresh-${type}`))).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
