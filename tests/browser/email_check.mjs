// Checks the HTML part of real mails (caught by the SMTP sink) with two validators we did not
// write: html-validate (is it valid HTML?) and doiuse-email (does every common mail client
// support what it uses, per caniemail.com?).
// Usage: node email_check.mjs FILE.html...   (run by tests/it/public_site/mail.rs)
// Prints one line per problem and exits 1 if there is any.
import { readFileSync } from 'node:fs';
import { HtmlValidate } from 'html-validate';
import { doIUseEmail } from 'doiuse-email';

// Clients most UK residents read mail in.
const CLIENTS = ['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*', 'samsung-email.*', 'thunderbird.*'];

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Mail clients ignore <style> and external CSS, so inline styles are the only styles there are.
    'no-inline-style': 'off',
    // Campaign copy is written by people; its punctuation is theirs.
    'no-trailing-whitespace': 'off',
  },
});

// Unsupported features we use knowingly, each harmless where it is dropped:
// - the bare <body> element some clients replace with their own (it carries no style: the
//   backgrounds and fonts are on a wrapper <div>, which every client keeps);
// - role="presentation" on the layout table, for screen readers; a client that strips it
//   loses nothing visible.
const TOLERATED = [
  (e, html) => e.startsWith('`<body> element`') && /<body>/.test(html) && !/<body\s[^>]*>/.test(html),
  (e) => e.startsWith('`role attribute`'),
];

let problems = 0;
for (const file of process.argv.slice(2)) {
  const html = readFileSync(file, 'utf8');
  const report = await validator.validateString(html, file);
  for (const r of report.results) {
    for (const m of r.messages) {
      problems++;
      console.log(`html-validate ${file}:${m.line}:${m.column}: ${m.ruleId}: ${m.message}`);
    }
  }
  const support = doIUseEmail(html, { emailClients: CLIENTS });
  for (const e of support.errors ?? []) {
    if (TOLERATED.some((ok) => ok(e, html))) continue;
    problems++;
    console.log(`doiuse-email ${file}: ${e}`);
  }
  console.log(`checked ${file}: ${(support.notes ?? []).length} notes`);
}
process.exit(problems === 0 ? 0 : 1);
