// The campaign editor in headless Chromium, with axe-core on every page staff see.
// Usage: node editor.mjs PHASE BASE_URL EMAIL PASSWORD DATE SLUG   (run by tests/it/editor/browser.rs)
// Each phase is one visit; the Rust test checks the files, the scheduler and the mail between them.
import { axeCheck, check, launch, problems, report } from './lib.mjs';

const [phase, base, email, password, date, slug] = process.argv.slice(2);
if (!slug) {
  console.error('usage: node editor.mjs PHASE BASE_URL EMAIL PASSWORD DATE SLUG');
  process.exit(2);
}

const browser = await launch();

async function signIn(page) {
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/admin$/);
}

// Fills the form for a one-off campaign to Chesham and Amersham on DATE at 09:00.
async function fillOneOff(page, title, newSlug) {
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Short name for the file and web addresses').fill(newSlug);
  await page.getByLabel('Scams, fraud and exploitation').check();
  await page.getByLabel('Lead partner').fill('Thames Valley Police');
  await page.getByLabel('E-mail subject').fill(`${title}: banks never collect cards`);
  await page.getByLabel('Summary').fill('Fraudsters pose as police or bank staff; hang up and call 159.');
  await page.getByLabel('Message').fill('Your bank and the police **never** send a courier for your card.\n\nHang up and call 159 from another phone.');
  await page.getByLabel('Chesham', { exact: true }).check();
  await page.getByLabel('Amersham', { exact: true }).check();
  await page.getByLabel('Once, on one date').check();
  await page.getByLabel('Once: the date').fill(date);
  await page.getByLabel('Time', { exact: true }).fill('09:00');
}

const save = (page, name) => Promise.all([
  page.waitForNavigation(),
  page.getByRole('button', { name, exact: true }).click(),
]);

