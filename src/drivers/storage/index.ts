export { StorageClient, type StorageStat, type UploadSource } from "./client.ts";
export { Storage, type StorageOptions } from "./driver.ts";
export {
  releaseServedRoot,
  type ServedRoot,
  type ServedRootOptions,
  servedRootConfigFields,
  withServedRoot,
} from "./served-root.ts";
