/** A fixture with an instance of many object-form accounts, for paging through the account list. */
import { type Fixture, type FixtureUser, loadDefaultFixture } from "../../emulator";

export const MANY_ACCOUNTS_INSTANCE = "sag-accounts1";

/** account0001..account{n}: every third disabled and offline, the rest with 1 or 2 clients. */
export function manyAccounts(n: number): Record<string, FixtureUser> {
  const users: Record<string, FixtureUser> = {};
  for (let i = 1; i <= n; i++) {
    const name = `account${String(i).padStart(4, "0")}`;
    const online = i % 3;
    users[name] = {
      userMail: `${name}@example.com`,
      bandwidth: i * 10,
      accelerateBandwidth: i % 2 === 0 ? 100 : 0,
      state: online === 0 ? 1 : 0,
      clientIp: `10.20.${i >> 8}.${i & 255}`,
      isStaticIp: i % 2 === 0,
      clients: Array.from({ length: online }, (_, c) => ({
        clientIp: `172.16.${c}.${i & 255}`,
        onlineTime: 1559125519 + i * 60 + c,
      })),
    };
  }
  return users;
}

/** The default fixture plus MANY_ACCOUNTS_INSTANCE in cn-shanghai with `n` accounts. */
export function fixtureWithManyAccounts(n = 120): Fixture {
  const fixture = loadDefaultFixture();
  const shanghai = {
    ...fixture.regions["cn-shanghai"],
    [MANY_ACCOUNTS_INSTANCE]: { users: manyAccounts(n) },
  };
  return { ...fixture, regions: { ...fixture.regions, "cn-shanghai": shanghai } };
}
