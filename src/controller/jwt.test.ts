import { describe, expect, it } from "vitest";
import { isJwtShaped, newIdentityToken, signRouterToken } from "./jwt.ts";

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

describe("identity tokens in JWT shape", () => {
  it("are three base64url parts, a JWT header and claims naming the identity, each one new", () => {
    const token = newIdentityToken("ci");
    const [header, payload, signature] = token.split(".");
    expect(decode(header!)).toEqual({ alg: "HS256", typ: "JWT" });
    expect(decode(payload!)).toMatchObject({ iss: "dutkit-controller", sub: "ci" });
    expect(Buffer.from(signature!, "base64url")).toHaveLength(32);
    expect(newIdentityToken("ci")).not.toBe(token);
    expect(isJwtShaped(token)).toBe(true);
  });

  it("tells JWT-shaped tokens from opaque ones", () => {
    expect(isJwtShaped(signRouterToken(Buffer.alloc(32), "stream"))).toBe(true);
    expect(isJwtShaped("opaque-token-0123456789")).toBe(false);
    expect(isJwtShaped("a.b")).toBe(false);
    const notJson = `${Buffer.from("nope").toString("base64url")}.e30.c2ln`;
    expect(isJwtShaped(notJson)).toBe(false);
    const array = `${Buffer.from("[]").toString("base64url")}.e30.c2ln`;
    expect(isJwtShaped(array)).toBe(false);
    expect(isJwtShaped("e30.e30.c2ln")).toBe(true);
  });
});
