/**
 * Entry of a transfer worker thread: runs the transfers the server hands it with a
 * TransferRunner of its own (own event loop, own sockets) and reports back what happens.
 */
import { parentPort, workerData } from "node:worker_threads";
import { TransferRunner } from "./runner.ts";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-protocol.ts";

const port = parentPort;
if (!port) throw new Error("transfer-worker.ts runs only as a worker thread");
const setup = workerData as WorkerSetup;
const post = (message: FromWorker) => port.postMessage(message);

const runner = new TransferRunner({ ...setup.config, onRead: undefined }, setup.realRoot, setup.socketType, {
  prepared: (id, options) => post({ type: "prepared", id, options }),
  ended: (id, summary) => post({ type: "ended", id, summary }),
  refuse: (client, code, message) => post({ type: "refuse", client, code, message }),
  stranger: () => post({ type: "stranger" }),
  warn: (code, message, cause) => post({ type: "warn", code, message, cause: String(cause) }),
});

port.on("message", (message: ToWorker) => {
  if (message.type === "run") runner.run(message.id, message.request, message.client);
  else if (message.type === "cancel") runner.cancel(message.id, message.reason, message.tellClient);
  else if (message.type === "settle")
    runner.settle(message.id, () => post({ type: "settled", seq: message.seq }));
  else
    void runner.stop().then(() => {
      post({ type: "stopped" });
      port.close();
    });
});
post({ type: "ready" });
