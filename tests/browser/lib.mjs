// What every browser test shares: one way to start Chromium, the list of checks and how it is
// reported, axe-core, the sideways-scrolling check and screenshots.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core');

// WCAG 2.2 AA, target size included, and best practices (the console's bar).
export const WCAG22 = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
};

// Every check that failed, reported (and the exit code set) by `report`.
export const problems = [];

export function check(ok, what) {
  if (!ok) problems.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

// Headless Chromium as the tests run it everywhere (no sandbox, nothing fetched in the background).
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

// axe-core on the page as it is now (the context needs `bypassCSP: true`: our CSP forbids the
// inline script axe-core is injected as). Every violation is printed with its nodes.
export async function axeCheck(page, label, options = {}) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate((o) => window.axe.run(document, o), options);
  for (const v of result.violations) {
    console.log(`axe ${label}: ${v.id} (${v.impact}) ${v.help}`);
    for (const n of v.nodes) console.log(`    ${n.target.join(' ')}: ${n.failureSummary}`);
  }
  check(result.violations.length === 0, `axe-core finds no violations on ${label}`);
}

// Whether the page is wider than its viewport, by more than `slack` px (rounding).
export function scrollsSideways(page, slack = 1) {
  return page.evaluate((s) => document.documentElement.scrollWidth > window.innerWidth + s, slack);
}

// 400% zoom of a 1280 px window is a 320 px viewport: nothing may need sideways scrolling there.
// Leaves the page at 1024 by 768.
export async function reflows(page, name) {
  await page.setViewportSize({ width: 320, height: 640 });
  check(!(await scrollsSideways(page)), `${name} reflows at 320 px (400 % zoom) without sideways scrolling`);
  await page.setViewportSize({ width: 1024, height: 768 });
}

// A full-page screenshot as DIR/NAME.png.
export function screenshot(page, dir, name) {
  return page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

// Prints the failed checks and exits 1 if there are any; otherwise prints `passed`, if given.
export function report(passed) {
  if (problems.length) {
    console.error(`${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  if (passed) console.log(passed);
}
