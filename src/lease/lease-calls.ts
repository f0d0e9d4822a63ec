import type { ControllerClients } from "../protocol/controller-client.ts";
import type { LeaseInfo } from "./lease-info.ts";

/**
 * The calls a held lease, a lease wait and the pending-lease guard make on their LeaseClient:
 * they take this narrow interface, so they do not import the client that imports them.
 */
export interface LeaseCalls {
  readonly clients: ControllerClients;
  leaseName(id: string): string;
  get(id: string): Promise<LeaseInfo>;
  list(options?: { all?: boolean }): Promise<LeaseInfo[]>;
  delete(id: string): Promise<void>;
}
