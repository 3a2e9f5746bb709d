// Feeds for people: a resident who clicks a feed link sees a page (the feed's XSLT) that says
// what a feed is, at 1280 and 375 px, with axe-core finding nothing.
// Usage: node feed_page.mjs BASE_URL SCREENSHOT_DIR   (run by tests/it/feed_pages.rs)
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core');
const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node feed_page.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}

const problems = [];
const check = (ok, what) => {
  if (!ok) problems.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});

try {
  for (const width of [1280, 375]) {
    // axe-core is injected as a script; the feed's CSP (rightly) forbids that, so bypass it.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
    const page = await context.newPage();
    for (const [feed, empty] of [['all/atom.xml', false], ['all/rss.xml', false], ['amersham/atom.xml', true]]) {
      const name = `${feed} at ${width} px`;
      const res = await page.goto(`${base}/feeds/${feed}`);
      check(res.status() === 200, `${name} loads`);
      await page.waitForSelector('h1', { timeout: 10000 });
      const h1 = await page.textContent('h1');
      check(h1.startsWith('Community safety alerts'), `${name} shows the feed's title as a heading (${h1})`);
      const text = await page.textContent('main');
      check(text.includes('What is a feed?'), `${name} says what a feed is`);
      check(text.includes('No alerts yet') === empty, `${name} ${empty ? 'says "no alerts yet"' : 'lists its alerts'}`);
      check(await page.evaluate(() => document.documentElement.lang === 'en-GB'), `${name} has its language`);
      const styled = await page.evaluate(() => getComputedStyle(document.querySelector('header.site')).backgroundColor);
      check(styled === 'rgb(29, 53, 87)', `${name} wears the site's style (${styled})`);
      await page.addScriptTag({ path: axePath });
      // Chromium adds a banner of its own announcing that XSLT is deprecated; it is the browser's,
      // not ours, so axe looks at our page only.
      const result = await page.evaluate(() => window.axe.run({ exclude: [['xslt-warning-banner']] }));
      for (const v of result.violations) {
        console.log(`axe ${name}: ${v.id} (${v.impact}) ${v.help}`);
        for (const n of v.nodes) console.log(`    ${n.target.join(' ')}: ${n.failureSummary}`);
      }
      check(result.violations.length === 0, `axe-core finds no violations on ${name}`);
      await page.screenshot({ path: `${shots}/feed-${feed.replace(/\W+/g, '-')}-${width}.png`, fullPage: true });
    }
    await context.close();
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(`${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
