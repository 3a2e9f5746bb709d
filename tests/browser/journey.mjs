// A new resident's journey in headless Chromium, with axe-core on every page they see.
// Usage: node journey.mjs BASE_URL MANAGE_URL   (run by tests/it/browser.rs)
import { axeCheck, check, launch, problems, reflows, report } from './lib.mjs';

const [base, manageUrl, staffEmail, staffPassword] = process.argv.slice(2);
if (!base || !manageUrl) {
  console.error('usage: node journey.mjs BASE_URL MANAGE_URL');
  process.exit(2);
}

const browser = await launch();

try {
  // Our CSP forbids inline script, which is how axe-core is injected: bypass it for the audit.
  // The request log below still proves the pages themselves load no script at all.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  const scripts = [];
  page.on('request', (r) => { if (r.resourceType() === 'script' || !r.url().startsWith(base)) scripts.push(r.url()); });

  await page.goto(`${base}/?source=library-qr`);
  check((await page.title()).startsWith('Get community safety alerts'), 'home page title');
  await axeCheck(page, 'the home page');
  await reflows(page, 'the home page');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent === 'Skip to main content'),
    'the first Tab reaches "Skip to main content"');

  // A first try with mistakes: half a postcode and no consent.
  await page.getByLabel('Email address').fill('browser.resident@example.com');
  await page.getByLabel('Postcode').fill('HP5');
  await page.getByLabel('Local crime news').check();
  await page.getByLabel('As it happens').check();
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.waitForURL(/\/subscribe$/);
  check((await page.title()).startsWith('Error: '), 'the error page title starts with "Error:"');
  const summary = page.locator('.error-summary');
  check(await summary.isVisible(), 'an error summary is shown');
  const summaryText = await summary.innerText();
  check(summaryText.includes('Enter a full UK postcode'), 'the postcode problem is explained');
  check(summaryText.includes('Tick the box'), 'the missing consent is explained');
  check(await page.locator('#postcode-error').isVisible(), 'the postcode message sits beside its field');
  check(await page.getByLabel('Email address').inputValue() === 'browser.resident@example.com',
    'what was typed is kept');
  check(await page.getByLabel('Local crime news').isChecked(), 'chosen topics are kept');
  await axeCheck(page, 'the error page');

  // The summary links to the field; fix the consent, and give a postcode outside the districts.
  await summary.getByRole('link', { name: /Tick the box/ }).click();
  check(page.url().endsWith('#consent'), 'the summary link goes to the consent box');
  await page.locator('#consent').check();
  await page.getByLabel('Postcode').fill('OX1 1AA');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.waitForURL(/\/subscribe$/);
  check(await page.getByRole('heading', { level: 1 }).innerText() === 'We do not send alerts for OX1 1AA',
    'a postcode outside the districts gets its own page, not an error');
  check(!(await page.title()).startsWith('Error'), 'the outside page is not an error page');
  check(await page.getByRole('link', { name: 'Sign up to Thames Valley Alert' }).getAttribute('href')
    === 'https://www.thamesvalleyalert.co.uk', 'the outside page links to Thames Valley Alert');
  await axeCheck(page, 'the outside-the-districts page');
  await reflows(page, 'the outside-the-districts page');
  await page.getByRole('link', { name: 'go back and enter it again' }).click();
  await page.waitForURL(/\/$/);

  // A postcode between Chesham and Ley Hill: one more question, on its own page.
  await page.getByLabel('Email address').fill('browser.resident@example.com');
  await page.getByLabel('Postcode').fill('HP5 1XG');
  await page.getByLabel('Local crime news').check();
  await page.getByLabel('As it happens').check();
  await page.locator('#consent').check();
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.waitForURL(/\/subscribe$/);
  check(await page.getByRole('heading', { level: 1 }).innerText() === 'Which place do you live in?',
    'a postcode between places asks which place');
  check(!(await page.title()).startsWith('Error'), 'the question is not an error');
  await axeCheck(page, 'the which-place page');
  await reflows(page, 'the which-place page');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/subscribe$/);
  check((await page.title()).startsWith('Error: '), 'continuing without a choice is explained');
  await axeCheck(page, 'the which-place page with its error');
  await page.getByLabel('Chesham', { exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
  check(await page.getByRole('heading', { level: 1 }).innerText() === 'Check your email',
    'choosing a place reaches "Check your email"');
  await axeCheck(page, 'the check-email page');

  await page.goto(manageUrl);
  check((await page.title()).startsWith('Your community safety alerts'), 'manage page title');
  await axeCheck(page, 'the manage page');
  await reflows(page, 'the manage page');
  await page.getByLabel('Amersham').check();
  await page.getByLabel('A weekly round-up on Saturday morning').check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(/saved=1$/);
  check(await page.getByText('Your changes are saved').isVisible(), 'saving changes says so');
  check(await page.getByLabel('Amersham').isChecked(), 'the saved area stays chosen');
  await axeCheck(page, 'the manage page after saving');

  // The console, held to the same bar.
  if (staffEmail) {
    await page.goto(`${base}/admin/login`);
    await axeCheck(page, 'the console sign-in page');
    await page.getByLabel('Email address').fill(staffEmail);
    await page.getByLabel('Password').fill(staffPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin$/);
    check(await page.getByRole('heading', { level: 1 }).innerText() === 'Dashboard', 'staff reach the dashboard');
    for (const [path, name] of [['/admin', 'the dashboard'], ['/admin/calendar', 'the calendar'],
      ['/admin/campaigns/winter-burglary', 'a campaign page'], ['/admin/campaigns/winter-burglary/send', 'the send confirmation page'],
      ['/admin/subscribers', 'the subscribers page'],
      ['/admin/reach', 'the reach page'], ['/admin/audit', 'the audit log'], ['/admin/users', 'the staff page']]) {
      await page.goto(`${base}${path}`);
      await axeCheck(page, name);
      await reflows(page, name);
    }
  }

  check(scripts.length === 0, `no scripts and nothing from other sites (${scripts.join(', ')})`);
} catch (e) {
  problems.push(String(e?.stack ?? e));
  console.error(e);
} finally {
  await browser.close();
}

report('browser journey passed');
