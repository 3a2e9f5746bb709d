// The public site's own pages (issue 15) in headless Chromium at 1280 and 375 px: axe-core on
// each, a screenshot of each into OUT_DIR, and the GOV.UK patterns a resident meets.
// Usage: node public_pages.mjs BASE_URL MANAGE_URL UNSUBSCRIBE_URL 'CONFIRM_URL1 CONFIRM_URL2' MESSAGE_PATH OUT_DIR
//   (run by tests/it/public_site/browser.rs)
import { axeCheck, check, launch, problems, report, screenshot, scrollsSideways } from './lib.mjs';
import { mkdirSync } from 'node:fs';

const [base, manageUrl, unsubscribeUrl, confirmUrl, messagePath, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node public_pages.mjs BASE_URL MANAGE_URL UNSUBSCRIBE_URL CONFIRM_URL MESSAGE_PATH OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const browser = await launch();

const WIDTHS = [1280, 375];

// axe-core with every WCAG 2.x A and AA rule and best practices, and a full-page screenshot.
async function audit(page, name, width) {
  await axeCheck(page, `${name} at ${width} px`);
  check(!(await scrollsSideways(page)), `${name} needs no sideways scrolling at ${width} px`);
  await screenshot(page, outDir, `${name.replace(/[^a-z0-9]+/gi, '-')}-${width}`);
}

// Opens `url` at each width (or runs `reach`, which leaves the page where it should be).
async function atBothWidths(context, name, reach, extra) {
  for (const [i, width] of WIDTHS.entries()) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const response = typeof reach === 'string' ? await page.goto(reach) : await reach(page, i);
    if (extra) await extra(page, width, response);
    await audit(page, name, width);
    await page.close();
  }
}

try {
  // Our CSP forbids inline script, which is how axe-core is injected: bypass it for the audit.
  const context = await browser.newContext({ bypassCSP: true });

  await atBothWidths(context, 'home', `${base}/`, async (page, width) => {
    const box = await page.locator('#consent').boundingBox();
    check(box && box.width >= 40 && box.height >= 40, `checkboxes are 40 px at ${width} px (${box?.width})`);
    const radio = await page.locator('#frequency').boundingBox();
    check(radio && radio.width >= 40, `radios are 40 px at ${width} px`);
    const pc = page.locator('#postcode');
    check(await pc.getAttribute('autocomplete') === 'postal-code'
      && await pc.getAttribute('autocapitalize') === 'characters'
      && await pc.getAttribute('spellcheck') === 'false', 'the postcode field has the GOV.UK attributes');
    const text = await page.locator('main').innerText();
    check(!/e-mail/i.test(text), 'one spelling: "email"');
    check(!/consent statement version/i.test(text), 'no "consent statement version"');
    check(/Buckinghamshire Council/.test(await page.locator('footer').innerText()), 'the footer names Buckinghamshire Council');
  });

  await atBothWidths(context, 'home with errors', async (page) => {
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForSelector('.error-summary');
  }, async (page, width) => {
    const focused = await page.evaluate(() => document.activeElement?.classList.contains('error-summary'));
    check(focused, `focus moves to the error summary at ${width} px`);
  });

  await atBothWidths(context, 'check your email', async (page) => {
    await page.goto(`${base}/`);
    await page.getByLabel('Email address').fill('browser.check@example.com');
    await page.getByLabel('Postcode').fill('HP5 9AA');
    await page.getByLabel('Local crime news').check();
    await page.getByLabel('As it happens').check();
    await page.locator('#consent').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
  }, async (page) => {
    const text = await page.locator('main').innerText();
    check(text.includes('browser.check@example.com'), 'check-your-email shows the address used');
    check(text.includes('Wrong address?'), 'check-your-email offers "wrong address?"');
    check(await page.getByRole('button', { name: 'Send the email again' }).isVisible(), 'check-your-email can send it again');
  });

  // One confirmation link per width: a used link says "already confirmed".
  await atBothWidths(context, 'confirmed', async (page, i) => {
    await page.goto(confirmUrl.split(' ')[i]);
    await page.getByRole('button', { name: 'Confirm my alerts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your alerts are confirmed' }).waitFor();
  }, async (page) => {
    const panel = page.locator('.confirmation-panel');
    const bg = await panel.evaluate((e) => getComputedStyle(e).backgroundColor);
    check(bg === 'rgb(0, 112, 60)', `the confirmation is a green panel (${bg})`);
    const text = await panel.innerText();
    check(text.includes('Chesham') && text.includes('Local crime news') && text.includes('As it happens'),
      'the panel names the area, topics and frequency');
    check((await page.locator('main').innerText()).includes('What happens next'), 'it says what comes next');
  });

  await atBothWidths(context, 'manage', manageUrl, async (page) => {
    const rows = await page.locator('.summary-list .summary-row').count();
    check(rows === 3, 'the manage page opens with a summary list of area, topics and frequency');
    check(await page.getByRole('link', { name: 'Change your topics' }).isVisible(), 'each row has "Change"');
    const list = await page.locator('.summary-list').boundingBox();
    const leave = await page.getByRole('button', { name: 'Unsubscribe from everything' }).boundingBox();
    const save = await page.getByRole('button', { name: 'Save changes' }).boundingBox();
    check(leave && list && save && leave.y > list.y && leave.y < save.y, '"unsubscribe" is near the top, before the form');
    check(!(await page.locator('main').innerText()).includes('JSON'), 'no "JSON file"');
  });

  await atBothWidths(context, 'unsubscribe', unsubscribeUrl, async (page) => {
    check(await page.getByRole('link', { name: /pause your alerts or change your topics instead/ }).isVisible(),
      'unsubscribe offers "pause or change topics instead"');
  });

  await atBothWidths(context, 'privacy', `${base}/privacy`);
  await atBothWidths(context, 'accessibility', `${base}/accessibility`);
  await atBothWidths(context, 'messages', `${base}/messages`, async (page) => {
    check(await page.locator('.message-list li').count() >= 1, 'the archive lists the published message');
  });
  await atBothWidths(context, 'messages filtered', `${base}/messages?area=chesham&topic=burglary-vehicle`);
  await atBothWidths(context, 'message', `${base}${messagePath}`, async (page) => {
    check(await page.getByRole('heading', { name: 'Get these alerts' }).isVisible(), 'a message ends with "Get these alerts"');
  });
  await atBothWidths(context, 'page not found', `${base}/no-such-page`, async (page, width, response) => {
    check(response.status() === 404, 'an unknown address answers 404');
    check(await page.getByRole('heading', { level: 1 }).innerText() === 'Page not found', `"Page not found" at ${width} px`);
  });
} catch (e) {
  console.error(e);
  problems.push(String(e));
} finally {
  await browser.close();
}
report();
