// A process that takes the lock, logs when it enters and leaves, and notes an overlap if another
// holder is inside. Args: lock dir, lock name, log file, hold ms ("forever": never releases).
import { appendFile, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import { acquireLock } from "./port-lock.ts";

const [dir, name, log, hold] = process.argv.slice(2) as [string, string, string, string];
const lock = await acquireLock(name, {
  holder: `lock-child ${process.pid}`,
  dir,
  timeoutMs: 60_000,
  pollMs: 10,
});
process.stdout.write(`locked ${process.pid}\n`);
const inside = join(dir, "inside");
try {
  await (await open(inside, "wx")).close();
} catch {
  await appendFile(log, `overlap ${process.pid}\n`);
}
await appendFile(log, `enter ${process.pid}\n`);
if (hold === "forever") setInterval(() => {}, 60_000);
else {
  await new Promise((resolve) => setTimeout(resolve, Number(hold)));
  await appendFile(log, `leave ${process.pid}\n`);
  await unlink(inside).catch(() => {});
  await lock.release();
}