try {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  await signIn(page);
  const when = new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB',
    { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).replace(',', '');

  if (phase === 'create') {
    await page.goto(`${base}/admin/editor`);
    await axeCheck(page, 'the drafts and changes page');
    await page.getByRole('link', { name: 'Write a new campaign' }).click();
    await axeCheck(page, 'the new campaign form');
    await fillOneOff(page, 'Courier fraud warning', slug);
    // The preview follows the typing (editor.js), before any button is pressed.
    const live = await page.waitForSelector('#next-sends li', { timeout: 15000 }).then(() => true, () => false);
    check(live, 'the preview appears while the form is filled in');
    await save(page, 'Preview');
    const sends = await page.locator('#next-sends li').allInnerTexts();
    check(sends.length === 1 && sends[0] === `${when} at 09:00`, `one send, ${when} at 09:00 (${sends})`);
    check((await page.locator('#text-preview').innerText()).includes('Hang up and call 159'), 'the text e-mail preview shows the message');
    check((await page.locator('#feed-preview').innerText()).includes('Fraudsters pose as police'), 'the feed entry preview shows the summary');
    check((await page.locator('#forecast').innerText()).includes('1'), 'the forecast shows the e-mail it adds');
    const options = await page.locator('#preview_area option').allInnerTexts();
    check(options.join(',') === 'Amersham,Chesham', `preview for either area (${options})`);
    await axeCheck(page, 'the campaign form with its preview');
    const [html] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Open the HTML e-mail as residents see it (new tab)' }).click(),
    ]);
    await html.waitForLoadState();
    check((await html.content()).includes('<strong>never</strong>'), 'the HTML e-mail renders the Markdown');
    await html.close();
    await page.getByLabel('Why you are making this change').fill('first draft');
    await save(page, 'Save as draft');
    check(page.url().endsWith(`/admin/editor/${slug}?done=draft`), `saved as a draft (${page.url()})`);
    check(await page.getByRole('heading', { name: 'Saved as a draft' }).isVisible(), 'the page says it is a draft');
    await axeCheck(page, 'the editor after saving a draft');
  }

  if (phase === 'invalid') {
    await page.goto(`${base}/admin/editor/${slug}`);
    await page.getByLabel('E-mail subject').fill('x'.repeat(130));
    await save(page, 'Save and schedule');
    const error = await page.locator('#subject-error').innerText();
    check(error.includes('130 characters; keep it to 120 or fewer'), `the error is beside the subject (${error})`);
    check(await page.locator('#subject').getAttribute('aria-invalid') === 'true', 'the subject is marked invalid');
    check((await page.locator('.error-summary a[href="#subject"]').count()) === 1, 'the error summary links to the subject');
    await axeCheck(page, 'the campaign form with an error');
  }

  if (phase === 'schedule') {
    // Two tabs open the same version; the second one's save comes too late.
    const stale = await context.newPage();
    await stale.goto(`${base}/admin/editor/${slug}`);
    await page.goto(`${base}/admin/editor/${slug}`);
    await axeCheck(page, 'the campaign form for a draft');
    await page.getByLabel('Why you are making this change').fill('ready to go');
    await save(page, 'Save and schedule');
    check(page.url().endsWith('?done=scheduled'), `scheduled (${page.url()})`);
    await stale.getByLabel('Summary').fill('A change made in an old tab');
    await save(stale, 'Save and schedule');
    const refused = await stale.locator('#form').innerText();
    check(refused.includes(`changed by ${email} since you opened it`), `the stale save is refused (${refused})`);
    await axeCheck(stale, 'the campaign form refusing a stale save');

    // A mistake, then the previous version restored.
    await page.goto(`${base}/admin/editor/${slug}`);
    await page.getByLabel('E-mail subject').fill('A subject sent by mistake');
    await page.getByLabel('Why you are making this change').fill('new subject');
    await save(page, 'Save and schedule');
    await page.getByRole('link', { name: 'History of this campaign' }).click();
    await axeCheck(page, 'the campaign history');
    const rows = await page.locator('#history tbody tr').allInnerTexts();
    check(rows.length === 3 && rows[0].includes('new subject') && rows[1].includes('ready to go') && rows[2].includes('first draft'),
      `three versions, newest first (${rows.join(' | ')})`);
    await page.locator('#history tbody tr').nth(1).getByRole('link').click();
    check((await page.locator('#diff del').allInnerTexts()).some((l) => l.includes('status = "draft"')), 'the diff shows the draft status removed');
    await axeCheck(page, 'a version\'s changes');
    await page.getByLabel('Why').fill('the old subject was right');
    await save(page, 'Restore this version');
    check(page.url().endsWith('?done=restored'), `restored (${page.url()})`);
    check((await page.getByLabel('E-mail subject').inputValue()).endsWith('banks never collect cards'), 'the restored subject is back in the form');
  }

  if (phase === 'editor-change') {
    await page.goto(`${base}/admin/editor/new`);
    await fillOneOff(page, 'Rogue traders warning', slug);
    await page.getByLabel('Why you are making this change').fill('needs a second pair of eyes');
    await save(page, 'Save and schedule');
    check(await page.getByRole('heading', { name: 'Your change is waiting for approval' }).isVisible()
      || (await page.content()).includes('waiting for approval'), 'the editor is told the change waits for approval');
    await axeCheck(page, 'the page after a change is held');
  }

  if (phase === 'approve') {
    await page.goto(`${base}/admin/editor`);
    await axeCheck(page, 'the list of changes waiting for approval');
    await page.getByRole('link', { name: slug }).click();
    check((await page.locator('#diff ins').allInnerTexts()).some((l) => l.includes('Rogue traders warning')), 'the admin sees the held change');
    await axeCheck(page, 'a held change');
    await save(page, 'Approve and schedule');
    check(page.url().endsWith('?done=approved'), `approved (${page.url()})`);
  }
} catch (e) {
  problems.push(String(e?.stack ?? e));
  console.error(e);
} finally {
  await browser.close();
}

report(`editor phase ${phase} passed`);
