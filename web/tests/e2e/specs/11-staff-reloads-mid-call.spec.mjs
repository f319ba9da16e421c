import { test } from '../support/fixtures.mjs';
import { reloadMidCall } from '../support/reload-mid-call.mjs';

test('the staff reloads the page mid-call: the call resumes from welcome and media flows again', async ({
  peers,
}) => {
  await reloadMidCall(peers, 'staff');
});
