export {
  type AcquireOptions,
  acquireBoard,
  type Board,
  type BoardSource,
} from "./board/acquire.ts";
export { type ClientInit, CompositeClient, DriverClient, registerClient } from "./client/client.ts";
export * from "./client/grpc/index.ts";
export type { DriverReport, ExporterReport, Transport } from "./client/transport.ts";
export { buildClientTree, StubClient } from "./client/tree.ts";
export * from "./config/index.ts";
export type * from "./config/types.ts";
export * from "./controller/index.ts";
export {
  Composite,
  Driver,
  type DriverInit,
  type MethodKind,
  type MethodSpec,
  type MethodTable,
} from "./core/driver.ts";
export * from "./core/errors.ts";
export {
  type CreateContext,
  type DriverClients,
  type DriverTypeSpec,
  findDriverType,
  listDriverTypes,
  registerDriverType,
} from "./core/registry.ts";
export type { JsonValue } from "./core/value.ts";
export * from "./drivers/http/index.ts";
export * from "./drivers/power/index.ts";
export * from "./drivers/qemu/index.ts";
export * from "./drivers/serial/index.ts";
export * from "./drivers/shell/index.ts";
export * from "./drivers/storage/index.ts";
export * from "./drivers/tftp/index.ts";
export * from "./drivers/uboot/index.ts";
export * from "./expect/index.ts";
export * from "./exporter/grpc/index.ts";
export { type ExporterSource, loadExporter, openLocalSession } from "./exporter/local.ts";
export { Session } from "./exporter/session.ts";
export * from "./http/index.ts";
export * from "./lease/index.ts";
export * from "./usage/index.ts";
