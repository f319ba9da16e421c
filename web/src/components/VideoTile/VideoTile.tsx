import { useEffect, useRef } from 'react';

export interface VideoTileProps {
  stream: MediaStream | null;
  muted?: boolean;
  mirrored?: boolean;
  label: string;
  className?: string;
  testId?: string;
}

/** A <video> bound to a MediaStream. */
export function VideoTile({
  stream,
  muted = false,
  mirrored = false,
  label,
  className,
  testId,
}: VideoTileProps) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== stream) el.srcObject = stream;
    if (stream) void el.play().catch(() => undefined);
  }, [stream]);
  return (
    <video
      ref={ref}
      className={`video${mirrored ? ' video--mirrored' : ''}${className ? ` ${className}` : ''}`}
      autoPlay
      playsInline
      muted={muted}
      aria-label={label}
      data-testid={testId}
    />
  );
}
