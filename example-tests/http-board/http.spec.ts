// A page served by the board's HttpServer driver, opened in Chromium. Also passes against
// Jumpstarter's own exporter (`jmp shell --exporter-config F -- npx playwright test …`, with a fixed
// port in F: Jumpstarter's get_url answers the configured port, so 0 cannot work).
import { boardTest, expect } from "dutkit/playwright";

const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url) });

const page = `<!doctype html>
<html>
  <head><title>boot menu</title><link rel="stylesheet" href="style/menu.css"></head>
  <body><h1>Boot menu</h1><ul id="images"></ul><script src="menu.js"></script></body>
</html>`;

test("a page put on the board's HTTP server opens in Chromium, with its assets", async ({
  board,
  http,
  page: tab,
}) => {
  await http.start();
  await http.putFile("style/menu.css", Buffer.from("h1 { color: rgb(0, 128, 0); }"));
  await http.putFile(
    "menu.js",
    Buffer.from(`
    fetch("images.json").then((r) => r.json()).then((images) => {
      for (const name of images) document.querySelector("#images").insertAdjacentHTML("beforeend", "<li>" + name + "</li>");
    });`),
  );
  await http.putFile("images.json", Buffer.from(JSON.stringify(["Image", "rootfs.ext4"])));
  const url = await http.putFile("index.html", Buffer.from(page));

  const response = await tab.goto(url);
  // Jumpstarter's server (aiohttp) names no charset; dutkit's says UTF-8.
  const contentType = board.implementation === "dutkit" ? "text/html; charset=utf-8" : "text/html";
  expect(response?.headers()["content-type"]).toBe(contentType);
  await expect(tab).toHaveTitle("boot menu");
  await expect(tab.locator("h1")).toHaveCSS("color", "rgb(0, 128, 0)");
  await expect(tab.locator("#images li")).toHaveText(["Image", "rootfs.ext4"]);
});

test("ranges and missing files, as a boot loader sees them", async ({ http, request }) => {
  await http.start();
  const url = await http.putFile("boot/Image", Buffer.from("0123456789abcdef"));
  const part = await request.get(url, { headers: { Range: "bytes=4-7" } });
  expect(part.status()).toBe(206);
  expect(await part.text()).toBe("4567");
  expect((await request.get(`${await http.getUrl()}/boot/missing`)).status()).toBe(404);
  expect((await request.get(`${await http.getUrl()}/boot/`)).status()).toBe(403);
});
