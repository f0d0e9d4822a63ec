import { describe, expect, it } from "vitest";
import { parseSerialUrl, SerialConfig } from "./config.ts";
import { escapeIac, IAC, SB, SE, TelnetDecoder, WILL } from "./telnet.ts";

describe("serial config", () => {
  it("parses every supported url", () => {
    expect(parseSerialUrl("/dev/ttyUSB0")).toEqual({ kind: "device", path: "/dev/ttyUSB0" });
    expect(parseSerialUrl("loop://")).toEqual({ kind: "loop" });
    expect(parseSerialUrl("socket://127.0.0.1:2000")).toEqual({
      kind: "socket",
      host: "127.0.0.1",
      port: 2000,
    });
    expect(parseSerialUrl("RFC2217://[::1]:7000")).toEqual({ kind: "rfc2217", host: "::1", port: 7000 });
  });

  it("names the problem in bad urls", () => {
    expect(() => parseSerialUrl("ttyUSB0")).toThrow(/not an absolute device path/);
    expect(() => parseSerialUrl("socket://host")).toThrow(/socket:\/\/host:port/);
    expect(() => parseSerialUrl("rfc2217://h:1?ign_set_control")).toThrow(
      /options after \? are not supported/,
    );
    expect(() => parseSerialUrl("spy:///dev/ttyS0")).toThrow(/spy:\/\/ scheme is not supported/);
  });

  it("has pyserial's defaults and rejects unknown keys", () => {
    expect(SerialConfig.parse({ url: "loop://" })).toEqual({
      url: "loop://",
      baudrate: 115200,
      check_present: true,
      cps: null,
      disable_hupcl: false,
    });
    expect(SerialConfig.safeParse({ url: "loop://", baud: 9600 }).success).toBe(false);
    expect(SerialConfig.safeParse({ url: "COM1" }).error?.issues[0]?.message).toMatch(/device path/);
  });
});

describe("telnet decoder", () => {
  it("takes commands out of the data, also when split over chunks", () => {
    const decoder = new TelnetDecoder();
    const wire = Buffer.from([
      0x61,
      IAC,
      WILL,
      3,
      0x62,
      IAC,
      IAC,
      IAC,
      SB,
      44,
      101,
      0,
      0,
      IAC,
      IAC,
      IAC,
      SE,
      0x63,
    ]);
    const data: number[] = [];
    const events: unknown[] = [];
    for (const byte of wire) {
      const out = decoder.decode(Buffer.from([byte]));
      data.push(...out.data);
      events.push(...out.events);
    }
    expect(Buffer.from(data).toString("latin1")).toBe("ab\xffc");
    expect(events).toEqual([
      { type: "negotiate", command: WILL, option: 3 },
      { type: "subnegotiation", option: 44, data: Buffer.from([101, 0, 0, IAC]) },
    ]);
  });

  it("doubles 0xFF in data", () => {
    expect([...escapeIac(Buffer.from([1, IAC, 2]))]).toEqual([1, IAC, IAC, 2]);
  });
});
