import { beforeEach } from 'vitest';

// Vitest lists a test that passed on its retry as passed and keeps quiet about why the
// attempt before failed. Say it, so a flaky case can be told from a slow machine.
beforeEach(({ onTestFailed }) => {
  onTestFailed(({ task }) => {
    for (const error of task.result?.errors ?? []) {
      const detail = [error.message, error.diff].filter(Boolean).join('\n').slice(0, 2000);
      console.log(`[firefox] an attempt of "${task.name}" failed: ${detail}`);
    }
  });
});
