/**
 * Getting in: sign-up and sign-in with a password (a wrong one is one clear line, no stack trace), a
 * sign-in form that never leaks the password into a URL without JavaScript, and sign-in through an
 * OpenID provider.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { signIn, waitLive } from "./browser";
import { OIDC_PROVIDER_NAME, PASSWORD, useJourney } from "./fixture";

setDefaultTimeout(60_000);

const journey = useJourney();

describe("signing in", () => {
  test("sign up, sign in, and form errors without stack traces", async () => {
    const ben = await journey.signUp("Ben Baker");
    const other = await journey.newContext();

    await other.page.goto("/sign-in");
    await other.page.getByLabel("Handle").fill(ben.handle);
    await other.page.getByLabel("Password").fill("wrong password!");
    await other.page.getByRole("button", { name: "Sign in" }).click();
    // Not getByRole("alert"): Next's route announcer is an (empty) alert too.
    const alert = other.page.locator(".form-error[role=alert]");
    await alert.waitFor();
    const text = (await alert.textContent()) ?? "";
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/\bat .+:\d+|Error:|TRPC|stack/i);

    await signIn(other.page, ben.handle, PASSWORD);
    expect(await other.page.locator(".sidebar-me strong").textContent()).toBe("Ben Baker");
  });

  test("without JavaScript, submitting the sign-in form never puts the password in the URL", async () => {
    const ben = await journey.signUp("Ben Baker");
    const context = await journey.browser.newContext({
      baseURL: journey.stack.appUrl,
      javaScriptEnabled: false,
    });
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      page.on("request", (request) => requested.push(request.url()));
      await page.goto("/sign-in");
      await page.getByLabel("Handle").fill(ben.handle);
      await page.getByLabel("Password").fill(PASSWORD);
      await Promise.all([page.waitForEvent("requestfinished"), page.keyboard.press("Enter")]);
      expect(requested.length).toBeGreaterThan(1); // the form did submit
      // As a query string would carry it: form encoding writes spaces as "+".
      const readable = (url: string) => decodeURIComponent(url.replace(/\+/g, " "));
      for (const url of [...requested, page.url()]) expect(readable(url)).not.toContain(PASSWORD);
    } finally {
      await context.close();
    }
  });

  test("sign in with an OIDC provider from the sign-in page", async () => {
    const fresh = await journey.newContext();
    const login = `oidc${journey.run}`;
    await fresh.page.goto("/sign-in");
    await fresh.page.getByRole("link", { name: `Continue with ${OIDC_PROVIDER_NAME}` }).click();
    // oidc-provider's development login and consent pages.
    await fresh.page.locator('input[name="login"]').fill(login);
    await fresh.page.locator('input[name="password"]').fill("anything");
    await fresh.page.locator('button[type="submit"]').click();
    await fresh.page.locator('button[type="submit"]').click();
    await fresh.page.waitForURL("**/chat");
    await waitLive(fresh.page);
    await fresh.page.getByText(`Test ${login}`).first().waitFor();
  });
});
