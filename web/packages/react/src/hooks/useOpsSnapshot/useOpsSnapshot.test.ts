// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { OpsMonitor, RestClient, SignalingClient, SignalingState } from '@switchboard/client';
import { FakeSocket, fakeFetch } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
import { useOpsSnapshot } from './useOpsSnapshot';

describe('useOpsSnapshot', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('re-renders with each monitor change', () => {
    const getToken = () => 'jwt';
    const monitor = new OpsMonitor({
      getToken,
      rest: new RestClient({ getToken, fetch: fakeFetch({}).fetch }),
      signaling: new SignalingClient({ getToken, createSocket: (url) => new FakeSocket(url) }),
    });
    const { result, unmount } = renderHook((m: OpsMonitor) => useOpsSnapshot(m), monitor);
    expect(result.current).toMatchObject({ access: 'checking', me: null });
    update(() => monitor.start());
    update(() => FakeSocket.latest().serverOpen());
    update(() =>
      FakeSocket.latest().welcome({ id: 'ad-1', org: 'org-a', role: 'admin', name: 'Ada' }),
    );
    expect(result.current.signaling).toBe(SignalingState.Open);
    expect(result.current.me?.name).toBe('Ada');
    unmount();
    monitor.stop();
  });
});
