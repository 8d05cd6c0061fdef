import type { Browser, Page } from 'playwright-core';

/**
 * The raw limit a p2p transfer is compared with: a bare RTCDataChannel between two
 * browser contexts carrying the same number of bytes, including its connection set-up
 * (offer, answer, ICE on loopback). Messages of 16 KiB with back-pressure on
 * `bufferedAmount`, the way a careful application would send.
 */
export async function rawChannelTransfer(browser: Browser, bytes: number): Promise<{ ms: number; setupMs: number }> {
  const [a, b] = await Promise.all([blankPage(browser), blankPage(browser)]);
  try {
    await b.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      const pc = new RTCPeerConnection();
      w.pc = pc;
      w.received = new Promise<number>((resolve) => {
        pc.ondatachannel = (event) => {
          let got = 0;
          const expected = Number(event.channel.label);
          event.channel.binaryType = 'arraybuffer';
          event.channel.onmessage = (m) => {
            got += (m.data as ArrayBuffer).byteLength;
            if (got >= expected) {
              event.channel.send('done');
              resolve(performance.now());
            }
          };
        };
      });
    });
    const offer = await a.evaluate(async (size) => {
      const w = globalThis as unknown as Record<string, unknown>;
      w.t0 = performance.now();
      const pc = new RTCPeerConnection();
      w.pc = pc;
      const channel = pc.createDataChannel(String(size));
      channel.binaryType = 'arraybuffer';
      w.channel = channel;
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      return JSON.stringify(pc.localDescription);
    }, bytes);
    const answer = await b.evaluate(async (sdp) => {
      const pc = (globalThis as unknown as { pc: RTCPeerConnection }).pc;
      await pc.setRemoteDescription(JSON.parse(sdp));
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      return JSON.stringify(pc.localDescription);
    }, offer);
    const result = await a.evaluate(async ({ sdp, size }) => {
      const w = globalThis as unknown as { pc: RTCPeerConnection; channel: RTCDataChannel; t0: number };
      await w.pc.setRemoteDescription(JSON.parse(sdp));
      await new Promise<void>((r) => (w.channel.readyState === 'open' ? r() : (w.channel.onopen = () => r())));
      const open = performance.now();
      const chunk = new Uint8Array(16 * 1024);
      w.channel.bufferedAmountLowThreshold = 1024 * 1024;
      let sent = 0;
      const done = new Promise<number>((resolve) => (w.channel.onmessage = () => resolve(performance.now())));
      while (sent < size) {
        if (w.channel.bufferedAmount > 4 * 1024 * 1024) {
          await new Promise<void>((r) => (w.channel.onbufferedamountlow = () => r()));
        }
        const n = Math.min(chunk.length, size - sent);
        w.channel.send(n === chunk.length ? chunk : chunk.subarray(0, n));
        sent += n;
      }
      const end = await done;
      return { ms: end - w.t0, setupMs: open - w.t0 };
    }, { sdp: answer, size: bytes });
    return result;
  } finally {
    await a.context().close();
    await b.context().close();
  }
}

async function blankPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route('http://localhost/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>raw</title>' }));
  await page.goto('http://localhost/');
  return page;
}
