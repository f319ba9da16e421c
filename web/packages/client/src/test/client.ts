/** A SwitchboardClient on fakes: a FakeSocket already open, a fake fetch, fake devices. */
import type { Notice } from '../call/CallStore';
import { RestClient } from '../rest/RestClient';
import { immediateReconnect } from '../signaling/ReconnectPolicy';
import { SwitchboardClient, type SwitchboardClientOptions } from '../SwitchboardClient';
import { FakeSocket, fakeFetch } from './fakes';
import { FakeDevices } from './media';

export function connectedClient(
  role: 'client' | 'staff',
  routes: Parameters<typeof fakeFetch>[0],
  devices = new FakeDevices(),
  options: Partial<SwitchboardClientOptions> = {},
) {
  const { fetch, requests } = fakeFetch(routes);
  const client = new SwitchboardClient({
    role,
    getToken: () => 'jwt',
    wsUrl: 'ws://test/v1/ws',
    createSocket: (url) => new FakeSocket(url),
    reconnectPolicy: immediateReconnect,
    rest: new RestClient({ getToken: () => 'jwt', fetch }),
    devices,
    ...options,
  });
  const notices: Notice[] = [];
  client.store.on('notice', (n) => notices.push(n));
  client.connect();
  const ws = FakeSocket.latest();
  ws.serverOpen();
  return { client, ws, requests, notices, devices };
}

export const staffUser = { id: 'st-me', org: 'org-a', role: 'staff', name: 'Me' };
