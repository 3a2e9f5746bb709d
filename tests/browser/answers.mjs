// The answer pages in headless Chromium, with axe-core on each: "Did this message help you
// feel safer?" from an e-mail link (as chosen, with a refused comment, and thanked), the same
// from the public message page, and a feel-safe pulse question.
// Usage: node answers.mjs BASE_URL FEEDBACK_LINK SURVEY_LINK MESSAGE_PATH  (run by tests/it/answers/browser.rs)
import { axeCheck, check, launch, problems, reflows, report } from './lib.mjs';

const [base, feedbackLink, surveyLink, messagePath] = process.argv.slice(2);
if (!base || !feedbackLink || !surveyLink || !messagePath) {
  console.error('usage: node answers.mjs BASE_URL FEEDBACK_LINK SURVEY_LINK MESSAGE_PATH');
  process.exit(2);
}

const browser = await launch();

try {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();

  // From the e-mail: the answer chosen in the link is selected, nothing else is.
  await page.goto(feedbackLink);
  check((await page.title()).startsWith('Did this message help you feel safer?'), 'feedback page title');
  check(await page.getByLabel('Not sure').isChecked(), 'the answer from the link is chosen');
  check(!(await page.getByLabel('Yes').isChecked()), 'no other answer is chosen');
  await axeCheck(page, 'the feedback page');
  await reflows(page, 'the feedback page');

  // Too long a comment: refused beside its field, with what was typed kept.
  await page.getByLabel('What would help? (optional)').fill('x'.repeat(501));
  await page.getByRole('button', { name: 'Send my answer' }).click();
  await page.waitForLoadState();
  check((await page.title()).startsWith('Error: '), 'the error page title starts with "Error:"');
  check(await page.locator('#comment-error').isVisible(), 'the comment message sits beside its field');
  check((await page.getByLabel('What would help? (optional)').inputValue()).length === 501, 'what was typed is kept');
  await axeCheck(page, 'the feedback page with an error');

  await page.getByLabel('What would help? (optional)').fill('More about what is happening in Chesham, please.');
  await page.getByRole('button', { name: 'Send my answer' }).click();
  await page.waitForLoadState();
  check((await page.title()).startsWith('Thank you for your answer'), 'the answer is thanked');
  await axeCheck(page, 'the thank-you page');

  // The public message page asks too, and its form asks where the visitor lives.
  await page.goto(`${base}${messagePath}`);
  check(await page.getByRole('heading', { name: 'Did this message help you feel safer?' }).isVisible(),
    'the public message page asks the question');
  await axeCheck(page, 'the public message page');
  await page.getByRole('link', { name: 'Yes' }).click();
  await page.waitForLoadState();
  check(await page.getByLabel('Yes').isChecked(), 'the public answer is chosen');
  check(await page.getByLabel('Where do you live?').isVisible(), 'the public form asks for the area');
  await axeCheck(page, 'the public feedback page');
  await reflows(page, 'the public feedback page');

  // A feel-safe pulse question.
  await page.goto(surveyLink);
  check((await page.title()).startsWith('How safe do you feel walking alone in your area after dark?'), 'survey page title');
  check(await page.getByLabel('Fairly safe').isChecked(), 'the survey answer from the link is chosen');
  await axeCheck(page, 'the survey page');
  await reflows(page, 'the survey page');
  await page.getByRole('button', { name: 'Send my answer' }).click();
  await page.waitForLoadState();
  check((await page.title()).startsWith('Thank you for your answer'), 'the survey answer is thanked');
} catch (e) {
  console.error(e);
  problems.push(String(e));
} finally {
  await browser.close();
}
report();
