import { useEffect, useRef, useState } from 'react';

export interface VideoTileProps {
  stream: MediaStream | null;
  muted?: boolean;
  mirrored?: boolean;
  label: string;
  className?: string;
  testId?: string;
  /**
   * The box takes the frame's own shape (as the video's size becomes known and when it changes,
   * e.g. a phone turned), so the whole picture shows without cropping and with little border.
   */
  fitToFrame?: boolean;
}

/** A <video> bound to a MediaStream. */
export function VideoTile({
  stream,
  muted = false,
  mirrored = false,
  label,
  className,
  testId,
  fitToFrame = false,
}: VideoTileProps) {
  const ref = useRef<HTMLVideoElement>(null);
  const [aspect, setAspect] = useState<string | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== stream) el.srcObject = stream;
    if (stream) void el.play().catch(() => undefined);
  }, [stream]);
  useEffect(() => {
    const el = ref.current;
    if (!el || !fitToFrame) return;
    const onSize = (): void => {
      if (el.videoWidth > 0 && el.videoHeight > 0)
        setAspect(`${el.videoWidth} / ${el.videoHeight}`);
    };
    el.addEventListener('resize', onSize);
    el.addEventListener('loadedmetadata', onSize);
    return () => {
      el.removeEventListener('resize', onSize);
      el.removeEventListener('loadedmetadata', onSize);
    };
  }, [fitToFrame]);
  return (
    <video
      ref={ref}
      className={`video${mirrored ? ' video--mirrored' : ''}${className ? ` ${className}` : ''}`}
      style={fitToFrame && aspect ? { aspectRatio: aspect } : undefined}
      autoPlay
      playsInline
      muted={muted}
      aria-label={label}
      data-testid={testId}
    />
  );
}
