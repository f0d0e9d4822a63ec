import { z } from "zod";
import type { StorageCapability } from "./capability.ts";

/**
 * What `stat` answers: the fields of the Opendal driver's `Metadata`, as it sends them (OpenDAL's
 * names, as Jumpstarter's clients read them). dutkit's driver sends null for content_disposition
 * and content_md5; Jumpstarter's may send strings.
 */
export const StorageStat = z.object({
  content_disposition: z.string().nullable(),
  content_length: z.number(),
  content_md5: z.string().nullable(),
  content_type: z.string().nullable(),
  etag: z.string().nullable(),
  mode: z.object({ entry_is_file: z.boolean(), entry_is_dir: z.boolean() }),
});
export type StorageStat = z.output<typeof StorageStat>;

export const StorageEntries = z.array(z.string());

/** A file descriptor `open` answers; file_* methods take it. */
type Fd = string;
/** OpenDAL's presigned HTTP request. */
interface PresignedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
}

/** A resource handle: the client's end of a byte pipe to the driver (spec 2.7). */
type Handle = unknown;

/** The methods of Jumpstarter's Opendal driver, as the `fs` scheme has them. */
export interface StorageInterface {
  open(path: string, mode?: "rb" | "wb" | null): Promise<Fd>;
  file_write(fd: Fd, handle: Handle): Promise<void>;
  file_read(fd: Fd, handle: Handle): Promise<void>;
  file_seek(fd: Fd, pos: number, whence?: 0 | 1 | 2 | null): Promise<number>;
  file_tell(fd: Fd): number;
  file_close(fd: Fd): Promise<void>;
  file_closed(fd: Fd): boolean;
  file_readable(fd: Fd): boolean;
  file_seekable(fd: Fd): boolean;
  file_writable(fd: Fd): boolean;
  stat(path: string): Promise<StorageStat>;
  exists(path: string): Promise<boolean>;
  hash(path: string, algorithm?: "sha256" | "md5" | null): Promise<string>;
  list(path?: string | null): AsyncIterable<string>;
  scan(path?: string | null): AsyncIterable<string>;
  delete(path: string): Promise<void>;
  remove_all(path: string): Promise<void>;
  create_dir(path: string): Promise<void>;
  copy(source: string, target: string): Promise<void>;
  rename(source: string, target: string): Promise<void>;
  get_created_resources(): string[];
  register_path(path: string): void;
  capability(): StorageCapability;
  /** Refused by the `fs` scheme: a local directory has no URL to sign. */
  presign_stat(path: string, expire_second?: number | null): PresignedRequest;
  presign_read(path: string, expire_second?: number | null): PresignedRequest;
  presign_write(path: string, expire_second?: number | null): PresignedRequest;
}
