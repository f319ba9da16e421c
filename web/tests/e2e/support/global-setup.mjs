// Before any worker starts: fail at once, with the fix, if the server or the front end is not
// built, and clear the screenshots, axe findings and logs of an earlier run so none can mislead.
import { rmSync } from 'node:fs';
import { A11Y, LOGS, SCREENS, requireWebDist, serverBinary } from './env.mjs';

export default function globalSetup() {
  serverBinary();
  requireWebDist();
  for (const dir of [SCREENS, A11Y, LOGS]) rmSync(dir, { recursive: true, force: true });
}
