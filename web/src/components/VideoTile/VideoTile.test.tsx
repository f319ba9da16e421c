// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeStream } from '../../../packages/client/src/test/media';
import { get, render, update } from '../../testing/render';
import { VideoTile } from './VideoTile';

describe('VideoTile', () => {
  const bound: unknown[] = [];
  let play: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    bound.length = 0;
    // The fake streams are not the DOM's MediaStream: record what the element is given instead.
    vi.spyOn(HTMLMediaElement.prototype, 'srcObject', 'set').mockImplementation((s) => {
      bound.push(s);
    });
    vi.spyOn(HTMLMediaElement.prototype, 'srcObject', 'get').mockImplementation(
      () => (bound.at(-1) ?? null) as MediaStream | null,
    );
    play = vi.fn(() => Promise.resolve());
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(play);
  });
  afterEach(() => vi.restoreAllMocks());

  it('binds the stream and plays it; no stream, nothing to play', () => {
    const stream = fakeStream();
    const view = render(<VideoTile stream={null} label="Your video" />);
    expect(play).not.toHaveBeenCalled();
    view.rerender(<VideoTile stream={stream} label="Your video" />);
    expect(bound).toEqual([stream]);
    expect(play).toHaveBeenCalledOnce();
    view.rerender(<VideoTile stream={null} label="Your video" />);
    expect(bound).toEqual([stream, null]);
  });

  it('mirrors and mutes on request, and names itself for screen readers', () => {
    const { container } = render(
      <VideoTile stream={null} label="Camera preview" muted mirrored className="x" testId="v" />,
    );
    const video = get(container, '[data-testid=v]') as HTMLVideoElement;
    expect(video.className).toBe('video video--mirrored x');
    expect(video.muted).toBe(true);
    expect(video.getAttribute('aria-label')).toBe('Camera preview');
  });

  it('takes the frame’s shape when asked, once the video knows its size', () => {
    const { container } = render(
      <VideoTile stream={null} label="Video of Ana" fitToFrame testId="v" />,
    );
    const video = get(container, '[data-testid=v]') as HTMLVideoElement;
    expect(video.style.aspectRatio).toBe('');
    Object.defineProperty(video, 'videoWidth', { value: 640 });
    Object.defineProperty(video, 'videoHeight', { value: 480 });
    update(() => video.dispatchEvent(new Event('resize')));
    expect(video.style.aspectRatio).toBe('640 / 480');
  });
});
