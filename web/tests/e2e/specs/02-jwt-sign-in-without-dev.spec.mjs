import { uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { signJwt } from '../support/integrator.mjs';
import { byTestId, checkA11y, shot } from '../support/page-checks.mjs';

test('without --dev the sign-in page says dev sign-in is off, and a pasted JWT signs in', async ({
  peers,
  startServer,
}) => {
  const secret = 'e2e-not-dev-secret-of-the-integrating-app';
  const server = await startServer({ dev: false, args: ['--jwt-secret', secret] });
  const page = await peers.newPage({ origin: server.base, label: 'Iris' });
  // A signed-out visitor is sent to /signin, which asked the server: no dev picker here.
  await page.goto(`${server.base}/`);
  await byTestId(page, 'signin-integrator').waitFor({ timeout: 10_000 });
  expect(new URL(page.url()).pathname, 'on /signin').toBe('/signin');
  expect(await byTestId(page, 'signin-org').count(), 'no dev sign-in form').toBe(0);
  const text = await byTestId(page, 'signin-dev-off').textContent();
  expect(text, 'explains dev mode is off').toMatch(/--dev/);
  await shot(page, 'signin-02-dev-mode-off');
  await checkA11y(page, 'signin-integrator');
  // A token the server does not accept (signed with another secret) is refused plainly.
  const claims = { sub: 'iris', org: `org-jwt-${uid()}`, role: 'client', name: 'Iris' };
  await byTestId(page, 'signin-jwt').fill(signJwt('not-the-secret-of-this-server', claims));
  await byTestId(page, 'signin-jwt-submit').click();
  const refused = await byTestId(page, 'signin-jwt-error').textContent({ timeout: 10_000 });
  expect(refused, 'says the token was refused').toMatch(/did not accept/);
  await shot(page, 'signin-03-token-refused');
  await checkA11y(page, 'signin-token-refused');
  // The integrating app's token: the client page, online.
  await byTestId(page, 'signin-jwt').fill(signJwt(secret, claims));
  await byTestId(page, 'signin-jwt-submit').click();
  await byTestId(page, 'client-idle').waitFor({ timeout: 10_000 });
  expect(new URL(page.url()).pathname, 'landed on the client page').toBe('/client');
  await page
    .locator('[data-testid="connection-state"]', { hasText: 'Online' })
    .waitFor({ timeout: 10_000 });
});
