import { expect, test } from "bun:test";
import { clientIp, PEER_HEADER, stampPeerAddress, trustPeerHeader } from "./client-ip";

test("by default (no proxy) X-Forwarded-For is the client's own writing and is never believed", () => {
  const spoofed = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" });
  expect(clientIp(spoofed)).not.toBe("203.0.113.7");
  expect(clientIp(spoofed)).not.toBe("6.6.6.6");
});

test("behind one proxy the client is the hop that proxy appended, not what the client wrote on the left", () => {
  const behindOne = { trustedProxies: 1 };
  const spoofed = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" });
  expect(clientIp(spoofed, behindOne)).toBe("203.0.113.7");
  expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.2" }), behindOne)).toBe("198.51.100.2");
  expect(clientIp(new Headers({ "x-forwarded-for": "not-an-ip" }), behindOne)).toBeNull();
  expect(clientIp(new Headers(), behindOne)).toBeNull();
});

test("the socket address stamped by our server is the client with no proxy; a client's own stamp is replaced", () => {
  const request = {
    headers: { [PEER_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" } as Record<
      string,
      string | string[] | undefined
    >,
    socket: { remoteAddress: "192.0.2.44" },
  };
  stampPeerAddress(request);
  expect(request.headers[PEER_HEADER]).toBe("192.0.2.44");
  trustPeerHeader();
  const headers = new Headers(request.headers as Record<string, string>);
  expect(clientIp(headers, { trustedProxies: 0 })).toBe("192.0.2.44");
  // With a proxy in front, the proxy's hop wins over the socket (the proxy is the socket).
  expect(
    clientIp(
      new Headers({ ...request.headers, "x-forwarded-for": "203.0.113.9" } as Record<string, string>),
      { trustedProxies: 1 },
    ),
  ).toBe("203.0.113.9");
});
