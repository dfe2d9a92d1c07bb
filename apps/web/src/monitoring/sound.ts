// A short beep for new severe alarms (WebAudio: no sound file to ship), and the mute switch the
// duty officer sets once and the browser remembers.
//
// Browsers keep an AudioContext suspended until the user has interacted with the page; the first
// click or key press anywhere unlocks it, which a signed-in user has always done by then.
import { ref } from 'vue';
import type { WarningLevel } from '../types';

const STORAGE_KEY = 'anlan.alarmSound';

function readMuted(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'off';
  } catch {
    return false;
  }
}

export const soundMuted = ref(readMuted());

export function setSoundMuted(muted: boolean): void {
  soundMuted.value = muted;
  try {
    localStorage.setItem(STORAGE_KEY, muted ? 'off' : 'on');
  } catch {
    // storage disabled: the choice lasts for this page load
  }
  if (!muted) unlock();
}

let ctx: AudioContext | null = null;
let lastBeep = 0;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    ctx = null;
  }
  return ctx;
}

function unlock(): void {
  const c = context();
  if (c && c.state === 'suspended') void c.resume().catch(() => undefined);
}

let unlockInstalled = false;
/** Resume audio on the first user gesture (called once by the app shell). */
export function installAudioUnlock(): void {
  if (unlockInstalled) return;
  unlockInstalled = true;
  const once = () => {
    unlock();
    window.removeEventListener('pointerdown', once, true);
    window.removeEventListener('keydown', once, true);
  };
  window.addEventListener('pointerdown', once, true);
  window.addEventListener('keydown', once, true);
}

type TestWindow = { __ANLAN_TEST__?: boolean; __anlanBeeps?: number };

const RANK: Record<WarningLevel, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };
let pending: WarningLevel | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

/**
 * Asks for a beep: red three high beeps, orange two, blue and yellow one low one. Requests within
 * a tenth of a second are one sound at the worst level asked (the app shell and the alarm page
 * both hear the same event), and at most one sound plays every two seconds.
 */
export function beep(level: WarningLevel): void {
  if (soundMuted.value) return;
  if (!pending || RANK[level] > RANK[pending]) pending = level;
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    const l = pending;
    pending = null;
    if (l) play(l);
  }, 100);
}

function play(level: WarningLevel): void {
  const now = Date.now();
  if (now - lastBeep < 2000) return;
  lastBeep = now;
  const w = window as unknown as TestWindow;
  if (w.__ANLAN_TEST__) w.__anlanBeeps = (w.__anlanBeeps ?? 0) + 1;
  const c = context();
  if (!c || c.state !== 'running') return;
  const count = level === 'red' ? 3 : level === 'orange' ? 2 : 1;
  const freq = level === 'red' ? 1040 : level === 'orange' ? 880 : 660;
  const start = c.currentTime + 0.02;
  for (let i = 0; i < count; i++) {
    const t0 = start + i * 0.22;
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.18, t0 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.15);
    osc.connect(gain).connect(c.destination);
    osc.start(t0);
    osc.stop(t0 + 0.16);
  }
}
