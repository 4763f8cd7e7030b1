import { classifyError } from './kubeHttp';

// How raw failures map to safe, classified errors (our logic). That a real
// API server's 401/403, a silent and a stopped cluster end up as these types
// is tested in reliability.integration.test.ts.
describe('classifyError', () => {
  it.each([
    [{ statusCode: 401 }, 'unauthorized', 401],
    [{ statusCode: 403 }, 'forbidden', 403],
    [{ code: 403 }, 'forbidden', 403],
    [{ statusCode: 500 }, 'unknown', 500],
    [{ code: 'ETIMEDOUT' }, 'timeout', undefined],
    [{ code: 'ECONNREFUSED' }, 'unreachable', undefined],
    [{ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'unreachable', undefined],
    [{ code: 'ENOENT' }, 'misconfigured', undefined],
  ])('%j -> %s', (err, type, statusCode) => {
    expect(classifyError(err)).toMatchObject({ type, statusCode });
  });

  it('scrubs anything token-like from unknown errors', () => {
    const e = classifyError(new Error('rejected Bearer abc.def.ghi'));
    expect(e.type).toBe('unknown');
    expect(e.message).not.toContain('abc.def.ghi');
  });
});
