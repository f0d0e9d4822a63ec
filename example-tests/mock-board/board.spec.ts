// The mock board through Playwright's fixtures, next to a real browser page.
import { boardTest, expect } from "dutkit/playwright";

const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url) });

test("a page shows what the board did", async ({ power, shell, page }) => {
  await power.on();
  const { stdout } = await shell.hello("playwright");
  await page.setContent(
    `<main><p id="power">${await power.state()}</p><p id="shell">${stdout.trim()}</p></main>`,
  );
  await expect(page.locator("#power")).toHaveText("on");
  await expect(page.locator("#shell")).toHaveText("hello playwright");
});

test("the board is shared by the worker's tests", async ({ power }) => {
  expect(await power.state()).toBe("on");
});
