import { UnknownError } from "../../core/errors.ts";

/**
 * What `capability()` answers: the fields of OpenDAL's `Capability`, with the values of its `fs`
 * scheme, except append (this storage opens "rb" and "wb" only). No presigned requests: a local
 * directory has no URL to sign.
 */
export const STORAGE_CAPABILITY = {
  stat: true,
  stat_with_if_match: false,
  stat_with_if_none_match: false,
  read: true,
  read_with_if_match: false,
  read_with_if_none_match: false,
  read_with_override_cache_control: false,
  read_with_override_content_disposition: false,
  read_with_override_content_type: false,
  write: true,
  write_can_multi: true,
  write_can_empty: true,
  write_can_append: false,
  write_with_content_type: false,
  write_with_content_disposition: false,
  write_with_cache_control: false,
  write_multi_max_size: null,
  write_multi_min_size: null,
  write_total_max_size: null,
  create_dir: true,
  delete: true,
  copy: true,
  rename: true,
  list: true,
  list_with_limit: false,
  list_with_start_after: false,
  list_with_recursive: false,
  presign: false,
  presign_read: false,
  presign_stat: false,
  presign_write: false,
  shared: true,
  blocking: true,
} as const;

export type StorageCapability = typeof STORAGE_CAPABILITY;

/**
 * presign_*: refused as OpenDAL refuses them for `fs` (status UNKNOWN, its words first), with what
 * to use instead.
 */
export function presignUnsupported(method: string, path: unknown): UnknownError {
  return new UnknownError(
    `Unsupported (permanent) at presign => operation is not supported: ${method}(${JSON.stringify(path)}) on a local directory storage; ` +
      "transfer the file through open() and file_read/file_write (read_bytes, write_from_path, …) instead",
  );
}
