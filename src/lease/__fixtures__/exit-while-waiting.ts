// Child process for the lease-wait tests: asks for a board by selector (JMP_* env names the
// controller) and, once its lease waits, exits at once with status 3, as a runner that ends
// its worker does.
import { leaseBoard } from "../../board/remote.ts";

await leaseBoard(process.argv[2] ?? "board=mock", {
  onProgress: (line) => {
    process.stdout.write(`${line}\n`);
    process.exit(3);
  },
});
process.stdout.write("leased: the board was not taken\n");
process.exit(0);
