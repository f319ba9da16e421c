// Behind a reverse proxy (issue 13, item 8): both people open the app through a real nginx
// running the shipped deploy/nginx/switchboard.conf over TLS (a certificate made for the test),
// so the page, the REST calls and the WebSocket upgrade all pass through it, and the call
// connects. The black-box test 27-reverse-proxy covers the timeouts and client addresses.
import { HAVE_NGINX, startNginx } from '../../../../tests/blackbox/lib/nginx.mjs';
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, waitPhase } from '../support/page-checks.mjs';

test('a call through nginx over TLS: the page, REST and the WebSocket pass the proxy', async ({
  peers,
  server,
}) => {
  test.skip(!HAVE_NGINX, 'nginx is not installed (scripts/install-deps.sh test)');
  const nginx = await startNginx(server.port);
  try {
    // Tokens still come from the server's dev route; every page opens on the proxy.
    const proxied = { base: nginx.base, token: (...who) => server.token(...who) };
    const through = { server: proxied, ignoreHTTPSErrors: true };
    const org = `org-nginx-${uid()}`;
    const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', ...through });
    await goAvailable(ana);
    const carla = await peers.openAs({
      org,
      sub: 'carla',
      role: 'client',
      name: 'Carla',
      ...through,
    });
    for (const page of [ana, carla]) {
      expect(page.url(), 'the page came through the proxy').toMatch(/^https:\/\/127\.0\.0\.1:/);
      expect(await page.evaluate(() => window.isSecureContext), 'a secure context').toBe(true);
    }

    await placeCall(carla);
    await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
    await byTestId(ana, 'accept-button').click();
    await waitPhase(ana, 'connected', 20_000);
    await waitPhase(carla, 'connected', 20_000);

    await byTestId(carla, 'hangup-button').click();
    for (const page of [ana, carla]) {
      await page
        .locator('[data-testid="call-summary"][data-outcome="ended"]')
        .waitFor({ timeout: 10_000 });
    }
  } finally {
    await nginx.stop();
  }
});
