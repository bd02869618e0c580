import { describe, expect, test } from "bun:test";
import { clientIpFrom } from "./client-ip";

const xff = (value: string) => new Headers({ "x-forwarded-for": value });

describe("clientIpFrom: a client cannot choose its own address", () => {
  test("behind one proxy, a spoofed first hop is ignored: the proxy's entry wins", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the address it saw.
    expect(clientIpFrom(xff("1.2.3.4, 203.0.113.7"), { trustedProxies: 1 })).toBe("203.0.113.7");
    expect(clientIpFrom(xff("9.9.9.9, 8.8.8.8, 203.0.113.7"), { trustedProxies: 1 })).toBe("203.0.113.7");
  });

  test("behind two proxies (CDN → load balancer), the entry two from the right", () => {
    expect(clientIpFrom(xff("1.2.3.4, 203.0.113.7, 10.0.0.2"), { trustedProxies: 2 })).toBe("203.0.113.7");
  });

  test("with no trusted proxy the header is ignored and the socket address is used", () => {
    expect(clientIpFrom(xff("1.2.3.4"), { trustedProxies: 0, peer: "198.51.100.1" })).toBe("198.51.100.1");
    expect(clientIpFrom(xff("1.2.3.4"), { trustedProxies: 0 })).toBeNull();
  });

  test("garbage is never an address", () => {
    expect(clientIpFrom(xff("1.2.3.4, not-an-ip"), { trustedProxies: 1, peer: "198.51.100.1" })).toBe(
      "198.51.100.1",
    );
    expect(clientIpFrom(xff(" , "), { trustedProxies: 1 })).toBeNull();
    expect(clientIpFrom(new Headers(), { trustedProxies: 1, peer: "::1" })).toBe("::1");
    expect(clientIpFrom(xff("2001:db8::1"), { trustedProxies: 1 })).toBe("2001:db8::1");
  });
});
