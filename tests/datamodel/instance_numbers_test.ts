import assert from "node:assert/strict";
import { ResourcesExceededError } from "../../src/datamodel/errors.ts";
import { MemoryInstanceNumbers } from "../../src/datamodel/instance_numbers.ts";

Deno.test("MemoryInstanceNumbers.allocate() never hands out a number twice", () => {
  const numbers = new MemoryInstanceNumbers();
  assert.equal(numbers.allocate("T.", []), 1);
  assert.equal(numbers.allocate("T.", []), 2);
  assert.equal(numbers.allocate("T.", [7]), 8);
  assert.equal(numbers.allocate("U.", []), 1);
});

Deno.test("MemoryInstanceNumbers.restore() continues the counters of serialize()", () => {
  let changes = 0;
  const first = new MemoryInstanceNumbers({ onChange: () => changes++ });
  first.allocate("T.", [4]);
  const second = new MemoryInstanceNumbers();
  second.restore(first.serialize());
  assert.equal(second.allocate("T.", []), 6);
  assert.equal(changes, 1);
  assert.throws(() => second.restore('{"T.":-1}'), TypeError);
});

Deno.test("MemoryInstanceNumbers.forget() drops counters below a deleted row", () => {
  const numbers = new MemoryInstanceNumbers();
  numbers.allocate("T.1.S.", []);
  numbers.allocate("T.", []);
  numbers.forget("T.1.");
  assert.equal(numbers.serialize(), '{"T.":1}');
});

Deno.test("MemoryInstanceNumbers.allocate() faults 9004 when numbers run out", () => {
  const numbers = new MemoryInstanceNumbers();
  assert.throws(() => numbers.allocate("T.", [0xffffffff]), ResourcesExceededError);
});
