/** Resolves when `condition` holds after a `state` event of `target` (or at once), or after `timeoutMs`. */
export function stateHolds(target: EventTarget, condition: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      target.removeEventListener('state', check);
      resolve();
    };
    const check = () => {
      if (condition()) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    target.addEventListener('state', check);
    check();
  });
}
