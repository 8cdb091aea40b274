import type { AlertSound } from '@ajuda/protocol';

/** Notes of each sound: [frequency Hz, start s, length s, waveform]. Synthesised: no audio file. */
const NOTES: Record<AlertSound, Array<[number, number, number, OscillatorType]>> = {
  chime: [[880, 0, 0.3, 'sine'], [1318.5, 0.14, 0.4, 'sine']],
  bell: [[659.3, 0, 0.9, 'triangle'], [1318.5, 0, 0.5, 'sine']],
  pulse: [[440, 0, 0.09, 'square'], [440, 0.16, 0.09, 'square'], [440, 0.32, 0.09, 'square']],
  soft: [[523.3, 0, 0.45, 'sine'], [392, 0.22, 0.55, 'sine']],
};

/**
 * Play one of the alert sounds on `ctx` at `volume` (0–100) with oscillators and a gain envelope.
 *
 * @example playSound(new AudioContext(), 'chime', 60)
 */
export function playSound(ctx: AudioContext, sound: AlertSound, volume: number): void {
  if (volume <= 0) return;
  const peak = (volume / 100) * 0.4;
  const t0 = ctx.currentTime + 0.01;
  for (const [freq, at, len, type] of NOTES[sound]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0 + at);
    gain.gain.exponentialRampToValueAtTime(peak, t0 + at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + len);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + at);
    osc.stop(t0 + at + len + 0.05);
  }
}
