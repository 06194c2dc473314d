import { FixtureSystemSource, type SystemSource } from "../../../../src/platform/system_source.ts";

/** Absolute path of the fixture variant `name` under tests/testdata/linux/. */
export function fixturePath(name: "host" | "router"): string {
  return new URL(`../../../testdata/linux/${name}`, import.meta.url).pathname;
}

/** A fresh source over the fixture variant `name`. */
export function fixture(name: "host" | "router", utcOffsetMinutes = 0): FixtureSystemSource {
  return new FixtureSystemSource(fixturePath(name), { utcOffsetMinutes });
}

/** `source` without `readTextSync`: every read goes through the async `readText`. */
export function asyncOnly(source: FixtureSystemSource): SystemSource {
  return {
    readText: (path) => source.readText(path),
    listDir: (path) => source.listDir(path),
    run: (argv) => source.run(argv),
    now: () => source.now(),
    utcOffsetMinutes: () => source.utcOffsetMinutes(),
  };
}
