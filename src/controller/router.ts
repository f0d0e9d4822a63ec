import { status as GrpcCode, Metadata, type ServerDuplexStream } from "@grpc/grpc-js";
import type {
  RouterServiceServer,
  StreamRequest,
  StreamResponse,
} from "../protocol/gen/jumpstarter/v1/router.ts";
import { verifyRouterToken } from "./jwt.ts";

type Call = ServerDuplexStream<StreamRequest, StreamResponse>;

/** How long the first peer of a stream waits for the second before giving up. */
const PAIR_TIMEOUT_MS = 60_000;

function fail(call: Call, code: GrpcCode, details: string): void {
  call.emit("error", { code, details, metadata: new Metadata() });
}

/** Copies frames from one call to the other verbatim, pausing the source while the sink is full. */
function pipe(from: Call, to: Call, onDone: () => void): void {
  from.on("data", (frame: StreamRequest) => {
    if (to.writableEnded || to.destroyed) return;
    if (!to.write({ payload: frame.payload, frameType: frame.frameType })) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  });
  from.on("end", onDone);
}

/**
 * The router (spec 2.4): each RouterService.Stream call presents a router token; the two calls
 * with the same token subject are spliced. The first waits (bounded), the second forwards.
 */
export class Router {
  private readonly waiting = new Map<string, { call: Call; timer: NodeJS.Timeout }>();
  private readonly live = new Set<Call>();

  constructor(private readonly secret: Buffer) {}

  service(): RouterServiceServer {
    return { stream: (call) => this.accept(call) };
  }

  private accept(call: Call): void {
    const [auth] = call.metadata.get("authorization");
    const token = /^Bearer (.+)$/.exec(auth?.toString() ?? "")?.[1];
    const streamId = token === undefined ? undefined : verifyRouterToken(this.secret, token);
    if (streamId === undefined) {
      fail(call, GrpcCode.UNAUTHENTICATED, "invalid or expired router token; Dial again for a fresh one");
      return;
    }
    this.live.add(call);
    call.on("close", () => this.live.delete(call));
    const peer = this.waiting.get(streamId);
    if (!peer) {
      const timer = setTimeout(() => {
        this.waiting.delete(streamId);
        fail(call, GrpcCode.UNAVAILABLE, "the other end of the router stream never connected");
      }, PAIR_TIMEOUT_MS);
      timer.unref();
      this.waiting.set(streamId, { call, timer });
      call.on("cancelled", () => {
        if (this.waiting.get(streamId)?.call === call) {
          clearTimeout(timer);
          this.waiting.delete(streamId);
        }
      });
      return;
    }
    clearTimeout(peer.timer);
    this.waiting.delete(streamId);
    this.splice(peer.call, call);
  }

  private splice(a: Call, b: Call): void {
    let inputsDone = 0;
    let closed = false;
    const closeBoth = () => {
      if (closed) return;
      closed = true;
      for (const c of [a, b]) if (!c.writableEnded && !c.cancelled) c.end();
    };
    const halfDone = () => {
      inputsDone += 1;
      if (inputsDone === 2) closeBoth();
    };
    pipe(a, b, halfDone);
    pipe(b, a, halfDone);
    for (const c of [a, b]) {
      c.on("cancelled", closeBoth);
      c.on("error", closeBoth);
    }
  }

  close(): void {
    for (const { call, timer } of this.waiting.values()) {
      clearTimeout(timer);
      fail(call, GrpcCode.UNAVAILABLE, "the controller is shutting down");
    }
    this.waiting.clear();
    for (const call of this.live) if (!call.writableEnded) call.end();
  }
}
