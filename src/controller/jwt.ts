import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const ISSUER = "https://jumpstarter.dev/stream";
const AUDIENCE = "https://jumpstarter.dev/router";

const b64 = (value: Buffer | string) => Buffer.from(value).toString("base64url");

/** An HS256 router token (spec 2.1): iss/aud as Jumpstarter's, sub = stream id, exp 30 min. */
export function signRouterToken(
  secret: Buffer,
  streamId: string,
  nowS = Math.floor(Date.now() / 1000),
): string {
  const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64(
    JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: streamId, iat: nowS, exp: nowS + 1800 }),
  );
  const signature = b64(createHmac("sha256", secret).update(`${header}.${payload}`).digest());
  return `${header}.${payload}.${signature}`;
}

/** The stream id of a valid router token; undefined when the token is forged, expired or for elsewhere. */
export function verifyRouterToken(
  secret: Buffer,
  token: string,
  nowS = Math.floor(Date.now() / 1000),
): string | undefined {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    if (claims.iss !== ISSUER || claims.aud !== AUDIENCE) return undefined;
    if (typeof claims.exp !== "number" || claims.exp < nowS) return undefined;
    return typeof claims.sub === "string" ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A fresh bearer token for a client or exporter, in JWT shape: Jumpstarter's `jmp shell` decodes
 * the client token as a JWT (for its expiry) before it connects, and fails on an opaque one
 * (spec 9). The controller compares tokens as secrets; the random signature part is the secret.
 */
export function newIdentityToken(subject: string): string {
  const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64(
    JSON.stringify({ iss: "dutkit-controller", sub: subject, iat: Math.floor(Date.now() / 1000) }),
  );
  return `${header}.${payload}.${b64(randomBytes(32))}`;
}

/** Whether `jmp shell` can decode the token: three base64url parts, header and payload JSON objects. */
export function isJwtShaped(token: string): boolean {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return false;
  try {
    return parts.slice(0, 2).every((p) => {
      const value: unknown = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
      return typeof value === "object" && value !== null && !Array.isArray(value);
    });
  } catch {
    return false;
  }
}
