// Run by orphan.test.ts as `node --import scripts/ts-loader.mjs power-on-child.ts`: powers on a QEMU
// board, prints one JSON line {name, pid}, and waits to be killed (at most two minutes).
import { QemuConfig } from "../config.ts";
import { Qemu } from "../driver.ts";
import { ubootBoard } from "./support.ts";

const board = new Qemu(QemuConfig.parse(ubootBoard), process.cwd());
const power = board.children.power as unknown as { on(): Promise<void> };
await power.on();
process.stdout.write(`${JSON.stringify({ name: board.machine.name, pid: process.pid })}\n`);
setTimeout(() => process.exit(3), 120_000);
