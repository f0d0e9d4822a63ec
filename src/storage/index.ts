export { StorageClient, type StorageStat, type UploadSource } from "./client.ts";
export { Storage, type StorageOptions } from "./storage.ts";
