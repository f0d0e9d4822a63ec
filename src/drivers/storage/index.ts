export { StorageClient, type UploadSource } from "./client.ts";
export type { StorageInterface, StorageStat } from "./contract.ts";
export { Storage, type StorageOptions } from "./driver.ts";
export {
  releaseServedRoot,
  type ServedRoot,
  type ServedRootOptions,
  servedRootConfigFields,
  withServedRoot,
} from "./served-root.ts";
