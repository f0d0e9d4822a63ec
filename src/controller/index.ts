/** A lease controller for one host. */
export {
  type ControllerConfig,
  ControllerConfigError,
  loadControllerConfig,
  parseControllerConfig,
} from "./config.ts";
export { type RunningController, startController } from "./server.ts";
