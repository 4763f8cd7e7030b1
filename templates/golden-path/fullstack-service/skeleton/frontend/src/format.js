/** Text for the status line, from the /api/hello response (or an error). */
export function statusText(result) {
  if (result instanceof Error) return `Backend unreachable: ${result.message}`;
  if (!result || typeof result.message !== 'string') return 'Unexpected response from the backend';
  return `${result.service} says ${result.message}`;
}
