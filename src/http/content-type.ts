/** Content types by file extension: what browsers, boot loaders and installers need. */
import { extname } from "node:path";

const TEXT = "; charset=utf-8";

const types: Record<string, string> = {
  ".html": `text/html${TEXT}`,
  ".htm": `text/html${TEXT}`,
  ".css": `text/css${TEXT}`,
  ".js": `text/javascript${TEXT}`,
  ".mjs": `text/javascript${TEXT}`,
  ".json": `application/json${TEXT}`,
  ".txt": `text/plain${TEXT}`,
  ".md": `text/markdown${TEXT}`,
  ".csv": `text/csv${TEXT}`,
  ".xml": `application/xml${TEXT}`,
  ".yaml": `application/yaml${TEXT}`,
  ".yml": `application/yaml${TEXT}`,
  ".cfg": `text/plain${TEXT}`,
  ".conf": `text/plain${TEXT}`,
  ".ipxe": `text/plain${TEXT}`,
  ".sh": `text/x-shellscript${TEXT}`,
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/vnd.microsoft.icon",
  ".wasm": "application/wasm",
  ".pdf": "application/pdf",
  ".gz": "application/gzip",
  ".tgz": "application/gzip",
  ".xz": "application/x-xz",
  ".zst": "application/zstd",
  ".bz2": "application/x-bzip2",
  ".tar": "application/x-tar",
  ".zip": "application/zip",
  ".iso": "application/x-iso9660-image",
  ".rpm": "application/x-rpm",
  ".deb": "application/vnd.debian.binary-package",
};

/** The Content-Type for a file name; unknown extensions are `application/octet-stream`. */
export function contentTypeFor(name: string): string {
  return types[extname(name).toLowerCase()] ?? "application/octet-stream";
}
