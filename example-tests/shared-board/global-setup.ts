// Holds the mock board for the whole run; every test file below connects to it.
import { exporterForRun } from "dutkit/vitest/global-setup";

export default exporterForRun(new URL("../mock-board/exporter.yaml", import.meta.url));
