/**
 * The root entry point, `dutkit`: what a test or a driver author needs. The runner fixtures are
 * `dutkit/vitest` and `dutkit/playwright`; the larger surfaces have their own entry points:
 * `dutkit/lease` (leasing from a controller), `dutkit/controller`, `dutkit/tftp` (the standalone
 * TFTP server), `dutkit/http` (the static file server) and `dutkit/lease-usage` (the reports).
 * Every name here is public API; add one only on purpose.
 */

// Boards, sessions and transports.
export { type AcquireOptions, acquireBoard, type Board, type BoardSource } from "./board/acquire.ts";
export { type ClientInit, CompositeClient, DriverClient, registerClient } from "./client/client.ts";
export {
  type ClientTlsOptions,
  ExporterUnreachableError,
  type GrpcConnectOptions,
  GrpcTransport,
  PassphraseRejectedError,
} from "./client/grpc/index.ts";
export { buildClientTree } from "./client/tree.ts";
// Exporter configuration.
export {
  API_VERSION,
  type ClientTreeOf,
  type CompositeEntry,
  type CompositeEntryDefinition,
  ConfigError,
  type ConfigIssue,
  checkExporterConfig,
  DEFAULT_EXPORTER_NAME,
  type DriverEntry,
  type DriversDescription,
  type DriverTypeName,
  defineExporter,
  type EntryDefinition,
  type ExporterConfig,
  type ExporterDefinition,
  formatConfigIssue,
  type HookConfig,
  type LoadedExporterConfig,
  loadExporterConfig,
  parseExporterConfig,
  type RefEntry,
  type TypedDriverEntry,
  type TypedEntryDefinition,
} from "./config/index.ts";
export { checkResult, DriverResultError } from "./core/contract.ts";
// Writing drivers.
export {
  Composite,
  Driver,
  type DriverInit,
  type MethodKind,
  type MethodKindOf,
  type MethodSpec,
  type MethodTable,
  type MethodTableOf,
} from "./core/driver.ts";
export {
  CloseError,
  CodedError,
  DeadlineExceededError,
  DriverError,
  DutkitError,
  type ErrorCode,
  FailedPreconditionError,
  GrpcStatus,
  type GrpcStatusName,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  UnavailableError,
  UnknownError,
} from "./core/errors.ts";
export {
  type CreateContext,
  type DriverClients,
  type DriverTypeSpec,
  findDriverType,
  listDriverTypes,
  registerDriverType,
} from "./core/registry.ts";
export type { DriverReport, ExporterReport, Transport } from "./core/transport.ts";
export type { JsonValue } from "./core/value.ts";
// The drivers and their clients.
export { type ClientsOf, type DriverDefinition, defineDriver } from "./drivers/define.ts";
export {
  HttpServer,
  HttpServerClient,
  HttpServerConfig,
  type HttpServerOptions,
  type HttpServerStats,
} from "./drivers/http/index.ts";
export {
  MockPower,
  MockPowerClient,
  type PowerCall,
  PowerClient,
  type PowerReading,
} from "./drivers/power/index.ts";
export {
  Qemu,
  type QemuBoardClient,
  QemuClient,
  QemuConfig,
  QemuConfigError,
  QemuConsole,
  QemuConsoleClient,
  QemuPower,
} from "./drivers/qemu/index.ts";
export { Serial, SerialClient, SerialConfig, type SerialTarget } from "./drivers/serial/index.ts";
export {
  type MethodNamesOf,
  Shell,
  type ShellCallOptions,
  type ShellClient,
  ShellClientBase,
  ShellConfig,
  type ShellMethodShortcut,
  type ShellOptions,
  type ShellOutputChunk,
  type ShellOutputItem,
  type ShellResult,
  type ShellRunOptions,
  TIMEOUT_EXIT_CODE,
} from "./drivers/shell/index.ts";
export {
  Storage,
  StorageClient,
  type StorageOptions,
  type StorageStat,
  type UploadSource,
} from "./drivers/storage/index.ts";
export {
  Tftp,
  TftpConfig,
  type TftpOptions,
  TftpServerClient,
  type TftpTransferRecord,
} from "./drivers/tftp/index.ts";
export {
  type CommandOptions,
  type DhcpInfo,
  quoteUbootValue,
  type RunCommandOptions,
  UbootBadOutputError,
  UbootCommandError,
  UbootConfig,
  UbootConsole,
  UbootConsoleClient,
  UbootNoPromptError,
  UbootShell,
  type UbootShellOptions,
  UbootTimeoutError,
} from "./drivers/uboot/index.ts";
// Console expectations.
export {
  type BadPattern,
  BadPatternSet,
  DEFAULT_TIMEOUT_MS,
  EOF,
  ExpectBadPatternError,
  ExpectConsole,
  type ExpectConsoleOptions,
  ExpectEofError,
  ExpectError,
  type ExpectErrorContext,
  type ExpectOptions,
  type ExpectResult,
  ExpectStateError,
  ExpectTimeoutError,
  type Pattern,
  TIMEOUT,
  Transcript,
  type TranscriptDirection,
  type TranscriptEntry,
  type TranscriptMark,
  type TranscriptOptions,
  UBOOT_BAD_PATTERNS,
} from "./expect/index.ts";
export {
  type EndSessionResult,
  type ServedSession,
  type ServerTlsOptions,
  type ServeSessionOptions,
  SessionStatus,
  serveSession,
} from "./exporter/grpc/index.ts";
export { type ExporterSource, loadExporter, openLocalSession } from "./exporter/local.ts";
export { Session } from "./exporter/session.ts";

// What leasing a board can fail with (the lease client itself: `dutkit/lease`).
export {
  ControllerError,
  LeaseEndedError,
  LeaseError,
  LeaseWaitAbortedError,
  LeaseWaitTimeoutError,
} from "./lease/index.ts";
