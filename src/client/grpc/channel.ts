import { existsSync } from "node:fs";
import {
  type ChannelCredentials,
  type Client,
  connectivityState,
  credentials,
  InterceptingCall,
  type Interceptor,
} from "@grpc/grpc-js";
import type { SessionAddress } from "../../protocol/address.ts";
import { PASSPHRASE_METADATA_KEY } from "../../protocol/router-stream.ts";
import { ExporterUnreachableError } from "./errors.ts";

export { DEFAULT_CHANNEL_OPTIONS } from "../../protocol/grpc-client.ts";

/** `true`: TLS with the system roots; `{ ca }`: TLS trusting this PEM root. */
export type ClientTlsOptions = true | { ca: string | Buffer };

export function channelCredentials(tls: ClientTlsOptions | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  if (tls === true) return credentials.createSsl();
  return credentials.createSsl(Buffer.from(tls.ca));
}

/** Adds the passphrase metadata to every call of the channel. */
export function passphraseInterceptor(passphrase: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(PASSPHRASE_METADATA_KEY, passphrase);
        next(metadata, listener);
      },
    });
}

function unreachable(address: SessionAddress, display: string, why: string): ExporterUnreachableError {
  const hint =
    address.kind === "unix" && !existsSync(address.path) ? `no socket exists at ${address.path}` : why;
  return new ExporterUnreachableError(
    `cannot reach the exporter at ${display}: ${hint}; check that the exporter runs and serves this address ` +
      "(JUMPSTARTER_HOST)",
  );
}

/**
 * Connects the client's channel. Fails as soon as the first attempt fails (rather than retrying
 * until the deadline), so a dead socket is reported at once; `timeoutMs` bounds a hanging attempt.
 */
export function waitUntilConnected(
  client: Client,
  address: SessionAddress,
  display: string,
  timeoutMs: number,
): Promise<void> {
  const channel = client.getChannel();
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY) return resolve();
      if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) {
        return reject(unreachable(address, display, "the connection failed"));
      }
      if (Date.now() >= deadline) {
        return reject(unreachable(address, display, `no connection within ${timeoutMs} ms`));
      }
      channel.watchConnectivityState(state, deadline, check);
    };
    check();
  });
}
