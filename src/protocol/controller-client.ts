import {
  type ChannelCredentials,
  credentials,
  InterceptingCall,
  type Interceptor,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import { DutkitError } from "../core/errors.ts";
import { grpcTarget, parseSessionAddress } from "./address.ts";
import { ClientServiceClient } from "./gen/jumpstarter/client/v1/client.ts";
import { ControllerServiceClient } from "./gen/jumpstarter/v1/jumpstarter.ts";
import type { RouterServiceClient } from "./gen/jumpstarter/v1/router.ts";
import { DEFAULT_CHANNEL_OPTIONS, isServiceError } from "./grpc-client.ts";
import { RouterStreamClient } from "./stream-frame-codec.ts";

/** Who calls the controller, with which token (spec 2.1). */
export interface ControllerIdentity {
  kind: "Client" | "Exporter";
  namespace: string;
  name: string;
  endpoint: string;
  token: string;
  tls?: { ca?: string; insecure?: boolean };
  grpcOptions?: Record<string, string | number>;
}

/** A controller call failed; `grpcCode` is the status, the message says what to do. */
export class ControllerError extends DutkitError {
  readonly grpcCode: number;
  constructor(message: string, grpcCode: number, options?: ErrorOptions) {
    super("ERR_DUTKIT_CONTROLLER", message, options);
    this.grpcCode = grpcCode;
  }
}

const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/;

/**
 * As Jumpstarter's client (spec 2.2, 9): `insecure` is TLS that trusts whatever certificate the
 * server shows, never plaintext; else TLS with the configured CA; else plaintext h2c for a unix
 * socket or a loopback host (the dutkit controller on this host); else TLS with the system roots.
 */
export function controllerCredentials(endpoint: string, tls: ControllerIdentity["tls"]): ChannelCredentials {
  const security = channelSecurity(endpoint, tls);
  switch (security) {
    case "tls-any-certificate":
      return credentials.createSsl(null, null, null, {
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      });
    case "tls-ca":
      return credentials.createSsl(Buffer.from(tls!.ca!));
    case "plaintext":
      return credentials.createInsecure();
    case "tls-system":
      return credentials.createSsl();
  }
}

/** Which credentials `controllerCredentials` makes, by name (for a channel made elsewhere). */
export function channelSecurity(
  endpoint: string,
  tls: ControllerIdentity["tls"],
): "tls-any-certificate" | "tls-ca" | "plaintext" | "tls-system" {
  if (tls?.insecure) return "tls-any-certificate";
  if (tls?.ca) return "tls-ca";
  const address = parseSessionAddress(endpoint);
  if (address.kind === "unix" || loopback.test(address.host)) return "plaintext";
  return "tls-system";
}

/** The metadata every controller call carries (spec 2.1). */
export function identityMetadata(identity: ControllerIdentity): Record<string, string> {
  return {
    authorization: `Bearer ${identity.token}`,
    "jumpstarter-kind": identity.kind,
    "jumpstarter-namespace": identity.namespace,
    "jumpstarter-name": identity.name,
  };
}

function authInterceptor(identity: ControllerIdentity): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        for (const [key, value] of Object.entries(identityMetadata(identity))) metadata.set(key, value);
        next(metadata, listener);
      },
    });
}

const codeNames: Record<number, string> = {
  1: "CANCELLED",
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  7: "PERMISSION_DENIED",
  9: "FAILED_PRECONDITION",
  12: "UNIMPLEMENTED",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};

/** The three services of a controller, over one channel, every call authenticated. */
export class ControllerClients {
  readonly client: ClientServiceClient;
  readonly controller: ControllerServiceClient;
  private readonly routers = new Map<string, RouterServiceClient>();

  constructor(readonly identity: ControllerIdentity) {
    const target = grpcTarget(parseSessionAddress(identity.endpoint));
    const creds = controllerCredentials(identity.endpoint, identity.tls);
    const options = {
      ...DEFAULT_CHANNEL_OPTIONS,
      // Our own connections: a peer in another client's reconnect backoff must not fail our calls.
      "grpc.use_local_subchannel_pool": 1,
      ...identity.grpcOptions,
      interceptors: [authInterceptor(identity)],
    };
    this.client = new ClientServiceClient(target, creds, options);
    this.controller = new ControllerServiceClient(target, creds, {
      ...options,
      channelOverride: this.client.getChannel(),
    });
  }

  get namespacePath(): string {
    return `namespaces/${this.identity.namespace}`;
  }

  /** A RouterService client for a router endpoint from Dial/Listen (no controller metadata). */
  router(endpoint: string): RouterServiceClient {
    let router = this.routers.get(endpoint);
    if (!router) {
      const target = grpcTarget(parseSessionAddress(endpoint));
      router = new RouterStreamClient(
        target,
        controllerCredentials(endpoint, this.identity.tls),
        DEFAULT_CHANNEL_OPTIONS,
      );
      this.routers.set(endpoint, router);
    }
    return router;
  }

  /** Runs one unary call (bounded by `deadlineMs`); failures become ControllerError naming the call. */
  call<T>(
    what: string,
    start: (
      metadata: Metadata,
      options: { deadline: Date },
      callback: (e: ServiceError | null, r: T) => void,
    ) => void,
    deadlineMs = 30_000,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      start(new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => {
        if (error) reject(this.translate(what, error));
        else resolve(response);
      });
    });
  }

  translate(what: string, error: unknown): Error {
    if (!isServiceError(error)) return error as Error;
    const name = codeNames[error.code] ?? `code ${error.code}`;
    const hint =
      error.code === 14
        ? `; check that the controller runs at ${this.identity.endpoint}`
        : error.code === 16 && !error.details.includes("check the token")
          ? `; check the token in your ${this.identity.kind === "Exporter" ? "exporter" : "client"} config`
          : "";
    return new ControllerError(`${what} failed with ${name}: ${error.details}${hint}`, error.code, {
      cause: error,
    });
  }

  close(): void {
    for (const router of this.routers.values()) router.close();
    this.routers.clear();
    this.client.close();
  }
}
