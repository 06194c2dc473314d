import assert from "node:assert/strict";
import { InstanceNumbers } from "../../../../src/datamodel/providers/linux/instance_numbers.ts";

Deno.test("InstanceNumbers assign() keeps a key's number and never reuses one", () => {
  const numbers = new InstanceNumbers();
  assert.deepEqual(numbers.assign("T.", ["eth0", "eth1"]), [1, 2]);
  assert.deepEqual(numbers.assign("T.", ["eth1"]), [2]);
  assert.deepEqual(numbers.assign("T.", ["eth2", "eth0"]), [3, 1]);
  assert.deepEqual(numbers.assign("U.", ["eth2"]), [1]);
});

Deno.test("InstanceNumbers serialize() and restore() carry numbers across restarts", () => {
  const first = new InstanceNumbers();
  first.assign("T.", ["a", "b", "c"]);
  const data = JSON.parse(JSON.stringify(first.serialize()));
  const second = new InstanceNumbers(data);
  assert.deepEqual(second.assign("T.", ["c", "d"]), [3, 4]);
  assert.deepEqual(data, { "T.": { next: 4, keys: { a: 1, b: 2, c: 3 } } });
});

Deno.test("InstanceNumbers restore() skips malformed entries and raises next", () => {
  const numbers = new InstanceNumbers({
    "T.": { next: 1, keys: { a: 7, b: -1, c: 1.5 } as Record<string, number> },
  });
  assert.deepEqual(numbers.assign("T.", ["a", "b"]), [7, 8]);
});

Deno.test("InstanceNumbers onChange() fires only when a new key is numbered", () => {
  let calls = 0;
  const numbers = new InstanceNumbers({}, { onChange: () => calls++ });
  numbers.assign("T.", ["a"]);
  numbers.assign("T.", ["a"]);
  assert.equal(calls, 1);
});

Deno.test("InstanceNumbers assign() forgets absent keys beyond maxKeys", () => {
  const numbers = new InstanceNumbers({}, { maxKeys: 2 });
  numbers.assign("T.", ["a", "b"]);
  numbers.assign("T.", ["c"]);
  assert.deepEqual(Object.keys(numbers.serialize()["T."].keys).sort(), ["b", "c"]);
  assert.deepEqual(numbers.assign("T.", ["a"]), [4]);
});
