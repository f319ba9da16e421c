// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeStream } from '../../sdk/test/media';
import { get, render } from '../../testing/render';
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
});
