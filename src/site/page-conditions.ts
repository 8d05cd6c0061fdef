import type { Conditions } from '../swarm/governor.js';

/**
 * Watches what the browser tells us about this page's circumstances (visibility, a
 * metered connection, the battery: the governor's `Conditions`) and reports changes. Event-driven: one timer runs
 * only while the page is hidden, to mark the end of the grace period.
 */
export function watchPageConditions(hiddenGraceMs: () => number, onChange: (c: Partial<Conditions>) => void): () => void {
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let hiddenSince = document.visibilityState === 'hidden' ? Date.now() : 0;

  const onVisibility = () => {
    clearTimeout(graceTimer);
    if (document.visibilityState === 'hidden') {
      hiddenSince = Date.now();
      graceTimer = setTimeout(() => onChange({ hiddenForMs: Date.now() - hiddenSince }), hiddenGraceMs());
    } else {
      hiddenSince = 0;
      onChange({ hiddenForMs: 0 });
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  if (hiddenSince) onVisibility();

  // Network Information API (Chromium): "save data" or a cellular link count as metered.
  const connection = (navigator as { connection?: EventTarget & { saveData?: boolean; type?: string } }).connection;
  const onConnection = () => onChange({ metered: Boolean(connection?.saveData || connection?.type === 'cellular') });
  connection?.addEventListener('change', onConnection);
  if (connection) onConnection();

  // Battery Status API (Chromium): pause on a low battery that is not charging.
  type Battery = EventTarget & { charging: boolean; level: number };
  let battery: Battery | undefined;
  const onBattery = () => battery && onChange({ battery: { charging: battery.charging, level: battery.level } });
  const getBattery = (navigator as { getBattery?: () => Promise<Battery> }).getBattery;
  getBattery?.call(navigator).then(
    (b) => {
      battery = b;
      b.addEventListener('levelchange', onBattery);
      b.addEventListener('chargingchange', onBattery);
      onBattery();
    },
    () => undefined, // Not allowed here (permissions policy): nothing to watch.
  );

  return () => {
    clearTimeout(graceTimer);
    document.removeEventListener('visibilitychange', onVisibility);
    connection?.removeEventListener('change', onConnection);
    battery?.removeEventListener('levelchange', onBattery);
    battery?.removeEventListener('chargingchange', onBattery);
  };
}
