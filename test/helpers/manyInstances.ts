/** A fixture with 120 more instances, for calls of more than one batch of instance ids. */
import { type Fixture, loadDefaultFixture } from "../../emulator";

/** sag-many001..sag-many{n}, all in cn-shanghai. */
export const manyIds = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `sag-many${String(i + 1).padStart(3, "0")}`);

/** The online count of sag-manyNNN: NNN % 7, split over two users. */
export const manyCount = (id: string): number => Number(id.slice(8)) % 7;

export function fixtureWithManyInstances(): Fixture {
  const fixture = loadDefaultFixture();
  const shanghai = { ...fixture.regions["cn-shanghai"] };
  for (const id of manyIds(120)) {
    const n = manyCount(id);
    // Two users per instance, so the count is a sum and not one user's value.
    const half = Math.floor(n / 2);
    shanghai[id] = { users: { "first-user": half, "second-user": n - half } };
  }
  return { ...fixture, regions: { ...fixture.regions, "cn-shanghai": shanghai } };
}
