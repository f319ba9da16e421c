#!/usr/bin/env node
// Writes web/public/ringtone.wav: a gentle double ring (400 + 450 Hz, 0.4 s on, 0.2 s off,
// 0.4 s on, 2 s of quiet), 8 kHz 8-bit mono, about 24 KB. Deterministic: the same bytes every run.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rate = 8000;
const pattern = [
  [0.4, true],
  [0.2, false],
  [0.4, true],
  [2.0, false],
];
const samples = [];
for (const [seconds, on] of pattern) {
  const n = Math.round(seconds * rate);
  const fade = Math.round(0.015 * rate); // 15 ms ramps: no clicks at the edges.
  for (let i = 0; i < n; i++) {
    let v = 0;
    if (on) {
      const t = i / rate;
      const env = Math.min(1, i / fade, (n - 1 - i) / fade);
      v = 0.35 * env * (Math.sin(2 * Math.PI * 400 * t) + Math.sin(2 * Math.PI * 450 * t));
    }
    samples.push(Math.max(0, Math.min(255, Math.round(128 + v * 127))));
  }
}
const data = Buffer.from(samples);
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16); // PCM chunk size
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(rate, 24);
header.writeUInt32LE(rate, 28); // byte rate
header.writeUInt16LE(1, 32); // block align
header.writeUInt16LE(8, 34); // bits per sample
header.write('data', 36);
header.writeUInt32LE(data.length, 40);

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'ringtone.wav');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat([header, data]));
console.log(`wrote ${out} (${header.length + data.length} bytes)`);
