/** Where the console's browser tests find Chromium (`SLIPWAY_CHROMIUM`, else Debian's `/usr/bin/chromium`). */
export declare const CHROMIUM: string;
