import { describe, expect, it } from 'vitest';
import { formatIceServersText, parseIceServersText } from '../../src/settings/ice-servers-text.js';
import { normaliseSettings } from '../../src/swarm/governor.js';

describe('the visitor\'s own ICE servers as text', () => {
  it('reads one server per line, TURN with its user name and password, and writes it back', () => {
    const text = 'stun:stun.example.org:3478\n\n  turn:turn.example.org:3478?transport=udp alice s3cret  \r\nturns:t.example.org';
    expect(() => parseIceServersText(text)).toThrow(/line 4: a TURN server needs a user name and a password/);
    const servers = parseIceServersText(text.replace('turns:t.example.org', 'turns:t.example.org bob pw'));
    expect(servers).toEqual([
      { urls: 'stun:stun.example.org:3478' },
      { urls: 'turn:turn.example.org:3478?transport=udp', username: 'alice', credential: 's3cret' },
      { urls: 'turns:t.example.org', username: 'bob', credential: 'pw' },
    ]);
    expect(parseIceServersText(formatIceServersText(servers))).toEqual(servers);
    expect(normaliseSettings({ iceServers: servers }).iceServers).toEqual(servers);
    expect(parseIceServersText('  \n')).toEqual([]);
  });

  it.each([
    ['http://stun.example.org', /line 1: "http:\/\/stun.example.org" is not a STUN or TURN URL/],
    ['stun://x.example', /not a STUN or TURN URL/],
    ['turn:u:p@x.example', /not a STUN or TURN URL/],
    ['stun:x.example user pw', /a STUN server takes no user name/],
    ['turn:x.example a b c', /got 4 words/],
    [Array.from({ length: 17 }, () => 'stun:x.example').join('\n'), /at most 16/],
  ])('refuses %j, saying which line and what is expected', (text, why) => {
    expect(() => parseIceServersText(text)).toThrow(RangeError);
    expect(() => parseIceServersText(text)).toThrow(why);
  });

  it('settings refuse ICE servers a browser would not take', () => {
    for (const bad of [[{ urls: 'http://x' }], [{ urls: [] }], [{ urls: 'stun:x', username: 5 }], ['stun:x'], Array.from({ length: 17 }, () => ({ urls: 'stun:x' }))]) {
      expect(() => normaliseSettings({ iceServers: bad as never })).toThrow(/"iceServers" expected/);
    }
  });
});
