import { createHash, timingSafeEqual } from "node:crypto";
import type { Metadata } from "@grpc/grpc-js";
import type { Principal } from "./config.ts";
import { callError } from "./errors.ts";

export const AUTH_KEYS = {
  authorization: "authorization",
  kind: "jumpstarter-kind",
  namespace: "jumpstarter-namespace",
  name: "jumpstarter-name",
} as const;

const digest = (value: string) => createHash("sha256").update(value).digest();

function single(metadata: Metadata, key: string, required: boolean): string | undefined {
  const values = metadata.get(key);
  if (values.length > 1)
    throw callError.invalid(`"${key}" metadata was sent ${values.length} times; send it once`);
  const [value] = values;
  if (value === undefined) {
    if (required) throw callError.invalid(`"${key}" metadata is missing; send it with every controller call`);
    return undefined;
  }
  return value.toString();
}

/**
 * Checks the controller call metadata of spec 2.1: bad or missing kind/namespace ⇒ INVALID_ARGUMENT;
 * missing or unknown bearer token, or one that is not the named identity's ⇒ UNAUTHENTICATED;
 * a caller of the wrong kind for the method, or another namespace ⇒ PERMISSION_DENIED.
 */
export class Authenticator {
  private readonly principals: { principal: Principal; digest: Buffer }[];
  constructor(
    readonly namespace: string,
    principals: Principal[],
  ) {
    this.principals = principals.map((principal) => ({ principal, digest: digest(principal.token) }));
  }

  check(metadata: Metadata, kind: Principal["kind"]): Principal {
    const auth = single(metadata, AUTH_KEYS.authorization, false);
    const claimedKind = single(metadata, AUTH_KEYS.kind, true)!;
    const namespace = single(metadata, AUTH_KEYS.namespace, true)!;
    const name = single(metadata, AUTH_KEYS.name, false);
    if (claimedKind !== "Client" && claimedKind !== "Exporter") {
      throw callError.invalid(`"${AUTH_KEYS.kind}" must be Client or Exporter, not "${claimedKind}"`);
    }
    const match = /^Bearer (.+)$/.exec(auth ?? "");
    if (!match) {
      throw callError.unauthenticated(
        'no bearer token: send "authorization: Bearer <token>" (the token from the client or exporter config)',
      );
    }
    const given = digest(match[1]!);
    const found = this.principals.find((p) => timingSafeEqual(p.digest, given))?.principal;
    if (!found || found.kind !== claimedKind || (name !== undefined && name !== found.name)) {
      throw callError.unauthenticated(
        `the token is not valid for ${claimedKind.toLowerCase()} "${name ?? "?"}"; check the token in your ${claimedKind === "Exporter" ? "exporter" : "client"} config`,
      );
    }
    if (namespace !== this.namespace) {
      throw callError.denied(
        `namespace mismatch: this controller serves "${this.namespace}", not "${namespace}"`,
      );
    }
    if (found.kind !== kind) {
      throw callError.denied(
        `permission denied: this call is for ${kind.toLowerCase()}s, and you are ${found.kind.toLowerCase()} "${found.name}"`,
      );
    }
    return found;
  }

  /** Resource names must be in the caller's namespace: `namespaces/{ns}/{collection}/{id}`. */
  resourceId(name: string, collection: "leases" | "exporters" | "clients"): string {
    const match = /^namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(name);
    if (!match) {
      if (!name.includes("/") && name !== "") return name;
      throw callError.invalid(
        `"${name}" is not a ${collection} name; use namespaces/<ns>/${collection}/<id>`,
      );
    }
    if (match[1] !== this.namespace)
      throw callError.denied(`namespace mismatch: "${name}" is not in namespace "${this.namespace}"`);
    if (match[2] !== collection) throw callError.invalid(`"${name}" names ${match[2]}, not ${collection}`);
    return match[3]!;
  }

  checkParent(parent: string): void {
    if (parent === "") return;
    if (parent !== `namespaces/${this.namespace}`) {
      throw callError.denied(`namespace mismatch: parent "${parent}" is not namespaces/${this.namespace}`);
    }
  }
}
