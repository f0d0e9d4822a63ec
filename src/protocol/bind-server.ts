import { lstat, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { type Server, ServerCredentials } from "@grpc/grpc-js";
import { DutkitError } from "../core/errors.ts";
import { grpcTarget, type SessionAddress } from "./address.ts";

export interface ServerTlsOptions {
  /** PEM certificate chain file. */
  certFile: string;
  /** PEM private key file. */
  keyFile: string;
}

function someoneListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Removes a socket file left by a process that is gone; never touches a live socket or a non-socket. */
async function clearStaleSocket(path: string): Promise<void> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!stats) return;
  if (!stats.isSocket()) {
    throw new DutkitError(
      "ERR_DUTKIT_ADDRESS_IN_USE",
      `cannot listen on ${path}: a file that is not a socket is there; remove it or choose another path`,
    );
  }
  if (await someoneListens(path)) {
    throw new DutkitError(
      "ERR_DUTKIT_ADDRESS_IN_USE",
      `cannot listen on ${path}: another process is serving on that socket; stop it or choose another path`,
    );
  }
  await rm(path, { force: true });
}

async function credentialsFor(address: SessionAddress, tls: ServerTlsOptions | undefined) {
  if (!tls) return ServerCredentials.createInsecure();
  const [cert, key] = await Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]).catch((error) => {
    throw new DutkitError(
      "ERR_DUTKIT_TLS",
      `cannot read the TLS certificate or key for ${grpcTarget(address)}: ${(error as Error).message}`,
      { cause: error },
    );
  });
  return ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
}

/** Binds the server and returns the address actually listened on (a TCP port 0 becomes the real port). */
export async function bindServer(
  server: Server,
  address: SessionAddress,
  tls: ServerTlsOptions | undefined,
): Promise<SessionAddress> {
  if (address.kind === "unix") await clearStaleSocket(address.path);
  const credentials = await credentialsFor(address, tls);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(grpcTarget(address), credentials, (error, bound) => {
      if (error) {
        reject(
          new DutkitError(
            "ERR_DUTKIT_LISTEN",
            `cannot listen on ${grpcTarget(address)}: ${error.message}; choose a free address`,
            { cause: error },
          ),
        );
      } else resolve(bound);
    });
  });
  return address.kind === "unix" ? address : { ...address, port };
}
