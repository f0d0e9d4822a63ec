import { GrpcTransport } from "../client/grpc/index.ts";
import { type Board, boardOver, type SharedBoard } from "./board.ts";

/** The board global setup holds for the run, reached over its socket; releasing it only disconnects. */
export async function connectSharedBoard(shared: SharedBoard, selector: string | undefined): Promise<Board> {
  const transport = await GrpcTransport.connect(shared.address);
  return boardOver(
    transport,
    { leaseId: shared.leaseId, kind: "local", exporter: shared.exporter, selector, session: undefined },
    // No release event: the lease is global setup's, which records it with every worker's calls.
  );
}
