// Child process for reliability tests: leases a board by selector (JMP_* env names the
// controller), prints the lease id, and holds it until killed or interrupted.
import "../../drivers/index.ts";
import { leaseBoard } from "../../board/remote.ts";

const board = await leaseBoard(process.argv[2] ?? "board=mock", { onProgress: () => {} });
process.stdout.write(`leased ${board.leaseId}\n`);
// Hold (bounded: the lease's own duration ends it well before this).
setTimeout(() => process.exit(0), 120_000);
