/** The agent's own-domain certificates from its config: none without --acme-directory. */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AgentConfig } from '../../config/config';
import { AcmeCertificates } from './certificates';
import type { ChallengeResponder } from './types';

export function acmeCertificatesFromConfig(
  c: Pick<AgentConfig, 'dataDir' | 'acmeDirectory' | 'acmeCa' | 'acmeEmail'>,
  responder: ChallengeResponder,
  logger?: Logger,
): AcmeCertificates | undefined {
  if (c.acmeDirectory === undefined) return undefined;
  return new AcmeCertificates({
    directoryUrl: c.acmeDirectory,
    ...(c.acmeCa !== undefined ? { caPem: readFileSync(c.acmeCa) } : {}),
    dataDir: c.dataDir,
    ...(c.acmeEmail !== undefined ? { email: c.acmeEmail } : {}),
    responder,
    ...(logger ? { logger } : {}),
  });
}
