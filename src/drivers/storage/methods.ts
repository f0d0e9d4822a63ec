import type { MethodTable } from "../../core/driver.ts";

/** The methods of the storage driver: the Opendal driver's, with its names and arguments. */
export const STORAGE_METHODS: MethodTable = {
  open: { kind: "unary", description: 'Open a file: (path, mode "rb" | "wb") → file descriptor' },
  file_write: { kind: "unary", description: "Upload: (fd, resource handle) → the handle's bytes written" },
  file_read: {
    kind: "unary",
    description: "Download: (fd, resource handle) → the file sent to the handle",
  },
  file_seek: { kind: "unary", description: "Move a read position: (fd, pos, whence 0|1|2) → new position" },
  file_tell: { kind: "unary", description: "The read position of a file descriptor" },
  file_close: {
    kind: "unary",
    description: "Close a file descriptor; a complete upload is put in place here",
  },
  file_closed: { kind: "unary", description: "Whether a file descriptor is closed" },
  file_readable: { kind: "unary", description: "Whether a file descriptor is open for reading" },
  file_seekable: { kind: "unary", description: "Whether a file descriptor can seek" },
  file_writable: { kind: "unary", description: "Whether a file descriptor is open for writing" },
  stat: { kind: "unary", description: "Size, type, times and mode of a path" },
  exists: { kind: "unary", description: "Whether a path exists" },
  hash: { kind: "unary", description: 'Hex digest of a file: (path, "sha256" | "md5")' },
  list: { kind: "stream", description: "Entries of a directory (directories end with /)" },
  scan: { kind: "stream", description: "Entries below a directory, recursively" },
  delete: { kind: "unary", description: "Delete a file or an empty directory (missing is fine)" },
  remove_all: { kind: "unary", description: "Delete a directory and everything below it" },
  create_dir: { kind: "unary", description: "Create a directory and its parents" },
  copy: { kind: "unary", description: "Copy a file: (source, target)" },
  rename: { kind: "unary", description: "Rename a file: (source, target)" },
  get_created_resources: { kind: "unary", description: "Paths written through this storage" },
  register_path: { kind: "unary", description: "Record a path to delete on close" },
  capability: { kind: "unary", description: "What this storage supports (OpenDAL's Capability)" },
  presign_stat: { kind: "unary", description: "Refused: a local directory has no presigned URLs" },
  presign_read: { kind: "unary", description: "Refused: a local directory has no presigned URLs" },
  presign_write: { kind: "unary", description: "Refused: a local directory has no presigned URLs" },
};
