import { classifyError } from './errors';

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

  // X has a token's characters (JWT, base64): any part of it left would show.
  const X = 'sekrit1.sekrit2-sekrit3_sekrit4/sekrit5+sekrit6==';
  it.each([
    [`request had Authorization: Bearer ${X} attached`, 'Authorization: ***'],
    [`authorization: bearer ${X}`, 'authorization: ***'],
    [`Authorization:Bearer ${X}`, 'Authorization:***'],
    [`{"Authorization":"Bearer ${X}"}`, '"Authorization":"***"'],
    [`rejected Bearer ${X}`, 'Bearer ***'],
    [`Bearer ${X}`, 'Bearer ***'],
    [`{"kind":"TokenReview","token":"${X}"}`, '"token":"***"'],
    [`GET /path?token=${X}&watch=true`, 'token=***&watch=true'],
    [`access_token: ${X}`, 'access_token: ***'],
  ])('scrubs %j', (message, scrubbed) => {
    const e = classifyError(new Error(message));
    expect(e.type).toBe('unknown');
    expect(e.message).toContain(scrubbed);
    expect(e.message).not.toContain('sekrit');
  });

  it('keeps messages without credentials readable', () => {
    expect(classifyError(new Error('the token was rejected')).message).toBe(
      'request failed: the token was rejected',
    );
  });
});
