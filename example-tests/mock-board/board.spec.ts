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

// The board is the worker's: what one test leaves on it, the next one sees. Serial mode makes
// that order part of the suite (a failure of the first skips the second, which the CI skip
// guard reports), instead of relying on the order tests happen to run in.
test.describe
  .serial("one board for the worker's tests", () => {
    let leaseId: string;

    test("the first test switches the power off", async ({ board, power }) => {
      leaseId = board.leaseId;
      await power.off();
      expect(await power.state()).toBe("off");
    });

    test("the next test finds it off, on the same lease", async ({ board, power }) => {
      expect(board.leaseId).toBe(leaseId);
      expect(await power.state()).toBe("off");
      expect((await power.history()).at(-1)).toMatchObject({ method: "off" });
    });
  });
