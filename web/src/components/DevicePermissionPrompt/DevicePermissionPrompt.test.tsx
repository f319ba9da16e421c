// @vitest-environment happy-dom
/** The three faces of the prompt: explain before asking, help after a refusal, a device check. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceLists, SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../../packages/client/src/test/client';
import { FakeSocket } from '../../../packages/client/src/test/fakes';
import { device, FakeDevices } from '../../../packages/client/src/test/media';
import { cleanup, click, get, render, update, updateAsync } from '../../testing/render';
import { DevicePermissionPrompt, type PromptMode } from './DevicePermissionPrompt';

const lists: DeviceLists = {
  audioinput: [device('audioinput', 'mic-0', 'Headset')],
  videoinput: [device('videoinput', 'cam-0', 'Built-in camera'), device('videoinput', 'cam-1', '')],
  audiooutput: [],
};

function prompt(client: SwitchboardClient, mode: PromptMode, errorText?: string) {
  const onAllow = vi.fn();
  const onCancel = vi.fn();
  const view = render(
    <DevicePermissionPrompt
      client={client}
      mode={mode}
      purpose="start your call"
      onAllow={onAllow}
      onCancel={onCancel}
      errorText={errorText}
    />,
  );
  return { ...view, onAllow, onCancel };
}

describe('DevicePermissionPrompt', () => {
  let devices: FakeDevices;
  let client: SwitchboardClient;
  beforeEach(() => {
    FakeSocket.instances = [];
    devices = new FakeDevices();
    devices.fakeLists = lists;
    vi.spyOn(devices, 'refresh').mockResolvedValue(lists);
    client = connectedClient('client', {}, devices).client;
    // The fake streams are not the DOM's MediaStream; the preview element only needs to take them.
    vi.spyOn(HTMLMediaElement.prototype, 'srcObject', 'set').mockImplementation(() => undefined);
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
  });
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
    client.dispose();
  });

  it('explains why before the browser asks, and passes the answer on', () => {
    const { container, onAllow, onCancel } = prompt(client, 'explain');
    expect(container.textContent).toContain('To start your call, we need your camera');
    click(get(container, '[data-testid=permission-allow]'));
    click(get(container, '[data-testid=permission-cancel]'));
    expect(onAllow).toHaveBeenCalledOnce();
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('after a refusal, gives the steps for this browser and lets the person try again', () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(
      'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    );
    const { container, onAllow } = prompt(client, 'denied', 'The microphone is in use.');
    expect(get(container, '#denied-title').textContent).toBe('We can’t use your microphone');
    expect(container.textContent).toContain(
      'The microphone is in use. A call needs at least your microphone. To start your call:',
    );
    expect(get(container, '[data-testid=permission-help]').textContent).toContain(
      'Remove the “Blocked” entries for camera and microphone.',
    );
    click(get(container, '[data-testid=permission-retry]'));
    expect(onAllow).toHaveBeenCalledOnce();
  });

  it('names Edge as Edge, not Chrome', () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(
      'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0',
    );
    const { container } = prompt(client, 'denied');
    expect(container.textContent).toContain(
      'Your browser did not let this page use your microphone.',
    );
    expect(get(container, '[data-testid=permission-help]').textContent).toContain(
      '“Permissions for this site”',
    );
  });

  it('checks the devices: a preview, pickers that switch, the stream stopped when done', async () => {
    const select = vi.spyOn(client, 'selectDevice');
    const preview = vi.spyOn(client, 'previewStream');
    let view!: ReturnType<typeof prompt>;
    await updateAsync(async () => {
      view = prompt(client, 'check');
      await Promise.resolve();
    });
    expect(preview).toHaveBeenCalledOnce();
    const stream = (await preview.mock.results[0].value) as MediaStream;
    const cameras = get(view.container, '[data-testid=camera-select]') as HTMLSelectElement;
    expect([...cameras.options].map((o) => o.textContent)).toEqual([
      'Default camera',
      'Built-in camera',
      'Camera 2', // No label before permission: numbered.
    ]);
    await updateAsync(async () => {
      cameras.value = 'cam-0';
      cameras.dispatchEvent(new Event('change', { bubbles: true }));
      await Promise.resolve();
    });
    expect(select).toHaveBeenCalledWith('videoinput', 'cam-0');
    click(get(view.container, '[data-testid=device-check-done]'));
    expect(view.onCancel).toHaveBeenCalledOnce();
    update(() => view.unmount());
    expect(stream.getTracks().every((t) => vi.mocked(t.stop).mock.calls.length > 0)).toBe(true);
  });

  it('says why when the preview cannot start', async () => {
    devices.deny = true;
    let view!: ReturnType<typeof prompt>;
    await updateAsync(async () => {
      view = prompt(client, 'check');
      await Promise.resolve();
    });
    expect(get(view.container, '[role=alert]').textContent).toBe('denied');
  });
});
