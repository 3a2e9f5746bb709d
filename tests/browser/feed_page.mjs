// Feeds for people: a resident who clicks a feed link sees our own HTML page (content
// negotiation, no XSLT, so no browser notice about XSLT going away) that says what a feed is and
// how to use one, at 1280 and 375 px, with axe-core finding nothing.
// Usage: node feed_page.mjs BASE_URL SCREENSHOT_DIR   (run by tests/it/feed_pages.rs)
import { axeCheck, check, launch, report, screenshot, scrollsSideways } from './lib.mjs';

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node feed_page.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}

const browser = await launch();

try {
  for (const width of [1280, 375]) {
    // axe-core is injected as a script; the feed's CSP (rightly) forbids that, so bypass it.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
    const page = await context.newPage();
    for (const [feed, empty] of [['all/atom.xml', false], ['all/rss.xml', false], ['amersham/atom.xml', true]]) {
      const name = `${feed} at ${width} px`;
      const res = await page.goto(`${base}/feeds/${feed}`);
      check(res.status() === 200, `${name} loads`);
      const type = res.headers()['content-type'] ?? '';
      check(type.startsWith('text/html'), `${name} is served as a page (${type})`);
      await page.waitForSelector('h1', { timeout: 10000 });
      const h1 = await page.textContent('h1');
      check(h1.startsWith('Community safety alerts: '), `${name} shows the feed's title as a heading (${h1})`);
      // Chromium overlays a notice of its own on pages made by XSLT ("XSLT is being removed from
      // this browser very soon"); a resident must never see it.
      const all = await page.evaluate(() => document.documentElement.innerText);
      check(!/XSLT/i.test(all) && !/being removed/i.test(all), `${name} shows no browser notice about XSLT`);
      check(await page.locator('xslt-warning-banner').count() === 0, `${name} has no XSLT banner element`);
      const text = await page.textContent('main');
      check(text.includes('What is a feed and how to use one'), `${name} says what a feed is and how to use one`);
      const address = await page.inputValue('input#feed-address');
      check(address === `${base}/feeds/${feed}`, `${name} names its address to copy (${address})`);
      const label = await page.textContent('label[for=feed-address]');
      check(label.includes('Feed address'), `${name} labels the address`);
      check(text.includes('No alerts yet') === empty, `${name} ${empty ? 'says "no alerts yet"' : 'lists its alerts'}`);
      if (!empty) {
        const link = page.locator('ul.feed-entries a', { hasText: 'Courier fraud' });
        check(await link.count() === 1, `${name} links its alert`);
        const href = await link.first().getAttribute('href');
        check(/\/messages\/\d+$/.test(href ?? ''), `${name} links the alert's message page (${href})`);
      }
      check(await page.evaluate(() => document.documentElement.lang === 'en-GB'), `${name} has its language`);
      const styled = await page.evaluate(() => getComputedStyle(document.querySelector('header.site')).backgroundColor);
      check(styled === 'rgb(29, 53, 87)', `${name} wears the site's style (${styled})`);
      check(!(await scrollsSideways(page, 0)), `${name} does not scroll sideways`);
      await axeCheck(page, name);
      await screenshot(page, shots, `feed-${feed.replace(/\W+/g, '-')}-${width}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
report();
