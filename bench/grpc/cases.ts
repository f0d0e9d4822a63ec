/**
 * The four round-trip cases of the gRPC benchmark, each set up on its own and closable:
 * a Session called directly, the Session served on a unix socket, the Session leased through a
 * controller and its router, and a plain @grpc/grpc-js unary echo on a unix socket (the reference).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Client,
  credentials,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
} from "@grpc/grpc-js";
import { GrpcTransport } from "../../src/client/grpc/index.ts";
import { defineExporter } from "../../src/config/index.ts";
import { parseControllerConfig, startController } from "../../src/controller/index.ts";
import { NAME_LABEL, type Transport } from "../../src/core/transport.ts";
import "../../src/drivers/index.ts";
import { serveSession } from "../../src/exporter/grpc/index.ts";
import { startLeasedExporter } from "../../src/exporter/leased/index.ts";
import { loadExporter } from "../../src/exporter/local.ts";
import { Session } from "../../src/exporter/session.ts";
import type { ClientConfig } from "../../src/lease/client-config.ts";
import { LeaseClient } from "../../src/lease/index.ts";

/** One benchmark case: `call()` makes one round trip; `close()` releases everything it opened. */
export interface Case {
  name: string;
  call(): Promise<unknown>;
  close(): Promise<void>;
}

const NAMESPACE = "bench";
const EXPORTER = "bench-board";
const LABELS = { board: "bench" };

/** A board with one MockPower, named like the leased exporter so all cases serve the same tree. */
const exporterConfig = () =>
  defineExporter({
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ExporterConfig",
    metadata: { namespace: NAMESPACE, name: EXPORTER, labels: LABELS },
    export: { power: { type: "MockPower" } },
  });

/** The uuid of the driver reported under `name` (the `power` entry). */
async function uuidOf(transport: Transport, name: string): Promise<string> {
  const report = await transport.report();
  const driver = report.reports.find((r) => r.labels[NAME_LABEL] === name);
  if (!driver) throw new Error(`the exporter reports no driver named "${name}"`);
  return driver.uuid;
}

/** A scratch directory for sockets and state, removed by the returned function. */
export async function scratchDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "dutkit-grpc-bench-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Calls the Session object itself: no serialisation, no I/O. */
export async function inProcessCase(method: string): Promise<Case> {
  const session = await Session.open(await loadExporter(exporterConfig()));
  const uuid = await uuidOf(session, "power");
  return {
    name: "in-process Session",
    call: () => session.call(uuid, method, []),
    close: () => session.close(),
  };
}

/** serveSession on a unix socket, called through GrpcTransport. */
export async function unixSocketCase(dir: string, method: string): Promise<Case> {
  const session = await Session.open(await loadExporter(exporterConfig()));
  const served = await serveSession(session, { listen: join(dir, "session.sock"), shutdownGraceMs: 1000 });
  const transport = await GrpcTransport.connect(served.address, { timeoutMs: 10_000 });
  const uuid = await uuidOf(transport, "power");
  return {
    name: "gRPC, unix socket",
    call: () => transport.call(uuid, method, []),
    async close() {
      await transport.close();
      await served.close();
      await session.close();
    },
  };
}

/**
 * A controller on a unix socket, a leased exporter registered with it, and a lease taken by
 * label selector: calls go client → local tunnel socket → router → exporter's session socket.
 * All of it runs in this one process, as in the lease end-to-end tests.
 */
export async function routerCase(dir: string, method: string): Promise<Case> {
  const clientToken = "bench-client-token-0123456789";
  const exporterToken = "bench-exporter-token-0123456789";
  const configPath = join(dir, "controller.yaml");
  const configText = [
    "apiVersion: dutkit.dev/v1alpha1",
    "kind: ControllerConfig",
    `metadata: {namespace: ${NAMESPACE}}`,
    `listen: ${join(dir, "controller.sock")}`,
    "stateFile: controller-state.json",
    "clients:",
    `  bench: {token: ${clientToken}}`,
    "exporters:",
    `  ${EXPORTER}: {token: ${exporterToken}, labels: ${JSON.stringify(LABELS)}}`,
    "",
  ].join("\n");
  await writeFile(configPath, configText);
  const controller = await startController(parseControllerConfig(configText, configPath));
  const closers: (() => Promise<void> | void)[] = [() => controller.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const exporter = await startLeasedExporter({
      loaded: await loadExporter(exporterConfig()),
      endpoint: controller.address,
      token: exporterToken,
      maxReconnects: 2,
    });
    closers.push(() => exporter.close());
    const clientConfig: ClientConfig = {
      alias: "bench",
      source: "<bench>",
      namespace: NAMESPACE,
      name: "bench",
      endpoint: controller.address,
      token: clientToken,
      tls: { insecure: false },
      grpcOptions: {},
      drivers: { allow: [], unsafe: true },
      leases: { acquisitionTimeoutS: 30, dialTimeoutS: 30, retryTimeoutS: 30 },
    };
    const leases = new LeaseClient(clientConfig);
    closers.push(() => leases.close());
    const held = await leases.acquire({
      selector: "board=bench",
      durationS: 3600,
      acquisitionTimeoutS: 30,
      pollMs: 50,
    });
    closers.push(() => held.release());
    const transport = await held.connect({ timeoutMs: 10_000 });
    closers.push(() => transport.close());
    const uuid = await uuidOf(transport, "power");
    return {
      name: "gRPC via controller + router",
      call: () => transport.call(uuid, method, []),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

type EchoMessage = { uuid: string; method: string; args: unknown[] };

const toJson = (value: EchoMessage) => Buffer.from(JSON.stringify(value));
const fromJson = (bytes: Buffer) => JSON.parse(bytes.toString("utf8")) as EchoMessage;

/** A unary service with no proto: JSON in, the same JSON out. */
const echoService: ServiceDefinition = {
  echo: {
    path: "/bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: toJson,
    requestDeserialize: fromJson,
    responseSerialize: toJson,
    responseDeserialize: fromJson,
  },
};

/** The reference: a bare grpc-js server and client with default options, on a unix socket. */
export async function echoCase(dir: string, method: string): Promise<Case> {
  const server = new Server();
  server.addService(echoService, {
    echo: (call: ServerUnaryCall<EchoMessage, EchoMessage>, callback: sendUnaryData<EchoMessage>) =>
      callback(null, call.request),
  });
  const target = `unix:${join(dir, "echo.sock")}`;
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(target, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  const client = new Client(target, credentials.createInsecure());
  // Same shape and size as a DriverCall request for the power driver.
  const request: EchoMessage = { uuid: "00000000-0000-4000-8000-000000000000", method, args: [] };
  const echo = () =>
    new Promise<EchoMessage>((resolve, reject) =>
      client.makeUnaryRequest("/bench.Echo/Echo", toJson, fromJson, request, (error, value) =>
        error ? reject(error) : resolve(value as EchoMessage),
      ),
    );
  return {
    name: "plain grpc-js echo, unix socket",
    call: echo,
    async close() {
      client.close();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
