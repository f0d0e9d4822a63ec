import { z } from "zod";
import type { MethodTable, MethodTableOf } from "../../core/driver.ts";
import type { StorageInterface } from "./contract.ts";

const path = z.string().describe("path");
const fd = z.string().describe("fd");
const handle = z.unknown().describe("handle");

/** The methods of the storage driver: the Opendal driver's, with its names and arguments. */
export const STORAGE_METHODS: MethodTable = {
  open: {
    kind: "unary",
    description: 'Open a file: (path, mode "rb" | "wb") → file descriptor',
    args: z.tuple([path, z.string().nullish().describe("mode")]),
  },
  file_write: {
    kind: "unary",
    description: "Upload: (fd, resource handle) → the handle's bytes written",
    args: z.tuple([fd, handle]),
  },
  file_read: {
    kind: "unary",
    description: "Download: (fd, resource handle) → the file sent to the handle",
    args: z.tuple([fd, handle]),
  },
  file_seek: {
    kind: "unary",
    description: "Move a read position: (fd, pos, whence 0|1|2) → new position",
    args: z.tuple([fd, z.number().describe("pos"), z.number().nullish().describe("whence")]),
  },
  file_tell: { kind: "unary", description: "The read position of a file descriptor", args: z.tuple([fd]) },
  file_close: {
    kind: "unary",
    description: "Close a file descriptor; a complete upload is put in place here",
    args: z.tuple([fd]),
  },
  file_closed: { kind: "unary", description: "Whether a file descriptor is closed", args: z.tuple([fd]) },
  file_readable: {
    kind: "unary",
    description: "Whether a file descriptor is open for reading",
    args: z.tuple([fd]),
  },
  file_seekable: { kind: "unary", description: "Whether a file descriptor can seek", args: z.tuple([fd]) },
  file_writable: {
    kind: "unary",
    description: "Whether a file descriptor is open for writing",
    args: z.tuple([fd]),
  },
  stat: { kind: "unary", description: "Size, type, times and mode of a path", args: z.tuple([path]) },
  exists: { kind: "unary", description: "Whether a path exists", args: z.tuple([path]) },
  hash: {
    kind: "unary",
    description: 'Hex digest of a file: (path, "sha256" | "md5")',
    args: z.tuple([path, z.string().nullish().describe("algorithm")]),
  },
  list: {
    kind: "stream",
    description: "Entries of a directory (directories end with /)",
    args: z.tuple([z.string().nullish().describe("path")]),
  },
  scan: {
    kind: "stream",
    description: "Entries below a directory, recursively",
    args: z.tuple([z.string().nullish().describe("path")]),
  },
  delete: {
    kind: "unary",
    description: "Delete a file or an empty directory (missing is fine)",
    args: z.tuple([path]),
  },
  remove_all: {
    kind: "unary",
    description: "Delete a directory and everything below it",
    args: z.tuple([path]),
  },
  create_dir: { kind: "unary", description: "Create a directory and its parents", args: z.tuple([path]) },
  copy: {
    kind: "unary",
    description: "Copy a file: (source, target)",
    args: z.tuple([z.string().describe("source"), z.string().describe("target")]),
  },
  rename: {
    kind: "unary",
    description: "Rename a file: (source, target)",
    args: z.tuple([z.string().describe("source"), z.string().describe("target")]),
  },
  get_created_resources: { kind: "unary", description: "Paths written through this storage" },
  register_path: { kind: "unary", description: "Record a path to delete on close", args: z.tuple([path]) },
  capability: { kind: "unary", description: "What this storage supports (OpenDAL's Capability)" },
  presign_stat: {
    kind: "unary",
    description: "Refused: a local directory has no presigned URLs",
    args: z.tuple([path, z.number().nullish().describe("expire_second")]),
  },
  presign_read: {
    kind: "unary",
    description: "Refused: a local directory has no presigned URLs",
    args: z.tuple([path, z.number().nullish().describe("expire_second")]),
  },
  presign_write: {
    kind: "unary",
    description: "Refused: a local directory has no presigned URLs",
    args: z.tuple([path, z.number().nullish().describe("expire_second")]),
  },
} satisfies MethodTableOf<StorageInterface>;
