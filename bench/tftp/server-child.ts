/**
 * Our TFTP server in a process of its own, so the benchmark measures its time and memory alone.
 * Started by run.ts through fork(); reports its port, stops on the "stop" message and answers
 * with its peak resident memory.
 */
import { TftpServer } from "../../src/tftp/index.ts";

const [root, workers, engine] = process.argv.slice(2);
const server = new TftpServer({
  root: root!,
  host: "127.0.0.1",
  port: 0,
  maxTransfers: 256,
  workers: Number(workers),
  nativeReads: engine === "native",
});
await server.start();
process.send?.({ port: server.address().port });
process.on("message", async (message) => {
  if (message !== "stop") return;
  await server.stop();
  process.send?.({ maxRssKiB: process.resourceUsage().maxRSS, stats: server.stats() }, () => process.exit(0));
});
