// A person at a browser, for tests: opens the login URL given as the only argument in
// Debian's Chromium (playwright-core), types FERRY_TEST_LOGIN_USER / _PASSWORD into the test
// IdP's form, and waits for ferry's callback page. Used as `--browser-command`.
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? '';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.fill('#username', process.env['FERRY_TEST_LOGIN_USER'] ?? '');
  await page.fill('#password', process.env['FERRY_TEST_LOGIN_PASSWORD'] ?? '');
  await page.click('#submit');
  await page.waitForURL(/127\.0\.0\.1:\d+\/callback/, { timeout: 20_000 });
  process.stderr.write(`browser: ${(await page.textContent('body'))?.trim() ?? ''}\n`);
} finally {
  await browser.close();
}
