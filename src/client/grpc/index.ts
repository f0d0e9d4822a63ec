export { type ClientTlsOptions, DEFAULT_CHANNEL_OPTIONS } from "./channel.ts";
export { ExporterUnreachableError, PassphraseRejectedError } from "./errors.ts";
export { type GrpcConnectOptions, GrpcTransport } from "./grpc-transport.ts";
