// Where the console's browser tests find Chromium (Debian's package; SLIPWAY_CHROMIUM names another), shared
// by setup, which installs it where it can, and the tests, which say they did not run where it is missing.
export const CHROMIUM = process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium';
