import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/core/index.js';
import { metaPolicies, policiesAllow } from '../../src/core/page-policy.js';
import { cspWarnings } from '../../signaling/cli/csp-check.js';

const site = 'http://abc.p2p.localhost:8080';
const app = 'http://p2p.localhost:8080';

describe("a page's own Content-Security-Policy", () => {
  it('follows the fallback chains and source expressions of CSP Level 3', () => {
    const frame = (policy: string) => policiesAllow([policy], 'frame', `${app}/__p2p/settings.html`, site);
    const connect = (policy: string, url = `${site}/api/sites/abc`) => policiesAllow([policy], 'connect', url, site);
    expect(frame("default-src 'none'")).toBe(false);
    expect(frame("default-src 'self'")).toBe(false);
    expect(frame("default-src 'none'; frame-src http://p2p.localhost:8080")).toBe(true);
    expect(frame("default-src 'none'; child-src *.localhost:*")).toBe(true);
    expect(frame("frame-src 'self'; child-src *")).toBe(false);
    expect(frame('frame-src http:')).toBe(true);
    expect(frame("script-src 'self'")).toBe(true);
    expect(connect("default-src 'none'")).toBe(false);
    expect(connect("default-src 'none'; connect-src 'self'")).toBe(true);
    expect(connect("connect-src 'self'", 'ws://abc.p2p.localhost:8080/announce')).toBe(true);
    expect(connect("connect-src 'self'", 'ws://other.p2p.localhost:8080/announce')).toBe(false);
    expect(connect('connect-src https://cdn.example')).toBe(false);
    // Every policy must allow it.
    expect(policiesAllow(["connect-src 'self'", "frame-src 'none'"], 'connect', `${site}/x`, site)).toBe(true);
    expect(policiesAllow(["connect-src 'self'", "connect-src 'none'"], 'connect', `${site}/x`, site)).toBe(false);
    expect(policiesAllow([], 'frame', `${app}/x`, site)).toBe(true);
  });

  it('finds meta policies in HTML, and tells the publisher what to add', () => {
    const page = `<!doctype html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; connect-src 'self'"></head>`;
    expect(metaPolicies(page)).toEqual(["default-src 'none'; script-src 'self'; connect-src 'self'"]);
    expect(metaPolicies('<meta name="viewport" content="width=device-width">')).toEqual([]);
    const warnings = cspWarnings([{ path: 'web/viewer.html', bytes: utf8(page) }, { path: 'index.html', bytes: utf8('<h1>plain</h1>') }], app, site);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('web/viewer.html');
    expect(warnings[0]).toContain(`frame-src ${app}`);
    const closed = cspWarnings([{ path: 'a.html', bytes: utf8(`<meta http-equiv="content-security-policy" content="default-src 'none'">`) }], app, site);
    expect(closed[0]).toContain("connect-src 'self'");
  });
});
