/**
 * A tiny browser for tests: a cookie jar (per host:port, stricter than a real browser), manual
 * redirects, and auto-submission of the OIDC provider's login and consent forms.
 */
export type TestBrowser = {
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** Follows redirects (GET) until a non-redirect response or `stopAt` matches the next URL. */
  navigate: (
    url: string,
    options?: { stopAt?: (url: string) => boolean; login?: string },
  ) => Promise<NavigationResult>;
  cookie: (origin: string, name: string) => string | undefined;
  setCookie: (origin: string, name: string, value: string) => void;
};

export type NavigationResult = { url: string; response: Response; visited: string[] };

const MAX_STEPS = 30;

export function createTestBrowser(): TestBrowser {
  const jar = new Map<string, Map<string, string>>();

  const store = (url: string, response: Response) => {
    const host = new URL(url).host;
    const cookies = jar.get(host) ?? new Map<string, string>();
    jar.set(host, cookies);
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === "";
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
  };

  const cookieHeader = (url: string) => {
    const cookies = jar.get(new URL(url).host);
    if (!cookies || cookies.size === 0) return null;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  };

  const browserFetch = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const cookie = cookieHeader(url);
    if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    store(url, response);
    return response;
  };

  /** Fills and posts the provider's devInteractions form (login or consent). */
  const submitForm = async (pageUrl: string, html: string, login: string) => {
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) return null;
    const body = new URLSearchParams();
    for (const match of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
      if (match[1]) body.set(match[1], match[2] ?? "");
    }
    if (/name="login"/.test(html)) {
      body.set("login", login);
      body.set("password", "any-password");
    }
    return browserFetch(new URL(action.replaceAll("&amp;", "&"), pageUrl).toString(), {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  };

  const navigate: TestBrowser["navigate"] = async (start, options = {}) => {
    const visited: string[] = [];
    let url = start;
    let response = await browserFetch(url);
    for (let step = 0; step < MAX_STEPS; step++) {
      visited.push(url);
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.get("location");
        if (!location) break;
        const next = new URL(location, url).toString();
        if (options.stopAt?.(next)) return { url: next, response, visited };
        url = next;
        response = await browserFetch(url);
        continue;
      }
      const type = response.headers.get("content-type") ?? "";
      if (response.status === 200 && type.includes("text/html")) {
        const posted = await submitForm(url, await response.text(), options.login ?? "alice");
        if (posted) {
          response = posted;
          continue;
        }
      }
      break;
    }
    return { url, response, visited };
  };

  return {
    fetch: browserFetch,
    navigate,
    cookie: (origin, name) => jar.get(new URL(origin).host)?.get(name),
    setCookie: (origin, name, value) => {
      const host = new URL(origin).host;
      const cookies = jar.get(host) ?? new Map<string, string>();
      jar.set(host, cookies);
      cookies.set(name, value);
    },
  };
}
