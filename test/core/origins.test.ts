import { describe, expect, it } from 'vitest';
import { addressOfHost, appHostOf, appOriginOf, canonicalAppOrigin, isSiteOriginOf, LOCAL_APP_HOSTNAME, loopbackHost, siteOrigin, trackerUrl } from '../../src/core/origins.js';
import { addressFromPublicKey } from '../../src/core/index.js';

const address = addressFromPublicKey(new Uint8Array(32).fill(7));

describe('origins (shared by the server, the CLI and the pages)', () => {
  it('reads a site address from the first label of a host name, spelled exactly', () => {
    expect(addressOfHost(`${address}.p2p.localhost`)).toBe(address);
    expect(addressOfHost(`${address}.example.org`)).toBe(address);
    expect(addressOfHost('p2p.localhost')).toBeUndefined();
    expect(addressOfHost(`${address.toUpperCase()}.p2p.localhost`)).toBeUndefined();
    expect(addressOfHost(`${address.slice(1)}.p2p.localhost`)).toBeUndefined();
    // Unused trailing bits set: not an address anywhere (src/core/base32.ts).
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const flipped = alphabet[alphabet.indexOf(address[51]) ^ 1];
    expect(addressOfHost(`${address.slice(0, 51)}${flipped}.p2p.localhost`)).toBeUndefined();
  });

  it('knows loopback hosts only in their exact forms', () => {
    expect(loopbackHost('localhost')).toEqual({ port: undefined });
    expect(loopbackHost('127.0.0.1:8080')).toEqual({ port: '8080' });
    expect(loopbackHost('[::1]:1')).toEqual({ port: '1' });
    expect(loopbackHost('LOCALHOST:9')).toEqual({ port: '9' });
    expect(loopbackHost('localhost:8080@evil.example')).toBeUndefined();
    expect(loopbackHost('localhost.evil.example')).toBeUndefined();
    expect(appHostOf('localhost:8080')).toBe(`${LOCAL_APP_HOSTNAME}:8080`);
    expect(appHostOf('127.0.0.1')).toBe(LOCAL_APP_HOSTNAME);
    expect(appHostOf('p2p.example.org')).toBe('p2p.example.org');
  });

  it('puts a loopback server\'s app at p2p.localhost and its sites below it', () => {
    expect(canonicalAppOrigin('http://127.0.0.1:8080/x')).toBe('http://p2p.localhost:8080');
    expect(canonicalAppOrigin('http://[::1]:80/')).toBe('http://p2p.localhost');
    expect(canonicalAppOrigin('https://p2p.example.org/')).toBe('https://p2p.example.org');
    expect(siteOrigin('http://localhost:8080', address)).toBe(`http://${address}.p2p.localhost:8080`);
    expect(siteOrigin(`https://${address}.example.org/`, address)).toBe(`https://${address}.example.org`);
    expect(appOriginOf({ protocol: 'http:', host: `${address}.p2p.localhost:8080` })).toBe('http://p2p.localhost:8080');
  });

  it('names the tracker on the server\'s own host, wss: behind https', () => {
    expect(trackerUrl('http://localhost:8080/x')).toBe('ws://localhost:8080/announce');
    expect(trackerUrl('https://p2p.example.org')).toBe('wss://p2p.example.org/announce');
    expect(trackerUrl(`https://${address}.example.org/`)).toBe(`wss://${address}.example.org/announce`);
  });

  it('accepts as a site origin only <address>.<app host> with the app\'s scheme and port', () => {
    const app = { protocol: 'http:', host: 'p2p.localhost:8080' };
    expect(isSiteOriginOf(`http://${address}.p2p.localhost:8080`, app)).toBe(address);
    expect(isSiteOriginOf(`https://${address}.p2p.localhost:8080`, app)).toBeUndefined();
    expect(isSiteOriginOf(`http://${address}.p2p.localhost:8081`, app)).toBeUndefined();
    expect(isSiteOriginOf(`http://x.${address}.p2p.localhost:8080`, app)).toBeUndefined();
    expect(isSiteOriginOf('http://p2p.localhost:8080', app)).toBeUndefined();
    expect(isSiteOriginOf('null', app)).toBeUndefined();
  });
});
