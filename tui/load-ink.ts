/**
 * Loads Ink for a terminal the user is looking at.
 *
 * Ink decides once, when it is first imported, whether it runs under CI (`is-in-ci`: CI or
 * CONTINUOUS_INTEGRATION set); if so it draws nothing until the app exits. Our commands only take
 * the Ink path when stdout is a TTY, so a person is watching and the frames must be drawn even
 * where a shell exports CI. The variables are hidden for that one import and put back at once,
 * so child processes still see them.
 */
export async function loadInk(): Promise<typeof import('ink')> {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = keys.map((k) => process.env[k]);
  for (const k of keys) delete process.env[k];
  try {
    return await import('ink');
  } finally {
    keys.forEach((k, i) => {
      if (saved[i] !== undefined) process.env[k] = saved[i];
    });
  }
}
