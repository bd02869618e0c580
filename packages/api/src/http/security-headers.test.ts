import { describe, expect, test } from "bun:test";
import { apiSecurityHeaders, connectSources, pageSecurityHeaders } from "./security-headers";

function directives(policy: string | undefined): Map<string, string[]> {
  return new Map(
    (policy ?? "")
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = "", ...values]) => [name, values]),
  );
}

describe("security headers", () => {
  test("pages refuse framing, sniffing and cross-origin referrers, and allow the realtime gateway", () => {
    const headers = pageSecurityHeaders({
      realtimeUrls: ["wss://rt.example.com/ws", "ws://127.0.0.1:3001/ws"],
    });
    expect(headers["X-Frame-Options"]).toBe("DENY");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    const csp = directives(headers["Content-Security-Policy"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("connect-src")).toEqual(["'self'", "wss://rt.example.com", "ws://127.0.0.1:3001"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("script-src")).not.toContain("'unsafe-eval'");
    expect(
      directives(pageSecurityHeaders({ dev: true })["Content-Security-Policy"]).get("script-src"),
    ).toContain("'unsafe-eval'");
  });

  test("API answers may load nothing and may not be framed", () => {
    const headers = apiSecurityHeaders();
    const csp = directives(headers["Content-Security-Policy"]);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(headers["X-Frame-Options"]).toBe("DENY");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
  });

  test("only ws(s)/http(s) origins make it into connect-src; junk cannot inject a directive", () => {
    expect(
      connectSources(["not a url", "javascript:alert(1)", "wss://a.example/ws?x=1; script-src *"]),
    ).toEqual(["wss://a.example"]);
  });
});
