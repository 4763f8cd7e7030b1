import { waitFor } from './waitFor';

describe('waitFor', () => {
  it('returns the first truthy value, retrying falsy values and errors', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('not yet');
        return calls === 3 && 'ready';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('names what it waited for, the last error and the context on timeout', async () => {
    await expect(
      waitFor(
        async () => {
          throw new Error('connection refused');
        },
        {
          what: 'the backend',
          timeoutMs: 20,
          intervalMs: 5,
          describe: () => 'log tail',
        },
      ),
    ).rejects.toThrow(
      /^timed out after 20 ms waiting for the backend \(last error: Error: connection refused\)\nlog tail$/,
    );
  });
});
