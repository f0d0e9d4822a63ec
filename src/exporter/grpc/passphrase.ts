import { createHash, timingSafeEqual } from "node:crypto";
import { status as GrpcCode, Metadata, ServerInterceptingCall, type ServerInterceptor } from "@grpc/grpc-js";
import { PASSPHRASE_METADATA_KEY } from "../../protocol/router-stream.ts";

const digest = (value: string | Buffer) => createHash("sha256").update(value).digest();

/**
 * Rejects every call that does not carry the passphrase in `x-jumpstarter-passphrase` metadata
 * with UNAUTHENTICATED, before any handler runs (spec 2.1, standalone exporters).
 */
export function requirePassphrase(passphrase: string): ServerInterceptor {
  const expected = digest(passphrase);
  const matches = (metadata: Metadata) => {
    const [given] = metadata.get(PASSPHRASE_METADATA_KEY);
    return given !== undefined && timingSafeEqual(digest(given), expected);
  };
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, forward) {
            if (matches(metadata)) {
              forward(metadata);
              return;
            }
            call.sendStatus({
              code: GrpcCode.UNAUTHENTICATED,
              details: `wrong or missing passphrase; send it in "${PASSPHRASE_METADATA_KEY}" metadata`,
              metadata: new Metadata(),
            });
          },
        });
      },
    });
}
