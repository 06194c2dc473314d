import assert from "node:assert/strict";
import { CookieJar } from "../../src/transport/cookie_jar.ts";
import { readCapture } from "./_fixtures.ts";

const NOW = Date.parse("2026-11-22T08:39:48Z");

Deno.test("CookieJar.cookieHeader() echoes GenieACS's session cookie (002 → 003)", () => {
  const jar = new CookieJar();
  const setCookie = readCapture("002-acs-cpe-informresponse-set-cookie.http").headers["set-cookie"];
  jar.setCookie(setCookie, "http://127.0.0.1:27548/", NOW);
  assert.equal(jar.cookieHeader("http://127.0.0.1:27548/", NOW), "session=b342e4b82adb0992");
  assert.equal(jar.cookieHeader("http://127.0.0.2:27548/", NOW), undefined);
});

Deno.test("CookieJar.setCookie() keeps host-only cookies off subdomains", () => {
  const jar = new CookieJar();
  jar.setCookie("a=1", "http://acs.example.com/", NOW);
  assert.equal(jar.cookieHeader("http://acs.example.com/x", NOW), "a=1");
  assert.equal(jar.cookieHeader("http://sub.acs.example.com/", NOW), undefined);
  assert.equal(jar.cookies(NOW)[0].hostOnly, true);
});

Deno.test("CookieJar.setCookie() sends domain cookies to subdomains and refuses foreign domains", () => {
  const jar = new CookieJar();
  jar.setCookie("a=1; Domain=.Example.com", "http://acs.example.com/", NOW);
  jar.setCookie("b=2; Domain=other.com", "http://acs.example.com/", NOW);
  jar.setCookie("c=3; Domain=com", "http://acs.example.com/", NOW);
  assert.equal(jar.cookieHeader("http://x.example.com/", NOW), "a=1");
  assert.equal(jar.cookieHeader("http://example.com/", NOW), "a=1");
  assert.equal(jar.cookieHeader("http://notexample.com/", NOW), undefined);
  assert.equal(jar.count(NOW), 1);
});

Deno.test("CookieJar.setCookie() uses the default-path and path-match rules", () => {
  const jar = new CookieJar();
  jar.setCookie("d=1", "http://h/acs/cwmp", NOW); // default-path /acs
  jar.setCookie("p=2; Path=/acs/", "http://h/", NOW);
  jar.setCookie("bad=3; Path=relative", "http://h/x/y", NOW); // ignored Path → /x
  assert.equal(jar.cookieHeader("http://h/acs", NOW), "d=1");
  assert.equal(jar.cookieHeader("http://h/acs/cwmp", NOW), "p=2; d=1");
  assert.equal(jar.cookieHeader("http://h/acsx", NOW), undefined);
  assert.equal(jar.cookieHeader("http://h/x/z", NOW), "bad=3");
});

Deno.test("CookieJar.cookieHeader() puts longer paths first, then older cookies", () => {
  const jar = new CookieJar();
  jar.setCookie("root=1; Path=/", "http://h/", NOW);
  jar.setCookie("deep=2; Path=/a/b", "http://h/", NOW + 1);
  jar.setCookie("mid=3; Path=/a", "http://h/", NOW + 2);
  jar.setCookie("root2=4; Path=/", "http://h/", NOW + 3);
  assert.equal(jar.cookieHeader("http://h/a/b/c", NOW + 4), "deep=2; mid=3; root=1; root2=4");
});

Deno.test("CookieJar.cookieHeader() sends Secure cookies only over https", () => {
  const jar = new CookieJar();
  jar.setCookie("s=1; Secure; HttpOnly", "https://h/", NOW);
  jar.setCookie("t=2; Secure", "http://h/", NOW); // not stored from plain http
  assert.equal(jar.cookieHeader("http://h/", NOW), undefined);
  assert.equal(jar.cookieHeader("https://h/", NOW), "s=1");
  assert.equal(jar.cookies(NOW)[0].httpOnly, true);
});

Deno.test("CookieJar.setCookie() expires cookies by Max-Age, Expires and prefers Max-Age", () => {
  const jar = new CookieJar();
  jar.setCookie("m=1; Max-Age=60", "http://h/", NOW);
  jar.setCookie("e=2; Expires=Sun, 22 Nov 2026 08:40:48 GMT", "http://h/", NOW);
  jar.setCookie("both=3; Expires=Sun, 22 Nov 2026 08:39:49 GMT; Max-Age=600", "http://h/", NOW);
  assert.equal(jar.cookieHeader("http://h/", NOW + 59_000), "m=1; e=2; both=3");
  assert.equal(jar.cookieHeader("http://h/", NOW + 60_000), "both=3");
  assert.equal(jar.count(NOW + 600_000), 0);
});

Deno.test("CookieJar.setCookie() replaces by name, domain and path and deletes with Max-Age=0", () => {
  const jar = new CookieJar();
  jar.setCookie("session=a", "http://h/", NOW);
  jar.setCookie("session=b; Path=/x", "http://h/", NOW);
  jar.setCookie("session=c", "http://h/", NOW + 1);
  assert.equal(jar.cookieHeader("http://h/x", NOW + 2), "session=b; session=c");
  jar.setCookie("session=; Max-Age=0", "http://h/", NOW + 3);
  assert.equal(jar.cookieHeader("http://h/x", NOW + 4), "session=b");
  jar.setCookie("session=gone; Path=/x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "http://h/", NOW);
  assert.equal(jar.count(NOW + 5), 0);
});

Deno.test("CookieJar.setCookie() ignores values without a name and evicts the oldest beyond the cap", () => {
  const jar = new CookieJar({ maxCookies: 2 });
  jar.setCookie("novalue", "http://h/", NOW);
  jar.setCookie("=x", "http://h/", NOW);
  assert.equal(jar.count(NOW), 0);
  jar.setCookies(["a=1", "b=2", "c=3"], "http://h/", NOW);
  assert.equal(jar.cookieHeader("http://h/", NOW), "b=2; c=3");
  jar.clear();
  assert.equal(jar.count(NOW), 0);
});

Deno.test("CookieJar.setCookie() matches IP hosts exactly, never as a domain suffix", () => {
  const jar = new CookieJar();
  jar.setCookie("a=1; Domain=0.0.1", "http://127.0.0.1/", NOW);
  jar.setCookie("b=2; Domain=127.0.0.1", "http://127.0.0.1/", NOW);
  assert.equal(jar.cookieHeader("http://127.0.0.1/", NOW), "b=2");
});
