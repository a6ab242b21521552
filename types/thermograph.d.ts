// Public API of the `thermograph` npm package.

export interface TrackerOptions {
  /** Collector base URL (reports go to `${endpoint}/r`) or a full report URL. */
  endpoint?: string;
  /** Public site key (write-only). */
  site?: string;
  /** Deliver encoded reports yourself instead of sendBeacon/fetch ("any endpoint"). */
  transport?: (report: Uint8Array) => void;
  /**
   * Where thermograph.wasm lives. Default: next to this module (Vite, webpack 5 and Rollup with
   * importMetaAssets emit it with your build), else next to the script it was bundled into.
   */
  wasmUrl?: string;
  /** The designer's overlay chunk (default: thermograph-overlay.mjs, found like the wasm). */
  overlayUrl?: string;
  /** The micro-survey trigger chunk, loaded at start when `surveys` is set (default: thermograph-survey.mjs, found like the wasm). */
  surveyUrl?: string;
  /** The micro-survey widget chunk, fetched only when a prompt is shown (default: thermograph-survey-widget.mjs next to the trigger chunk). */
  surveyWidgetUrl?: string;
  /**
   * Turns on the behaviour signals that need JavaScript of their own: element exposure (seen for
   * 1 s), form-field focus/change/submit and dead swipes, loaded as a separate chunk
   * (thermograph-signals.mjs, ~1.1 KB gzip) after the tracker starts. Default false. The other
   * signals (hesitation, hovered without clicking, quick exits, excessive scrolling, thrashed
   * cursor, exit elements) are always on.
   */
  signals?: boolean;
  /** The behaviour-signals chunk (default: thermograph-signals.mjs, found like the wasm). */
  signalsUrl?: string;
  /**
   * Micro-surveys (docs/configuration.md): up to 4 one-question prompts, at most one per page view,
   * shown after a rage click, a dead click or a goal. Answers are counts only; no free text.
   */
  surveys?: SurveyOptions[];
  /** A/B variant of this page view. */
  variant?: string;
  /**
   * Up to 8 custom tags (`{plan: 'pro'}`), or the only values a key may take (`{plan: ['free', 'pro']}`).
   * Keys and values must be labels: 1-32 ASCII letters, digits and `_ . : -` (docs/configuration.md).
   */
  tags?: Record<string, string | string[]>;
  loggedIn?: boolean;
  /** 'granted' (default) tracks at once; 'required' waits for `consent(true)`. */
  consent?: 'granted' | 'required';
  /** Global Privacy Control / Do Not Track mean "send nothing" unless this is false. Default true. */
  respectDnt?: boolean;
  /** Goals: a click inside one of these selectors, or a page path starting with one of these. */
  goals?: { clicks?: string[]; pages?: string[] };
  /** Delta flush interval while the page is visible. Default 10000. */
  flushIntervalMs?: number;
  /** Rage clicks: clicks in a burst (3), max Manhattan distance (30 px), max gap (1000 ms). */
  rageClicks?: number;
  rageRadiusPx?: number;
  rageGapMs?: number;
  /** Dead clicks: reaction windows (2500 / 100 / 1000 ms). */
  deadMutationMs?: number;
  deadScrollMs?: number;
  deadFocusMs?: number;
  /** Error clicks: an uncaught error within this many ms of a click (1000). */
  errorWindowMs?: number;
  /** Longest pointer rest credited as dwell from one sample (10000 ms). */
  maxRestMs?: number;
  /** No input for this long pauses attention and engaged time (30000 ms). */
  idleMs?: number;
  /** Hover on an element counts as "page view hovered" from this long (500 ms). */
  hoverPvMs?: number;
  /** Quick exit: the page view ends this soon without a click, tap, swipe or field use (5000 ms). */
  quickExitMs?: number;
  /** Excessive scrolling: direction reversals (4), each after a leg of at least (100 px), each within (2000 ms) of the last. */
  scrollReversals?: number;
  scrollLegPx?: number;
  scrollGapMs?: number;
  /** Thrashed cursor: pointer direction reversals (5), each after a leg of at least (30 px), each within (500 ms) of the last. */
  cursorReversals?: number;
  cursorLegPx?: number;
  cursorGapMs?: number;
  /** An element at least half visible this long at once counts as exposed (1000 ms). */
  exposureMs?: number;
}

export interface SurveyOptions {
  /** A label (1-32 ASCII letters, digits and `_ . : -`): the name the answers are counted under. */
  id: string;
  /** What raises the prompt: a rage click, a dead click, or the page view's first goal. */
  on: 'rage' | 'dead' | 'goal';
  /** The question shown (1-120 characters; shown only, never sent). */
  question: string;
  /** Yes / No, or a 1-5 rating. */
  answers: 'yesno' | 'rating';
}

export interface Tracker {
  /** Resolves when the wasm module is loaded (or failed to load: the tracker is then off). */
  readonly ready: Promise<void>;
  readonly running: boolean;
  tag(key: string, value: string): void;
  variant(name: string): void;
  loggedIn(value: boolean): void;
  consent(granted: boolean): void;
  goal(): void;
  flush(): void;
  start(): void;
  stop(): void;
  /** Toggles the designer's heatmap overlay (loads its chunk lazily; asks for a read token). */
  overlay(options?: { token?: string; endpoint?: string; site?: string; page?: string }): Promise<unknown>;
}

/**
 * Creates the page's tracker; call it once per page load. Never throws: without a DOM (server-side
 * rendering) it returns a tracker that does nothing, and a tracker that cannot load its wasm stays
 * off after one console line naming the cause (docs/install.md).
 */
export function createTracker(options?: TrackerOptions): Tracker;
