// Each client checks what its driver answers against the driver's contract: a drift between the
// two is a DriverResultError naming the driver, the method and the field, not a wrong value deep
// inside a test. The transport here answers what a drifted driver would.
import type { Duplex } from "node:stream";
import { describe, expect, test } from "vitest";
import type { DriverClient } from "../client/client.ts";
import { DriverResultError } from "../core/contract.ts";
import type { JsonValue } from "../core/value.ts";
import { HttpServerClient } from "./http/index.ts";
import { MockPowerClient, PowerClient } from "./power/index.ts";
import { StorageClient } from "./storage/index.ts";
import { TftpServerClient } from "./tftp/index.ts";
import { UbootConsoleClient } from "./uboot/index.ts";

type ClientInit = ConstructorParameters<typeof DriverClient>[0];
type ClientClass<C> = new (init: ClientInit) => C;

/** A client of `cls` at `path` whose every call answers `answer` (streams yield it once). */
function clientAnswering<C>(cls: ClientClass<C>, path: string, answer: JsonValue): C {
  const transport: ClientInit["transport"] = {
    report: () => Promise.reject(new Error("not used")),
    call: async () => answer,
    async *streamingCall() {
      yield answer;
    },
    byteStream: (): Promise<Duplex> => Promise.reject(new Error("not used")),
    resource: () => Promise.reject(new Error("not used")),
    close: async () => {},
  };
  return new cls({
    report: { uuid: "u", labels: {}, methodsDescription: {} },
    path,
    transport,
    children: {},
  });
}

const tftpStats = {
  activeTransfers: 0,
  startedTransfers: 1,
  completedTransfers: 1,
  failedTransfers: 0,
  abortedTransfers: 0,
  sizeProbes: 0,
  busyRejections: 0,
  duplicateRequests: 0,
  bytesSent: 512,
  bytesReceived: 0,
  retransmits: 0,
  nativeTransfers: 0,
  malformedPackets: 0,
  strangerPackets: 0,
  leftoverUploadsRemoved: 0,
};
const stat = {
  content_disposition: null,
  content_length: 14,
  content_md5: null,
  content_type: "text/plain",
  etag: '"e-1"',
  mode: { entry_is_file: true, entry_is_dir: false },
};

interface Drift {
  name: string;
  run: (answer: JsonValue) => Promise<unknown>;
  good: JsonValue;
  drifted: JsonValue;
  method: string;
  field: string;
}

const drifts: Drift[] = [
  {
    name: "TftpServerClient.stats",
    run: (answer) => clientAnswering(TftpServerClient, "tftp", answer).stats(),
    good: tftpStats,
    drifted: { ...tftpStats, bytesSent: "512" },
    method: "stats",
    field: "bytesSent",
  },
  {
    name: "TftpServerClient.transfers",
    run: (answer) => clientAnswering(TftpServerClient, "tftp", answer).transfers(),
    good: [],
    drifted: [{ id: 1, kind: "read" }],
    method: "transfers",
    field: "0.filename",
  },
  {
    name: "TftpServerClient.getPort",
    run: (answer) => clientAnswering(TftpServerClient, "tftp", answer).getPort(),
    good: 69,
    drifted: "69",
    method: "get_port",
    field: "",
  },
  {
    name: "HttpServerClient.stats",
    run: (answer) => clientAnswering(HttpServerClient, "http", answer).stats(),
    good: { requests: 1, byStatus: { "200": 1 }, bytesSent: 3 },
    drifted: { requests: 1, by_status: { "200": 1 }, bytesSent: 3 },
    method: "stats",
    field: "byStatus",
  },
  {
    name: "StorageClient.stat",
    run: (answer) => clientAnswering(StorageClient, "tftp.storage", answer).stat("boot.cfg"),
    good: stat,
    drifted: { ...stat, mode: { is_file: true, is_dir: false } },
    method: "stat",
    field: "mode.entry_is_file",
  },
  {
    name: "UbootConsoleClient.setupDhcp",
    run: (answer) => clientAnswering(UbootConsoleClient, "uboot", answer).setupDhcp(),
    good: { ip: "10.0.0.2", gateway: "10.0.0.1", netmask: "255.255.255.0" },
    drifted: { ip_address: "10.0.0.2", gateway: "10.0.0.1", netmask: "255.255.255.0" },
    method: "setup_dhcp",
    field: "ip",
  },
  {
    name: "MockPowerClient.history",
    run: (answer) => clientAnswering(MockPowerClient, "power", answer).history(),
    good: [{ method: "on", at: "2026-12-02T16:00:00.000Z" }],
    drifted: [{ method: "cycle", at: "2026-12-02T16:00:00.000Z" }],
    method: "history",
    field: "0.method",
  },
  {
    name: "PowerClient.read",
    run: async (answer) => {
      const readings = [];
      for await (const reading of clientAnswering(PowerClient, "power", answer).read())
        readings.push(reading);
      return readings;
    },
    good: { voltage: 5, current: 2 },
    drifted: { voltage: "5", current: 2 },
    method: "read",
    field: "voltage",
  },
];

describe.each(drifts)("$name", ({ run, good, drifted, method, field }) => {
  test("an answer that fits the contract passes", async () => {
    await expect(run(good)).resolves.toBeDefined();
  });

  test("a drifted answer fails with DriverResultError naming the method and field", async () => {
    const failure = await run(drifted).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DriverResultError);
    expect(failure).toMatchObject({ code: "ERR_DUTKIT_PROTOCOL", method, field });
  });
});
