import { KubeConfig } from '@kubernetes/client-node';

/** Removes credentials of `kc` from text that is about to be logged. */
export function redactCredentials(text: string, kc?: KubeConfig): string {
  let out = text;
  for (const u of kc?.getUsers() ?? []) {
    for (const secret of [u.token, u.password, u.keyData]) {
      if (secret && secret.length >= 8)
        out = out.split(secret).join('[redacted]');
    }
  }
  return out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]');
}
