/** Builders and readers of raw TFTP packets for tests: no validation, so tests can send garbage. */
export const OP = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

export type OptionList = readonly (readonly [string, string | number])[];

function request(opcode: number, filename: string, mode: string, options: OptionList): Buffer {
  const parts = [filename, mode, ...options.flatMap(([name, value]) => [name, String(value)])];
  return Buffer.concat([Buffer.from([0, opcode]), Buffer.from(`${parts.join("\0")}\0`, "latin1")]);
}

export function rrq(filename: string, options: OptionList = [], mode = "octet"): Buffer {
  return request(OP.RRQ, filename, mode, options);
}

export function wrq(filename: string, options: OptionList = [], mode = "octet"): Buffer {
  return request(OP.WRQ, filename, mode, options);
}

export function ack(block: number): Buffer {
  const packet = Buffer.alloc(4);
  packet.writeUInt16BE(OP.ACK, 0);
  packet.writeUInt16BE(block & 0xffff, 2);
  return packet;
}

export function data(block: number, payload: Uint8Array): Buffer {
  const packet = Buffer.alloc(4 + payload.length);
  packet.writeUInt16BE(OP.DATA, 0);
  packet.writeUInt16BE(block & 0xffff, 2);
  packet.set(payload, 4);
  return packet;
}

export function error(code: number, message: string): Buffer {
  return Buffer.concat([Buffer.from([0, OP.ERROR, code >> 8, code & 0xff]), Buffer.from(`${message}\0`)]);
}

export function opcodeOf(packet: Buffer): number {
  return packet.length >= 2 ? packet.readUInt16BE(0) : -1;
}

export function blockOf(packet: Buffer): number {
  return packet.readUInt16BE(2);
}

export function errorOf(packet: Buffer): { code: number; message: string } {
  const end = packet.indexOf(0, 4);
  return {
    code: packet.readUInt16BE(2),
    message: packet.subarray(4, end === -1 ? undefined : end).toString(),
  };
}

/** OACK options as [name, value] pairs in the order sent. */
export function oackOf(packet: Buffer): [string, string][] {
  const fields = packet.subarray(2).toString("latin1").split("\0");
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) pairs.push([fields[i]!, fields[i + 1]!]);
  return pairs;
}

export function describe(packet: Buffer): string {
  const opcode = opcodeOf(packet);
  if (opcode === OP.ERROR) {
    const { code, message } = errorOf(packet);
    return `ERROR ${code} "${message}"`;
  }
  if (opcode === OP.OACK) return `OACK ${JSON.stringify(oackOf(packet))}`;
  if (opcode === OP.DATA) return `DATA ${blockOf(packet)} (${packet.length - 4} bytes)`;
  if (opcode === OP.ACK) return `ACK ${blockOf(packet)}`;
  return `opcode ${opcode}`;
}
