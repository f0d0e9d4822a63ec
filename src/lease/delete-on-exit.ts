import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { grpcTarget, parseSessionAddress } from "../protocol/address.ts";
import { type ControllerIdentity, channelSecurity, identityMetadata } from "../protocol/controller-client.ts";

/** How long an exiting process may spend deleting its waiting lease. */
const EXIT_DELETE_BUDGET_MS = 5000;

// Runs in a child Node process (CommonJS, `node -e`): one DeleteLease call, then exit. The
// request is DeleteLeaseRequest { name = 1 }, encoded by hand: a tag, a varint length, the bytes.
const DELETE_LEASE_PROGRAM = `
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; }).on("end", () => {
  const a = JSON.parse(input);
  const grpc = require(a.grpc);
  const creds =
    a.security === "tls-any-certificate"
      ? grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined })
      : a.security === "tls-ca" ? grpc.credentials.createSsl(Buffer.from(a.ca))
      : a.security === "plaintext" ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl();
  const client = new grpc.Client(a.target, creds);
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(a.metadata)) metadata.set(key, value);
  const name = Buffer.from(a.name);
  const length = [];
  for (let n = name.length; ; n >>>= 7) { if (n < 128) { length.push(n); break; } length.push((n & 127) | 128); }
  const request = Buffer.concat([Buffer.from([10, ...length]), name]);
  client.makeUnaryRequest("/jumpstarter.client.v1.ClientService/DeleteLease", (r) => r, (b) => b, request, metadata,
    { deadline: Date.now() + a.budgetMs }, (error) => {
      if (error) process.stderr.write("dutkit: deleting the waiting lease " + a.name + " failed: " + error.message + "\\n");
      process.exitCode = error ? 1 : 0;
      client.close();
    });
});
`;

/**
 * Deletes a lease synchronously, for a process that is exiting (`process.on("exit")` runs no
 * async work): a child Node process makes the DeleteLease call, bounded by 5 s. Returns whether
 * the controller confirmed it.
 */
export function deleteLeaseSync(identity: ControllerIdentity, leaseName: string): boolean {
  const input = JSON.stringify({
    grpc: createRequire(import.meta.url).resolve("@grpc/grpc-js"),
    target: grpcTarget(parseSessionAddress(identity.endpoint)),
    security: channelSecurity(identity.endpoint, identity.tls),
    ca: identity.tls?.ca ?? "",
    metadata: identityMetadata(identity),
    name: leaseName,
    budgetMs: EXIT_DELETE_BUDGET_MS - 500,
  });
  const result = spawnSync(process.execPath, ["-e", DELETE_LEASE_PROGRAM], {
    input,
    stdio: ["pipe", "ignore", "inherit"],
    timeout: EXIT_DELETE_BUDGET_MS,
    // Without the parent's loaders (vitest's, a TypeScript one): plain Node runs the program.
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return result.status === 0;
}
