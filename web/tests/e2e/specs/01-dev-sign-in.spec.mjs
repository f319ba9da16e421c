import { goAvailable, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, expectNoSidewaysScroll, shot } from '../support/page-checks.mjs';

test('dev sign-in picks org, user and role and lands on the staff console', async ({
  peers,
  server,
}) => {
  const page = await peers.newPage({ label: 'Dana' });
  await page.goto(`${server.base}/`);
  await byTestId(page, 'signin-page').waitFor({ timeout: 10_000 });
  await byTestId(page, 'signin-org').fill(`org-signin-${uid()}`);
  await byTestId(page, 'signin-sub').fill('dana');
  await byTestId(page, 'signin-name').fill('Dana');
  await byTestId(page, 'signin-role-staff').check();
  await shot(page, 'signin-01-form');
  await checkA11y(page, 'signin-dev');
  await byTestId(page, 'signin-submit').click();
  await byTestId(page, 'staff-page').waitFor({ timeout: 10_000 });
  expect(new URL(page.url()).pathname, 'landed on the staff console').toBe('/staff');
  await page
    .locator('[data-testid="connection-state"]', { hasText: 'Online' })
    .waitFor({ timeout: 10_000 });
  await shot(page, 'staff-01-console-away');
  await checkA11y(page, 'staff-console-away');
  await goAvailable(page);
  await shot(page, 'staff-02-console-available');
  await checkA11y(page, 'staff-console-available');
  await page.setViewportSize({ width: 375, height: 812 });
  await expectNoSidewaysScroll(page, 'staff console');
  await shot(page, 'phone-05-staff-console');
  await checkA11y(page, 'phone-staff-console');
});
