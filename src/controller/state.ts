import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DutkitError } from "../core/errors.ts";

export type EndReason = "Expired" | "Released" | "ExporterOffline" | "Unsatisfiable";

/** A lease as the controller keeps it. Times are epoch milliseconds. */
export interface LeaseRecord {
  id: string;
  client: string;
  selector: string;
  /** A specific exporter asked for by name (exporter_name), instead of or besides the selector. */
  exporterName?: string;
  durationMs: number;
  createdAt: number;
  /** A requested begin time (scheduled lease); absent = as soon as possible. */
  notBefore?: number;
  exporter?: string;
  beginTime?: number;
  endTime?: number;
  unsatisfiable?: string;
  ended?: { at: number; reason: EndReason; message: string };
  tags: Record<string, string>;
  context: Record<string, string>;
}

export interface ControllerState {
  version: 1;
  leases: LeaseRecord[];
}

/** A UUIDv7: 48-bit millisecond time, version and variant bits, random rest. */
export function uuidv7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The state file: JSON, replaced atomically (write a temp file, then rename over), so a crash at
 * any moment leaves either the old or the new state and a restart loses no lease.
 */
export class StateFile {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }

  load(): ControllerState {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, leases: [] };
      throw new DutkitError(
        "ERR_DUTKIT_CONTROLLER_STATE",
        `cannot read the controller state ${this.path}: ${(error as Error).message}; check its permissions`,
      );
    }
    try {
      const state = JSON.parse(text) as ControllerState;
      if (state.version !== 1 || !Array.isArray(state.leases)) throw new Error("unknown layout");
      return state;
    } catch (error) {
      throw new DutkitError(
        "ERR_DUTKIT_CONTROLLER_STATE",
        `the controller state ${this.path} is damaged (${(error as Error).message}); move it away to start with no leases`,
      );
    }
  }

  save(state: ControllerState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
  }
}
