// The console pages changed for issue 15, in headless Chromium at 1280 and 375 px wide, with
// axe-core on each and a screenshot of each into OUT_DIR.
// Usage: node console.mjs BASE_URL STAFF_EMAIL STAFF_PASSWORD OUT_DIR   (run by tests/it/console/browser.rs)
import { WCAG22, axeCheck, check, launch, problems, report, screenshot, scrollsSideways } from './lib.mjs';
import { mkdirSync } from 'node:fs';

const [base, email, password, outDir] = process.argv.slice(2);
if (!base || !email || !password || !outDir) {
  console.error('usage: node console.mjs BASE_URL STAFF_EMAIL STAFF_PASSWORD OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const browser = await launch();

const widths = [1280, 375];

// Each page at both widths: axe-core, no sideways scroll of the page itself, a screenshot.
async function visit(page, name, file) {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await axeCheck(page, `${name} at ${width} px`, WCAG22);
    check(!(await scrollsSideways(page)), `${name} at ${width} px needs no sideways scrolling`);
    await screenshot(page, outDir, `${file}-${width}`);
  }
}

try {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/admin$/);

  // Dashboard: the last 7 days per channel, with the failure rate, beside audience and queue.
  const week = await page.locator('#week').innerText();
  check(/E-mail/.test(week) && /failure rate/.test(week), 'the dashboard shows the last 7 days by channel');
  check(!(await page.content()).includes('UTC'), 'the dashboard shows no UTC times');
  await visit(page, 'the dashboard', 'console-dashboard');

  // Calendar: pause a campaign; a banner confirms; paused shows in words; today is marked.
  await page.goto(`${base}/admin/calendar`);
  await page.getByRole('button', { name: 'Pause Courier fraud: the police will never collect your money' }).click();
  await page.waitForURL(/done=paused/);
  const banner = page.locator('.notification-banner');
  check(await banner.isVisible(), 'pausing confirms with a notification banner');
  check((await banner.innerText()).includes('Courier fraud: the police will never collect your money is paused'),
    'the banner names the campaign');
  check(await page.locator('[aria-current="date"]').count() === 1, 'today is marked with aria-current="date"');
  check(await page.locator('.tag--paused', { hasText: 'Paused' }).count() >= 1, 'the paused campaign says "Paused" in words');
  // WCAG 2.2 target size (minimum): each link in the grid is at least 24 by 24 px.
  const small = await page.$$eval('table.month a', (as) => as
    .map((a) => a.getBoundingClientRect())
    .filter((r) => r.width < 24 || r.height < 24).length);
  check(small === 0, `every calendar grid link is at least 24 px square (${small} smaller)`);
  await visit(page, 'the calendar with a pause banner', 'console-calendar');
  await page.getByRole('button', { name: 'Resume Courier fraud: the police will never collect your money' }).click();
  await page.waitForURL(/done=resumed/);
  check((await page.locator('.notification-banner').innerText()).includes('running again'), 'resuming confirms with a banner');

  // The secret calendar address, shown once.
  await page.getByRole('button', { name: 'Make my calendar address' }).click();
  const feedUrl = await page.getByLabel('Calendar address').inputValue();
  check(/\/admin\/calendar\/feed\/.+\.ics$/.test(feedUrl), 'a private calendar address is shown');
  await visit(page, 'the calendar with a new calendar address', 'console-calendar-address');

  // A campaign page: areas, season, channels, next sends, reach, runs.
  await page.goto(`${base}/admin/campaigns/winter-burglary`);
  const about = await page.locator('dl.summary-list').innerText();
  check(about.includes('25 Oct – 28 Feb'), 'the campaign page shows the season in words');
  check(about.includes('Would reach now'), 'the campaign page shows whom it would reach');
  await visit(page, 'a campaign page', 'console-campaign');

  // Subscribers: look one up, send them a new manage link; a banner confirms.
  await page.goto(`${base}/admin/subscribers`);
  await page.getByLabel('Exact email address').fill('ann@example.com');
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.waitForURL(/lookup/);
  await visit(page, 'a subscriber found by exact look-up', 'console-subscriber');
  await page.getByRole('button', { name: 'Send them a new manage link' }).click();
  check((await page.locator('.notification-banner').innerText()).includes('Manage link sent'),
    'resending the manage link confirms with a banner');
  await visit(page, 'the subscribers page after an action', 'console-subscriber-done');

  for (const [path, name, file] of [['/admin/audit', 'the audit log', 'console-audit'],
    ['/admin/users', 'the staff page', 'console-users']]) {
    await page.goto(`${base}${path}`);
    check(!(await page.content()).includes('UTC'), `${name} shows no UTC times`);
    await visit(page, name, file);
  }
} catch (e) {
  problems.push(String(e?.stack ?? e));
  console.error(e);
} finally {
  await browser.close();
}

report('console pages passed');
