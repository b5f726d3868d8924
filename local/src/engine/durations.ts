const DAY = 86_400_000;
const DATE_UNITS: Record<string, number> = { y: 365 * DAY, m: 30 * DAY, w: 7 * DAY, d: DAY };
const TIME_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };

/**
 * Parses a CacheConfig ExpireAfter into milliseconds. Accepts ISO-8601 durations (`PT1H`, `P30D`, `P1Y2M`)
 * and the shorter forms the SageMaker guide shows (`30d`, `5y`, `T16m`, `30dT5h`), in any letter case.
 * Years count 365 days and months 30 days.
 */
export function parseExpireAfter(text: unknown): number {
  const fail = (): never => {
    throw new Error(
      `must be an ISO-8601 duration such as "PT1H", "P30D", "30d" or "T16m", got ${JSON.stringify(text)}`,
    );
  };
  if (typeof text !== 'string') return fail();
  const match = /^P?((?:\d+(?:\.\d+)?[YMWD])*)(?:T((?:\d+(?:\.\d+)?[HMS])+))?$/i.exec(text.trim());
  if (!match || (!match[1] && !match[2])) return fail();
  let total = 0;
  for (const [, amount, unit] of (match[1] ?? '').matchAll(/(\d+(?:\.\d+)?)([YMWD])/gi)) {
    total += Number(amount) * DATE_UNITS[unit!.toLowerCase()]!;
  }
  for (const [, amount, unit] of (match[2] ?? '').matchAll(/(\d+(?:\.\d+)?)([HMS])/gi)) {
    total += Number(amount) * TIME_UNITS[unit!.toLowerCase()]!;
  }
  return total;
}
