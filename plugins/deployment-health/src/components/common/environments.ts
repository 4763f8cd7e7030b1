const RANK: Array<[RegExp, number]> = [
  [/^prod/i, 0],
  [/^(stag|preprod|uat)/i, 1],
  [/^(test|qa)/i, 2],
  [/^dev/i, 3],
];

/** Production first, then staging, test, development, then alphabetical. */
export function compareEnvironments(a: string, b: string): number {
  const rank = (e: string) => RANK.find(([re]) => re.test(e))?.[1] ?? 4;
  return rank(a) - rank(b) || a.localeCompare(b);
}
